/**
 * Upstream down (issue 5): jobs are accepted and wait with reasons that say so, retried with
 * backoff, and delivered when the printer returns; a job canceled meanwhile is never delivered.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GroupTag } from '@trustnoone/ipp';
import { startIntermediary, type RunningIntermediary } from '../src/index.js';
import { attr, findAttribute, integerValue, keywords } from '../src/attrs.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { jobAttr, request, sealedPrintJob, send, waitFor, envelopeShaped } from './fixtures/client.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

let inter: RunningIntermediary | undefined;
let printer: FakePrinter | undefined;
afterAll(async () => {
  await inter?.close();
  await printer?.close();
});

describe('upstream unreachable, then back', () => {
  it('accepts, reports connecting-to-device, retries, delivers once the printer is up', async () => {
    const port = await freePort();
    inter = await startIntermediary({
      stateDir: mkdtempSync(join(tmpdir(), 'tno-down-')),
      upstreams: [{ uri: `ipp://127.0.0.1:${port}/ipp/print` }],
      port: 0,
      announce: () => {},
      handleSignals: false,
      retryInitialMs: 20,
      retryMaxMs: 200,
      pollMs: 20,
      printerAttributesTtlMs: 0,
    });
    const uri = inter.uri;
    const gpa = await send(uri, request(0x000b, uri));
    expect(gpa.status).toBe(0x0502);
    expect(gpa.statusMessage).toMatch(/upstream printer cannot be reached/);

    const kept = await send(uri, sealedPrintJob(uri), envelopeShaped('waits for the printer'));
    const dropped = await send(uri, sealedPrintJob(uri), envelopeShaped('canceled while waiting'));
    expect([kept.status, dropped.status]).toEqual([0, 0]);
    const ask = (id: number) => send(uri, request(0x0009, uri, [attr.integer('job-id', id), attr.name('requesting-user-name', 'alice')]));
    await waitFor(async () => keywords(jobAttr(await ask(kept.jobId!), 'job-state-reasons')).includes('connecting-to-device'), 5000, 'connecting-to-device');
    const waiting = await ask(kept.jobId!);
    expect(integerValue(jobAttr(waiting, 'job-state'))).toBe(3);
    const cancel = await send(uri, request(0x0008, uri, [attr.integer('job-id', dropped.jobId!), attr.name('requesting-user-name', 'alice')]));
    expect(cancel.status).toBe(0);
    await waitFor(async () => integerValue(jobAttr(await ask(dropped.jobId!), 'job-state')) === 7, 5000, 'canceled');

    printer = await startFakePrinter(port);
    await waitFor(async () => integerValue(jobAttr(await ask(kept.jobId!), 'job-state')) === 9, 10_000, 'delivered and completed');
    expect(printer.deliveries.map((d) => d.size)).toEqual([envelopeShaped('waits for the printer').length]);
    // With the printer back, Get-Printer-Attributes is served again without the condition.
    const back = await send(uri, request(0x000b, uri));
    expect(back.status).toBe(0);
    expect(keywords(findAttribute(back.message, GroupTag.printer, 'printer-state-reasons'))).not.toContain('connecting-to-device');
  });
});
