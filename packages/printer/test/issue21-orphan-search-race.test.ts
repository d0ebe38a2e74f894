/**
 * Issue 21 item 3: the orphan search. A relay whose Create-Job went upstream without an answer
 * looks for the empty job it may have left and cancels it (docs/decisions.md D8). The same user
 * creating a job at the same printer by another route (directly, here) could have it canceled by
 * mistake. The search now only considers jobs the printer made while our Create-Job could have been
 * making one (time-at-creation against job-printer-up-time, RFC 8011 §5.3.14), and cancels nothing
 * when two jobs fit (D26). A real `tno printer` answers the Get-Jobs; the relay runs in-process so
 * its Create-Job can be lost on the wire.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag } from '@trustnoone/ipp';
import { IppTransportError, ippRequest } from '@trustnoone/ipp-http';
import { httpUpstream, JobState, startIntermediary, type RunningIntermediary, type Upstream } from '@trustnoone/intermediary';
import { pwgRaster } from './support/documents.js';
import { spawnPrinter, withUri, type ChildPrinter, type ChildServer } from './support/child-printer.js';
import { a, Op, request } from './support/ipp.js';
import { manifests, sha256, submit, waitFor } from './support/chain.js';

let dir: string;
let printer: ChildPrinter;
const children: ChildServer[] = [];
const relays: RunningIntermediary[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue21-3-'));
  printer = await spawnPrinter(join(dir, 'printer'));
  children.push(printer);
}, 60_000);
afterAll(async () => {
  for (const r of relays) await r.close();
  for (const c of children) await c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** The first Create-Job is lost: before the printer saw it (`reached` false) or after it acted. */
function losingFirstCreate(inner: Upstream, reached: boolean, beforeLoss: () => Promise<void> = async () => {}): Upstream {
  let lost = false;
  return {
    uri: inner.uri,
    async send(message, data, signal) {
      if (message.code !== Op.CreateJob || lost) return inner.send(message, data, signal);
      lost = true;
      if (reached) {
        const answer = await inner.send(message, data, signal);
        answer.data.resume();
        await beforeLoss();
      }
      throw new IppTransportError('IPP_HTTP_TIMEOUT', 'the answer was lost (test)');
    },
  };
}

async function relayTo(upstream: Upstream, retryMs: number): Promise<RunningIntermediary> {
  const r = await startIntermediary({
    stateDir: join(dir, `relay-${relays.length}`),
    upstreams: [upstream],
    port: 0,
    announce: () => {},
    handleSignals: false,
    retryInitialMs: retryMs,
    retryMaxMs: retryMs,
    pollMs: 100,
  });
  relays.push(r);
  return r;
}

/** alice's Create-Job straight at the printer, with the clear job-name the relay's job carries. */
async function directCreateJob(jobName: string): Promise<number> {
  const res = await ippRequest(printer.uri, withUri(request(Op.CreateJob, [a.name('job-name', jobName)]), printer.uri));
  res.data.resume();
  expect(res.message.code).toBe(0);
  const id = res.message.groups.find((g) => g.tag === GroupTag.job)?.attributes.find((x) => x.name === 'job-id')?.values[0] as { value: number };
  return id.value;
}

async function printerJobState(id: number): Promise<number> {
  const g = await ippRequest(printer.uri, withUri(request(Op.GetJobAttributes, [a.int('job-id', id), a.kw('requested-attributes', 'job-state')]), printer.uri));
  g.data.resume();
  const v = g.message.groups.find((x) => x.tag === GroupTag.job)?.attributes.find((x) => x.name === 'job-state')?.values[0] as { value: number } | undefined;
  return v?.value ?? 0;
}

const clearJobName = (r: RunningIntermediary, id: number): string => {
  const v = r.service.table.get(id)!.job.attributes.find((x) => x.name === 'job-name')?.values[0] as { value: string } | undefined;
  return v?.value ?? 'encrypted job';
};

describe('issue 21.3: the orphan search never cancels a job the same user made by another route', () => {
  it('a job made after our lost Create-Job had failed is not taken for its orphan', async () => {
    const r = await relayTo(losingFirstCreate(httpUpstream({ uri: printer.uri }), false), 5000);
    const doc = pwgRaster({ pages: 1, width: 64, height: 64, bits: 8 });
    const id = await submit(r.uri, join(dir, 'client-a'), doc, 'issue21 after');
    await waitFor('the relay to wait for a retry of its lost Create-Job', async () => (r.service.table.get(id)?.status.forward.creating !== undefined && r.service.table.get(id)?.status.reasons.includes('connecting-to-device')) || undefined, 10_000);
    // The same user, by another route, a moment later: an empty job with the same clear name.
    await new Promise((res) => setTimeout(res, 3000));
    const direct = await directCreateJob(clearJobName(r, id));
    await waitFor(`relay job ${id} to complete`, async () => r.service.table.get(id)?.status.state === JobState.completed || undefined, 30_000);
    expect(await printerJobState(direct), 'the direct job is still waiting for its document').toBeLessThan(JobState.canceled);
    const printed = (await manifests(join(dir, 'printer'))).filter((m) => m.documentSha256 === sha256(doc));
    expect(printed.filter((m) => m.state === 'completed')).toHaveLength(1);
  }, 60_000);

  it('two empty jobs that could each be our orphan: neither is canceled, the job is printed once', async () => {
    let direct = 0;
    const upstream = losingFirstCreate(httpUpstream({ uri: printer.uri }), true, async () => {
      // In the same moments as our Create-Job, the same user makes a job directly.
      direct = await directCreateJob('encrypted job');
    });
    const r = await relayTo(upstream, 500);
    const doc = pwgRaster({ pages: 1, width: 72, height: 64, bits: 8 });
    const id = await submit(r.uri, join(dir, 'client-b'), doc, 'issue21 ambiguous');
    await waitFor(`relay job ${id} to complete`, async () => r.service.table.get(id)?.status.state === JobState.completed || undefined, 30_000);
    expect(direct).toBeGreaterThan(0);
    expect(await printerJobState(direct), 'the direct job is not canceled').toBeLessThan(JobState.canceled);
    const printed = (await manifests(join(dir, 'printer'))).filter((m) => m.documentSha256 === sha256(doc));
    expect(printed.filter((m) => m.state === 'completed')).toHaveLength(1);
  }, 60_000);
});
