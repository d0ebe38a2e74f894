/**
 * Loses nothing (issue 5): the intermediary runs as a child process and SIGKILLs itself at a named
 * point (TNO_INTERMEDIARY_FAULT) during upload, commit or forwarding; it is restarted on the same
 * state, and then every job the client saw acknowledged is delivered upstream exactly once, nothing
 * half-written is visible, and nothing is delivered twice. Bounded: ~12 kill points, 3 jobs each.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { sealedPrintJob, send, waitFor, request, envelopeShaped } from './fixtures/client.js';
import { spawnIntermediary } from './fixtures/child.js';
import { attr, integerValue } from '../src/attrs.js';
import { GroupTag } from '@trustnoone/ipp';

let printer: FakePrinter;
beforeAll(async () => {
  printer = await startFakePrinter();
});
afterAll(async () => {
  await printer?.close();
});

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const KILL_POINTS = [
  'upload.chunk@2',
  'upload.chunk@5',
  'upload.synced@2',
  'commit.staged@1',
  'commit.renamed@2',
  'respond.before@1',
  'forward.created@1',
  'forward.recorded@2',
  'forward.sending@1',
  'forward.sent@1',
  'forward.sent@3',
  'forward.done@2',
];

describe('SIGKILL at every step of a job, then restart', () => {
  for (const point of KILL_POINTS) {
    it(`killed at ${point}: acknowledged jobs delivered exactly once, nothing half-written`, async () => {
      const state = mkdtempSync(join(tmpdir(), 'tno-crash-'));
      // 600 kB: three spool writes each (256 KiB batches); upload.chunk@2 and @5 fire inside the uploads of jobs 1 and 2.
      const docs = [0, 1, 2].map(() => envelopeShaped(600_000));
      const sent = new Set(docs.map(sha));
      const before = printer.deliveries.length;
      const first = await spawnIntermediary(state, printer.uri, { TNO_INTERMEDIARY_FAULT: point });
      const acked: string[] = [];
      for (const d of docs) {
        try {
          const a = await send(first.uri, sealedPrintJob(first.uri), d);
          if (a.status === 0) acked.push(sha(d));
        } catch {
          break; // the process died under us: this job was not acknowledged
        }
      }
      // Forwarding faults fire after the answers; give the point a moment to be reached.
      await Promise.race([first.exited, new Promise((r) => setTimeout(r, 1500))]);
      const died = first.proc.exitCode !== null || first.proc.signalCode !== null;
      if (!died) first.proc.kill('SIGKILL');
      await first.exited;
      expect(died, `fault point ${point} was never reached:\n${first.output()}`).toBe(true);

      const second = await spawnIntermediary(state, printer.uri);
      try {
        await waitFor(() => acked.every((h) => printer.deliveries.slice(before).some((d) => d.sha256 === h)), 15_000, `delivery of ${acked.length} acknowledged jobs`);
        // Let any duplicate that would follow show itself, and jobs reach completed.
        await waitFor(async () => {
          const list = await send(second.uri, request(0x000a, second.uri, [attr.name('requesting-user-name', 'alice'), attr.keyword('which-jobs', 'not-completed')]));
          return list.message.groups.filter((g) => g.tag === GroupTag.job).length === 0;
        }, 15_000, 'all jobs finished');
        const mine = printer.deliveries.slice(before);
        for (const h of acked) expect(mine.filter((d) => d.sha256 === h), `acknowledged ${h.slice(0, 8)}`).toHaveLength(1);
        for (const d of mine) {
          expect(sent.has(d.sha256), 'a delivery that is not exactly a document the client sent').toBe(true);
          expect(mine.filter((x) => x.sha256 === d.sha256)).toHaveLength(1);
        }
        const all = await send(second.uri, request(0x000a, second.uri, [attr.name('requesting-user-name', 'alice'), attr.keyword('which-jobs', 'all'), attr.keyword('requested-attributes', 'job-id', 'job-state')]));
        const states = all.message.groups.filter((g) => g.tag === GroupTag.job).map((g) => integerValue(g.attributes.find((a) => a.name === 'job-state')));
        expect(states.every((s) => s === 9), `job states ${states.join(',')}`).toBe(true);
        expect(states.length).toBeGreaterThanOrEqual(acked.length);
        expect(readdirSync(join(state, 'spool', 'tmp'))).toEqual([]);
      } finally {
        second.proc.kill('SIGTERM');
        await second.exited;
      }
    });
  }
});

/** Create-Job, then documents one by one: the addDocument commit path and multi-document forwarding. */
const MULTI_KILL_POINTS = ['commit.staged@2', 'commit.renamed@3', 'forward.sent@2', 'forward.recorded@1'];

describe('SIGKILL during a multi-document job (Create-Job + Send-Document), then restart', () => {
  for (const point of MULTI_KILL_POINTS) {
    it(`killed at ${point}: every acknowledged document delivered once, in order`, async () => {
      const state = mkdtempSync(join(tmpdir(), 'tno-crash-multi-'));
      const docs = [0, 1, 2].map(() => envelopeShaped(300_000));
      const before = printer.deliveries.length;
      const first = await spawnIntermediary(state, printer.uri, { TNO_INTERMEDIARY_FAULT: point });
      const acked: string[] = [];
      let jobId: number | undefined;
      try {
        const c = await send(first.uri, request(0x0005, first.uri, [attr.name('requesting-user-name', 'alice'), attr.name('job-name', 'encrypted job')]));
        jobId = c.jobId;
        for (const [i, d] of docs.entries()) {
          const s = await send(
            first.uri,
            request(0x0006, first.uri, [
              attr.integer('job-id', jobId!),
              attr.name('requesting-user-name', 'alice'),
              attr.boolean('last-document', i === docs.length - 1),
              attr.mimeMediaType('document-format', 'application/pkcs7-mime'),
            ]),
            d,
          );
          if (s.status !== 0) break;
          acked.push(sha(d));
        }
      } catch {
        // the process died under us
      }
      await Promise.race([first.exited, new Promise((r) => setTimeout(r, 1500))]);
      const died = first.proc.exitCode !== null || first.proc.signalCode !== null;
      if (!died) first.proc.kill('SIGKILL');
      await first.exited;
      expect(died, `fault point ${point} was never reached:\n${first.output()}`).toBe(true);

      const second = await spawnIntermediary(state, printer.uri);
      try {
        if (jobId !== undefined && acked.length < docs.length) {
          // The client learns of the crash and closes the job with what was acknowledged.
          await send(second.uri, request(0x003b, second.uri, [attr.integer('job-id', jobId), attr.name('requesting-user-name', 'alice')])).catch(() => undefined);
        }
        await waitFor(() => acked.every((h) => printer.deliveries.slice(before).some((d) => d.sha256 === h)), 15_000, `delivery of ${acked.length} documents`);
        await waitFor(async () => {
          const list = await send(second.uri, request(0x000a, second.uri, [attr.name('requesting-user-name', 'alice'), attr.keyword('which-jobs', 'not-completed')]));
          return list.message.groups.filter((g) => g.tag === GroupTag.job).length === 0;
        }, 15_000, 'job finished');
        const mine = printer.deliveries.slice(before).map((d) => d.sha256);
        // Exactly the acknowledged documents, once each, in the order sent (a document committed
        // just before the crash but not acknowledged may follow them).
        expect(mine.slice(0, acked.length)).toEqual(acked);
        expect(new Set(mine).size).toBe(mine.length);
        const sent = docs.map(sha);
        for (const h of mine) expect(sent).toContain(h);
      } finally {
        second.proc.kill('SIGTERM');
        await second.exited;
      }
    });
  }
});
