/**
 * Issue 12 item 6: the disk fills up while several uploads are being committed at once. The
 * failure comes after the document is staged (fault point commit.staged throws ENOSPC for every
 * other commit), which used to answer 0x0500 internal-error and leave the half-built job directory
 * in spool/tmp until the next start. Every client must now get either success or
 * server-error-temporary-error naming the full spool, tmp/ must be empty, and every acknowledged
 * job must still be delivered.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobState, startIntermediary, type FaultHook, type RunningIntermediary } from '../src/index.js';
import { attr } from '../src/attrs.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { envelopeShaped, request, sealedPrintJob, send, waitFor } from './fixtures/client.js';

let printer: FakePrinter;
const running: RunningIntermediary[] = [];
beforeAll(async () => {
  printer = await startFakePrinter();
});
afterAll(async () => {
  for (const r of running) await r.close();
  await printer?.close();
});

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Every other commit finds the disk full right after staging its job directory. */
function fullEveryOtherCommit(): FaultHook & { failed: number } {
  let n = 0;
  const hook = {
    failed: 0,
    hit(point: string) {
      if (point !== 'commit.staged' || n++ % 2 === 0) return;
      hook.failed++;
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
  };
  return hook;
}

describe('issue 12.6: disk full under concurrent uploads', () => {
  it('answers server-error-temporary-error (never 0x0500), leaves nothing in spool/tmp, delivers what it acknowledged', async () => {
    const state = mkdtempSync(join(tmpdir(), 'tno-disk-full-'));
    const faults = fullEveryOtherCommit();
    const r = await startIntermediary({ stateDir: state, upstreams: [{ uri: printer.uri }], port: 0, announce: () => {}, handleSignals: false, retryInitialMs: 20, pollMs: 20, faults });
    running.push(r);
    const docs = Array.from({ length: 8 }, () => envelopeShaped(300_000));
    const answers = await Promise.all(docs.map((d) => send(r.uri, sealedPrintJob(r.uri), d)));
    // A multi-document job: its second document's commit is refused the same way.
    const created = await send(r.uri, request(0x0005, r.uri, [attr.name('requesting-user-name', 'alice'), attr.name('job-name', 'encrypted job')]));
    const sendDoc = (last: boolean) =>
      send(
        r.uri,
        request(0x0006, r.uri, [attr.integer('job-id', created.jobId!), attr.name('requesting-user-name', 'alice'), attr.boolean('last-document', last), attr.mimeMediaType('document-format', 'application/pkcs7-mime')]),
        envelopeShaped(50_000),
      );
    const more = [await sendDoc(false), await sendDoc(true)];
    const statuses = [...answers, created, ...more].map((a) => a.status);
    expect(statuses.filter((s) => s !== 0 && s !== 0x0505), statuses.map((s) => s.toString(16)).join()).toEqual([]);
    expect(faults.failed).toBeGreaterThan(0);
    for (const a of [...answers, created, ...more].filter((x) => x.status === 0x0505)) expect(a.statusMessage).toMatch(/out of space/);
    const acked = docs.filter((_, i) => answers[i]!.status === 0).map(sha);
    await waitFor(() => acked.every((h) => printer.deliveries.some((d) => d.sha256 === h)), 15_000, 'acknowledged jobs delivered');
    for (const a of answers.filter((x) => x.status === 0)) await waitFor(() => r.service.table.get(a.jobId!)?.status.state === JobState.completed, 15_000, `job ${a.jobId} completed`);
    // Once it stops writing, the spool holds only committed jobs.
    await r.close();
    expect(readdirSync(join(state, 'spool', 'tmp'))).toEqual([]);
    // No job directory holds a document its job.json does not list.
    for (const id of readdirSync(join(state, 'spool', 'jobs'))) {
      const files = readdirSync(join(state, 'spool', 'jobs', id));
      expect(files.filter((f) => f.endsWith('.tmp')), `job ${id}`).toEqual([]);
      const listed = r.service.table.get(Number(id))!.job.documents.map((d) => `doc-${d.number}.blob`);
      // (a delivered job's blobs are already dropped, so listed ones may be missing, never extra)
      expect(files.filter((f) => f.startsWith('doc-') && !listed.includes(f)), `job ${id}`).toEqual([]);
    }
  });
});
