/**
 * STATE/sealed-jobs/ is pruned (noticed in issue 15's round): every sealed job leaves a record of
 * its nonce, and nothing removed them. Now a job seen ending (tno print following it, tno status)
 * is marked so, and each new sealed job removes the records of jobs that ended more than 7 days
 * ago and of any job sealed more than 90 days ago. Time passing is simulated by back-dating the
 * records' own timestamps; everything else runs through `tno` as shipped.
 */
import { readdir, readFile, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';

const DAY = 24 * 3600_000;

let dir: string;
let state: string;
let printer: RunningPrinter;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-sealed-jobs-'));
  state = join(dir, 'state');
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  await writeFile(join(dir, 'memo.txt'), 'memo\n');
});

afterAll(async () => {
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Record_ {
  jobId: number;
  at: string;
  endedAt?: string;
}

async function records(): Promise<Map<number, { file: string; r: Record_ }>> {
  const d = join(state, 'sealed-jobs');
  const out = new Map<number, { file: string; r: Record_ }>();
  for (const f of await readdir(d)) {
    if (!f.endsWith('.json')) continue;
    const r = JSON.parse(await readFile(join(d, f), 'utf8')) as Record_;
    out.set(r.jobId, { file: join(d, f), r });
  }
  return out;
}

async function backdate(jobId: number, change: (r: Record_) => Record_): Promise<void> {
  const e = (await records()).get(jobId)!;
  await writeFile(e.file, `${JSON.stringify(change(e.r))}\n`);
}

async function printOne(extra: string[] = []): Promise<number> {
  const r = await tno(['print', join(dir, 'memo.txt'), '--printer', printer.uri, '--state', state, '--trust-on-first-use', '--json', ...extra]);
  expect(r.code, r.err).toBe(ExitCode.ok);
  return JSON.parse(r.out).jobId as number;
}

describe('STATE/sealed-jobs is pruned', () => {
  it('records of jobs seen ending go after 7 days, any record after 90 days; recent ones stay', async () => {
    const endedLongAgo = await printOne();
    const endedYesterday = await printOne();
    const neverSeenEnding = await printOne(['--no-wait']);
    const recent = await printOne(['--no-wait']);
    let now = await records();
    expect(now.get(endedLongAgo)!.r.endedAt, 'tno print saw the job end').toBeDefined();
    expect(now.get(neverSeenEnding)!.r.endedAt).toBeUndefined();

    // tno status sees the --no-wait job end, and says so in its record.
    await printer.printer.runtime.store.whenFinalized(recent);
    expect((await tno(['status', String(recent), '--printer', printer.uri, '--state', state])).code).toBe(ExitCode.ok);
    expect((await records()).get(recent)!.r.endedAt).toBeDefined();

    await backdate(endedLongAgo, (r) => ({ ...r, endedAt: new Date(Date.now() - 8 * DAY).toISOString() }));
    await backdate(endedYesterday, (r) => ({ ...r, endedAt: new Date(Date.now() - 1 * DAY).toISOString() }));
    await backdate(neverSeenEnding, (r) => ({ ...r, at: new Date(Date.now() - 91 * DAY).toISOString() }));

    const next = await printOne();
    now = await records();
    expect(now.has(endedLongAgo), 'ended 8 days ago').toBe(false);
    expect(now.has(neverSeenEnding), 'sealed 91 days ago').toBe(false);
    expect(now.has(endedYesterday), 'ended yesterday').toBe(true);
    expect(now.has(recent)).toBe(true);
    expect(now.has(next)).toBe(true);

    // A sealed answer about a pruned job is still given, with the unverified-job warning.
    const id = join(state, 'identity');
    const s = await tno(['status', String(endedLongAgo), '--printer', printer.uri, '--state', state, '--cert', join(id, 'cert.pem'), '--key', join(id, 'key.pem')]);
    expect(s.code, s.err).toBe(ExitCode.ok);
    expect(s.err).toMatch(/was not printed from this state directory/);
  }, 120_000);
});
