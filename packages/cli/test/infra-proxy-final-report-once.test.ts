/**
 * Relay fix 1: an INFRA output device (`tno printer --proxy`) sends a job's final state to the
 * Infrastructure Printer once. The final Update-Job-Status used to go out twice when a quiet
 * poll's recovery ran while that report was still in flight (the job was 'finished', not yet
 * 'reported'). The queue here (support/dishonest-infra-queue.ts) answers quiet polls every 300 ms
 * and holds its answer to a final report for 1.5 s, as a slow link would; it counts the reports.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { encodeMessage } from '@trustnoone/ipp';
import { buildInnerRequest } from '@trustnoone/profile';
import { joinPemLines, parseCertificate, sealToBytes } from '@trustnoone/smime';
import { tno } from './helpers.js';
import { startCliServer, type CliServer } from './support/cli-server.js';
import { startDishonestQueue, type DishonestQueue } from './support/dishonest-infra-queue.js';

const COMPLETED = 9;
let dir: string;
let queue: DishonestQueue;
let printer: CliServer | undefined;

async function waitFor(what: string, cond: () => boolean, ms = 45_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-final-once-'));
  queue = await startDishonestQueue({ finalReportDelayMs: 1500 });
}, 60_000);

afterAll(async () => {
  await printer?.stop();
  await queue?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('relay fix 1: the proxy reports a job final state once', () => {
  it('one final Update-Job-Status per job, even when quiet polls run while it is in flight', async () => {
    const state = join(dir, 'printer');
    const made = await tno(['printer', '--state', state, '--show-fingerprint']);
    expect(made.code, made.err).toBe(ExitCode.ok);
    printer = await startCliServer(['printer', '--state', state, '--port', '0', '--proxy', queue.uri]);
    await waitFor('the printer to subscribe', () => queue.devices.size === 1);
    const attrs = queue.attributes();
    const uuid = (attrs.find((a) => a.name === 'printer-uuid')!.values[0] as { value: string }).value;
    const pem = joinPemLines(attrs.find((a) => a.name === 'printer-pkcs7-public-key')!.values.map((v) => (v as { value: string }).value));
    const inner = buildInnerRequest({ operation: 'Print-Job', printerUri: queue.uri, requestingUserName: 'alice', printerUuid: uuid, jobUuid: `urn:uuid:${randomUUID()}`, documentFormat: 'text/plain', jobName: 'once' });
    const envelope = await sealToBytes(Buffer.concat([encodeMessage(inner), Buffer.from('reported once\n')]), { recipients: [parseCertificate(pem)] });
    queue.offer({ jobId: 1, jobUuid: `urn:uuid:${randomUUID()}`, envelope });
    const finals = () => queue.reports.filter((r) => r.jobId === 1 && r.state >= 7);
    await waitFor('the final report', () => finals().length > 0);
    // Several quiet polls (300 ms each) and the held answer (1.5 s) pass before we count again.
    await new Promise((r) => setTimeout(r, 4000));
    expect(finals().map((r) => r.state), JSON.stringify(queue.reports)).toEqual([COMPLETED]);
  }, 90_000);
});
