/**
 * Create-Job upstream whose answer is never recorded (docs/decisions.md D6): killed right after the
 * upstream made the job (fault point forward.created), or the answer lost on the wire. Either way
 * the upstream must end with exactly one job holding the document, and the empty job the first
 * Create-Job left must not stay there waiting (it is canceled). A search for such orphans must
 * never cancel a healthy job whose Create-Job is still in flight.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag } from '@trustnoone/ipp';
import { IppTransportError } from '@trustnoone/ipp-http';
import { httpUpstream, JobState, startIntermediary, type RunningIntermediary, type Upstream } from '../src/index.js';
import { discard } from '../src/upstream/client.js';
import { attr } from '../src/attrs.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { request, sealedPrintJob, send, waitFor, envelopeShaped } from './fixtures/client.js';
import { spawnIntermediary } from './fixtures/child.js';

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
const CREATE_JOB = 0x0005;

/** The upstream's jobs made since `before` (ids are increasing), as they stand now. */
const jobsSince = (before: number) => printer.jobs().filter((j) => j.id > before);
const lastId = (): number => Math.max(0, ...printer.jobs().map((j) => j.id));

function expectOneDeliveredAndOrphanCanceled(before: number, document: Uint8Array): void {
  const made = jobsSince(before);
  const withDoc = made.filter((j) => j.docs > 0);
  const empty = made.filter((j) => j.docs === 0);
  expect(withDoc, JSON.stringify(made)).toHaveLength(1);
  expect(withDoc[0]!.state).toBe(JobState.completed);
  expect(printer.deliveries.filter((d) => d.sha256 === sha(document))).toHaveLength(1);
  // The first Create-Job's job is there, but canceled: nothing is left waiting for documents.
  expect(empty, JSON.stringify(made)).toHaveLength(1);
  expect(empty[0]!.state).toBe(JobState.canceled);
}

describe('SIGKILL between the upstream Create-Job and recording its job-id', () => {
  it('after restart: one upstream job with the document, the empty one canceled', async () => {
    const state = mkdtempSync(join(tmpdir(), 'tno-create-crash-'));
    const before = lastId();
    const doc = envelopeShaped(50_000);
    const first = await spawnIntermediary(state, printer.uri, { TNO_INTERMEDIARY_FAULT: 'forward.created@1' });
    expect((await send(first.uri, sealedPrintJob(first.uri), doc)).status).toBe(0);
    await Promise.race([first.exited, new Promise((r) => setTimeout(r, 5000))]);
    const died = first.proc.signalCode !== null || first.proc.exitCode !== null;
    if (!died) first.proc.kill('SIGKILL');
    await first.exited;
    expect(died, `fault point never reached:\n${first.output()}`).toBe(true);
    // The window this test is about: the upstream has an empty job we have no record of.
    expect(jobsSince(before).map((j) => [j.docs, j.state])).toEqual([[0, JobState.pending]]);

    const second = await spawnIntermediary(state, printer.uri);
    try {
      await waitFor(async () => {
        const list = await send(second.uri, request(0x000a, second.uri, [attr.name('requesting-user-name', 'alice'), attr.keyword('which-jobs', 'not-completed')]));
        return list.message.groups.filter((g) => g.tag === GroupTag.job).length === 0;
      }, 15_000, 'the job finished');
      expectOneDeliveredAndOrphanCanceled(before, doc);
      expect(second.output()).toContain('canceled the empty upstream job');
    } finally {
      second.proc.kill('SIGTERM');
      await second.exited;
    }
  });
});

/** An upstream whose Create-Job answers can be lost (after the printer acted) or held back. */
function unreliable(inner: Upstream): Upstream & { loseNextCreate: boolean; beforeLoss: Promise<void> | undefined; holdCreates: Promise<void> | undefined } {
  const u = {
    uri: inner.uri,
    loseNextCreate: false,
    /** The lost answer's failure is reported only once this settles. */
    beforeLoss: undefined as Promise<void> | undefined,
    /** Other Create-Job answers are delivered only once this settles. */
    holdCreates: undefined as Promise<void> | undefined,
    async send(...args: Parameters<Upstream['send']>) {
      const answer = await inner.send(...args);
      if (args[0].code !== CREATE_JOB) return answer;
      if (u.loseNextCreate) {
        u.loseNextCreate = false;
        discard(answer.data);
        if (u.beforeLoss) await u.beforeLoss;
        throw new IppTransportError('IPP_HTTP_TIMEOUT', 'the answer was lost (test)');
      }
      if (u.holdCreates) await u.holdCreates;
      return answer;
    },
  };
  return u;
}

async function relay(upstream: Upstream, retryInitialMs = 20): Promise<RunningIntermediary> {
  const r = await startIntermediary({
    stateDir: mkdtempSync(join(tmpdir(), 'tno-create-lost-')),
    upstreams: [upstream],
    port: 0,
    announce: () => {},
    handleSignals: false,
    retryInitialMs,
    retryMaxMs: Math.max(100, retryInitialMs),
    pollMs: 20,
  });
  running.push(r);
  return r;
}

const stateOf = (r: RunningIntermediary, id: number) => r.service.table.get(id)?.status.state;

describe('Create-Job answer lost on the wire (no crash)', () => {
  it('the retry cancels the job the lost answer was about and delivers once', async () => {
    const up = unreliable(httpUpstream({ uri: printer.uri }));
    const r = await relay(up);
    const before = lastId();
    up.loseNextCreate = true;
    const doc = envelopeShaped(20_000);
    const id = (await send(r.uri, sealedPrintJob(r.uri), doc)).jobId!;
    await waitFor(() => stateOf(r, id) === JobState.completed, 10_000, `job ${id} completed`);
    expectOneDeliveredAndOrphanCanceled(before, doc);
    expect(r.service.table.get(id)!.status.forward.creating).toBeUndefined();
  });

  it('a client cancel while the Create-Job outcome is unknown cancels the upstream orphan too', async () => {
    const up = unreliable(httpUpstream({ uri: printer.uri }));
    const r = await relay(up, 60_000); // the retry would come only after the cancel
    const before = lastId();
    up.loseNextCreate = true;
    const id = (await send(r.uri, sealedPrintJob(r.uri), envelopeShaped(5000))).jobId!;
    await waitFor(() => r.service.table.get(id)!.status.forward.creating !== undefined && jobsSince(before).length === 1, 5000, 'Create-Job sent, answer lost');
    await waitFor(() => r.service.table.get(id)!.status.reasons.includes('connecting-to-device'), 5000, 'the job waits to retry');
    const c = await send(r.uri, request(0x0008, r.uri, [attr.integer('job-id', id), attr.name('requesting-user-name', 'alice')]));
    expect(c.status, c.statusMessage).toBe(0);
    await waitFor(() => stateOf(r, id) === JobState.canceled, 5000, `job ${id} canceled`);
    expect(jobsSince(before).map((j) => [j.docs, j.state])).toEqual([[0, JobState.canceled]]);
  });

  it('an orphan search waits for Create-Jobs in flight and never cancels a healthy job', async () => {
    const up = unreliable(httpUpstream({ uri: printer.uri }));
    const r = await relay(up);
    const before = lastId();
    let reportLoss!: () => void;
    let answerA!: () => void;
    up.beforeLoss = new Promise<void>((res) => (reportLoss = res));
    up.holdCreates = new Promise<void>((res) => (answerA = res));
    // Job B's Create-Job makes a printer job whose answer will be lost...
    up.loseNextCreate = true;
    const docB = envelopeShaped(10_000);
    const b = (await send(r.uri, sealedPrintJob(r.uri), docB)).jobId!;
    await waitFor(() => jobsSince(before).length === 1, 5000, 'job B created upstream');
    // ...then job A (same owner, same job-name) makes a newer one whose answer is not yet recorded.
    const docA = envelopeShaped(10_000);
    const a = (await send(r.uri, sealedPrintJob(r.uri), docA)).jobId!;
    await waitFor(() => jobsSince(before).length === 2, 5000, 'job A created upstream');
    // B learns of the loss and looks for its orphan while A's job is the newest empty one there.
    reportLoss();
    await new Promise((res) => setTimeout(res, 200));
    answerA();
    for (const id of [a, b]) await waitFor(() => stateOf(r, id) === JobState.completed, 10_000, `job ${id} completed`);
    const made = jobsSince(before);
    expect(made.filter((j) => j.docs > 0).map((j) => j.state)).toEqual([JobState.completed, JobState.completed]);
    expect(made.filter((j) => j.docs === 0).map((j) => j.state)).toEqual([JobState.canceled]);
    expect(made[0]!.state, 'the canceled job is B\'s orphan, the first one made').toBe(JobState.canceled);
    for (const d of [docA, docB]) expect(printer.deliveries.filter((x) => x.sha256 === sha(d))).toHaveLength(1);
  });
});
