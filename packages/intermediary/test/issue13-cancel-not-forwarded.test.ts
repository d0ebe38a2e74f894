/**
 * Issue 13.4: Cancel-Job (RFC 8011 §4.3.3) on a job the intermediary has not yet forwarded is
 * answered successful-ok, and Get-Job-Attributes right after says canceled (conformance
 * rfc8011-jobs.cancel-job). Against `tno intermediary` as shipped, in front of an upstream that
 * takes connections and never answers, so the forwarder is stuck in an exchange when the cancel
 * comes (what made the job stay pending for seconds), and in front of a working printer.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, integerValue, keywords } from '../src/attrs.js';
import { startTnoIntermediary, type TnoIntermediary } from '../../../testing/tno-intermediary.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { envelopeShaped, jobAttr, request, sealedPrintJob, send } from './fixtures/client.js';

let hung: Server;
const sockets = new Set<Socket>();
let stuck: TnoIntermediary;
let printer: FakePrinter;
let working: TnoIntermediary;

beforeAll(async () => {
  hung = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
  stuck = await startTnoIntermediary(`ipp://127.0.0.1:${(hung.address() as { port: number }).port}/ipp/print`);
  printer = await startFakePrinter();
  working = await startTnoIntermediary(printer.uri);
}, 60_000);

afterAll(async () => {
  await stuck?.stop();
  await working?.stop();
  await printer?.close();
  for (const s of sockets) s.destroy();
  await new Promise((r) => hung.close(r));
});

async function cancelThenRead(uri: string, jobId: number): Promise<{ cancel: number; state: number | undefined; reasons: string[]; again: number }> {
  const cancel = await send(uri, request(0x0008, uri, [attr.integer('job-id', jobId), attr.name('requesting-user-name', 'alice')]));
  const g = await send(uri, request(0x0009, uri, [attr.integer('job-id', jobId), attr.name('requesting-user-name', 'alice'), attr.keyword('requested-attributes', 'job-state', 'job-state-reasons')]));
  const again = await send(uri, request(0x0008, uri, [attr.integer('job-id', jobId), attr.name('requesting-user-name', 'alice')]));
  return { cancel: cancel.status, state: integerValue(jobAttr(g, 'job-state')), reasons: keywords(jobAttr(g, 'job-state-reasons')), again: again.status };
}

describe('issue 13.4: Cancel-Job on a job not yet forwarded', () => {
  it('a sealed Print-Job waiting on a hung upstream reads canceled right after successful-ok', async () => {
    const a = await send(stuck.uri, sealedPrintJob(stuck.uri), envelopeShaped('never forwarded'));
    expect(a.status, a.statusMessage).toBe(0);
    // The forwarder is now waiting for the upstream's answer.
    await new Promise((r) => setTimeout(r, 300));
    expect(await cancelThenRead(stuck.uri, a.jobId!)).toEqual({ cancel: 0, state: 7, reasons: ['job-canceled-by-user'], again: 0x0404 });
  });

  it('a Create-Job with no document reads canceled right after successful-ok (conformance cancel-job), ten times over', async () => {
    for (const uri of [stuck.uri, working.uri]) {
      for (let i = 0; i < 5; i++) {
        const c = await send(uri, request(0x0005, uri, [attr.name('requesting-user-name', 'alice'), attr.name('job-name', 'encrypted job')]));
        expect(c.status, c.statusMessage).toBe(0);
        expect(await cancelThenRead(uri, c.jobId!), `${uri} #${i}`).toEqual({ cancel: 0, state: 7, reasons: ['job-canceled-by-user'], again: 0x0404 });
      }
    }
  });

  it('nothing of a job canceled here reaches the printer', async () => {
    const before = printer.jobs().length;
    const c = await send(working.uri, request(0x0005, working.uri, [attr.name('requesting-user-name', 'alice'), attr.name('job-name', 'encrypted job')]));
    await cancelThenRead(working.uri, c.jobId!);
    await new Promise((r) => setTimeout(r, 1500));
    expect(printer.jobs().length).toBe(before);
    expect(printer.deliveries).toEqual([]);
  });
});
