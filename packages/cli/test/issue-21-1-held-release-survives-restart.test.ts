/**
 * Issue 21 item 1: a job held for its release code (PIN release) must survive a printer restart,
 * and so must the count of wrong codes typed for it. Before the fix a clean stop aborted every held
 * job, and the wrong-attempt count lived only in memory: a restart gave a guesser five fresh tries.
 *
 * The printer runs as the CLI ships it (`tno printer` in a child process, default --pin-attempts 5),
 * is stopped with SIGKILL or SIGTERM and started again on the same state directory; codes are typed
 * through its panel as an operator would (`tno printer release`, code in TNO_PIN).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { print, TrustStore } from '@trustnoone/client';
import { ExitCode } from '@trustnoone/cli';
import { tno } from './helpers.js';
import { startCliServer, type CliServer } from './support/cli-server.js';

const PIN = '482916';
const SECRET = 'held-release canary 7f3a: salaries by name';

let dir: string;
let running: CliServer[] = [];

afterEach(async () => {
  for (const s of running) await s.stop();
  running = [];
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function printer(state: string, port = 0): Promise<CliServer> {
  const s = await startCliServer(['printer', '--state', state, '--port', String(port)]);
  running.push(s);
  return s;
}

async function stop(s: CliServer, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  const gone = new Promise<void>((r) => (s.alive() ? s.child.once('exit', () => r()) : r()));
  s.child.kill(signal);
  await gone;
}

async function held(state: string): Promise<number[]> {
  const r = await tno(['printer', 'held', '--state', state, '--json']);
  return r.code === ExitCode.ok ? (JSON.parse(r.out) as { jobs: number[] }).jobs : [];
}

async function waitFor(what: string, cond: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sends a sealed job behind PIN to the printer and returns its printer job id once held. */
async function submitHeld(uri: string, state: string): Promise<number> {
  const doc = join(dir, 'salaries.txt');
  await writeFile(doc, `${SECRET}\n`.repeat(10));
  const r = await print({ printer: uri, documents: [{ path: doc }], pin: PIN, trust: { store: new TrustStore(join(dir, 'client')), firstUse: 'accept' }, userName: 'alice' });
  expect(r.encrypted).toBe(true);
  await waitFor('the job to be held', async () => (await held(state)).includes(r.jobId));
  return r.jobId;
}

const release = (state: string, id: number, pin: string) => tno(['printer', 'release', String(id), '--state', state, '--json'], { TNO_PIN: pin });

function manifest(state: string, id: number): { state: string; stateReasons: string[]; pageCount?: number } | undefined {
  const f = join(state, 'jobs', String(id), 'manifest.json');
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : undefined;
}

function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((f) => join(root, f))
    .filter((f) => statSync(f).isFile());
}

describe('issue 21.1: held release jobs survive a printer restart', () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`held, restarted (${signal}), released with the right code: it prints`, async () => {
      dir = await mkdtemp(join(tmpdir(), 'tno-21-1-'));
      const state = join(dir, 'printer');
      const first = await printer(state);
      const id = await submitHeld(first.uri, state);
      expect((await release(state, id, '000000')).code).toBe(ExitCode.security);
      await stop(first, signal);
      // Stopped: only ciphertext of the job is on disk (the PIN layer inside the printer envelope).
      for (const f of filesUnder(join(state, 'jobs', String(id)))) expect(readFileSync(f).includes(SECRET), f).toBe(false);

      await printer(state);
      await waitFor('the job to be held again', async () => (await held(state)).includes(id));
      const wrong = await release(state, id, '111111');
      expect(wrong.code).toBe(ExitCode.security);
      expect(wrong.err).toMatch(/3 attempts left/); // 5 − the one before the restart − this one
      const ok = await release(state, id, PIN);
      expect(ok.code, ok.err).toBe(ExitCode.ok);
      await waitFor('the job to complete', () => manifest(state, id)?.state === 'completed');
      expect(manifest(state, id)!.pageCount).toBeGreaterThan(0);
      const left = readdirSync(join(state, 'jobs', String(id)));
      expect(left.filter((f) => ['spool', 'private', 'job.json', 'release.json'].includes(f) || f.endsWith('.tmp'))).toEqual([]);
    }, 90_000);
  }

  it('3 wrong codes, restart (SIGKILL), 2 more wrong codes: locked out, ciphertext deleted', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tno-21-1-'));
    const state = join(dir, 'printer');
    const first = await printer(state);
    const id = await submitHeld(first.uri, state);
    for (const pin of ['111111', '222222', '333333']) expect((await release(state, id, pin)).code).toBe(ExitCode.security);
    await stop(first, 'SIGKILL');

    await printer(state);
    await waitFor('the job to be held again', async () => (await held(state)).includes(id));
    const fourth = await release(state, id, '444444');
    expect(fourth.err).toMatch(/1 attempt left/);
    const fifth = await release(state, id, '555555');
    expect(fifth.code).toBe(ExitCode.security);
    expect(fifth.err).toMatch(/too many attempts/);
    await waitFor('the manifest', () => manifest(state, id) !== undefined);
    expect(manifest(state, id)).toMatchObject({ state: 'aborted' });
    expect(manifest(state, id)!.stateReasons).toContain('document-password-error');
    // The right code no longer opens anything, and nothing of the job's ciphertext is left.
    expect((await release(state, id, PIN)).code).not.toBe(ExitCode.ok);
    const left = readdirSync(join(state, 'jobs', String(id)));
    expect(left.filter((f) => ['spool', 'private', 'job.json', 'release.json'].includes(f))).toEqual([]);
  }, 90_000);
});
