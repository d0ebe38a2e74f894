/**
 * `tno print --release-pin` (code from TNO_PIN) through an intermediary, then the printer's panel
 * from another tno process: `tno printer held` and `tno printer release JOB-ID` over the running
 * printer's Unix socket in its state directory (never the network).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { startIntermediary, type RunningIntermediary } from '@trustnoone/intermediary';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';

let dir: string;
let printer: RunningPrinter;
let inter: RunningIntermediary;
let state: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-rpin-'));
  state = join(dir, 'p');
  printer = await startPrinter({ stateDir: state, port: 0, logger: false, panelSocket: join(state, 'panel.sock') });
  inter = await startIntermediary({ stateDir: join(dir, 'i'), port: 0, upstreams: [{ uri: printer.uri }], handleSignals: false, announce: () => undefined, logger: false });
  await writeFile(join(dir, 'doc.txt'), 'held until the right code\n');
});

afterAll(async () => {
  await inter?.close();
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

async function waitForHeld(): Promise<number> {
  const until = Date.now() + 20_000;
  for (;;) {
    const r = await tno(['printer', 'held', '--state', state, '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    const jobs = (JSON.parse(r.out) as { jobs: number[] }).jobs;
    if (jobs.length > 0) return jobs[jobs.length - 1]!;
    if (Date.now() > until) throw new Error('no job became held');
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe('tno print --release-pin and tno printer release', () => {
  it('without TNO_PIN, --release-pin is a usage error', async () => {
    const r = await tno(['print', join(dir, 'doc.txt'), '--printer', inter.uri, '--state', join(dir, 'c'), '--trust-on-first-use', '--release-pin']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toContain('TNO_PIN');
  });

  it('the job is held; a wrong code exits with the security status; the right one releases it', async () => {
    const r = await tno(['print', join(dir, 'doc.txt'), '--printer', inter.uri, '--state', join(dir, 'c'), '--trust-on-first-use', '--release-pin'], { TNO_PIN: '2468' });
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(r.out).toContain('held at the printer');
    const id = await waitForHeld();

    const wrong = await tno(['printer', 'release', String(id), '--state', state], { TNO_PIN: '1357' });
    expect(wrong.code).toBe(ExitCode.security);
    expect(wrong.err).toContain('4 attempts left');
    expect(wrong.err).not.toContain('1357');

    const right = await tno(['printer', 'release', String(id), '--state', state], { TNO_PIN: '2468' });
    expect(right.code, right.err).toBe(ExitCode.ok);
    expect(right.out).toContain(`job ${id} released`);
    const job = printer.printer.runtime.store.get(id)!;
    const until = Date.now() + 20_000;
    while (job.state !== 'completed' && Date.now() < until) await new Promise((res) => setTimeout(res, 25));
    expect(job.state).toBe('completed');

    const again = await tno(['printer', 'release', String(id), '--state', state], { TNO_PIN: '2468' });
    expect(again.code).toBe(ExitCode.usage);
  });

  it('no printer on that state directory: unreachable', async () => {
    const r = await tno(['printer', 'release', '1', '--state', join(dir, 'nothing')], { TNO_PIN: '2468' });
    expect(r.code).toBe(ExitCode.unreachable);
  });
});
