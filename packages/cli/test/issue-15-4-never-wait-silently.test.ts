/**
 * Issue 15 item 4: never wait silently. With the printer behind an intermediary down, `tno print`
 * said nothing while it waited. It must say at once that the job was accepted and what it waits
 * for (the intermediary's reason), then each phase; `--no-wait` returns the job id at once, like lp.
 */
import { PassThrough } from 'node:stream';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, main } from '@trustnoone/cli';
import { startIntermediary, type RunningIntermediary } from '@trustnoone/intermediary';
import { showFingerprint, startPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';

let dir: string;
let state: string;
let doc: string;
let inter: RunningIntermediary;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue-15-4-'));
  state = join(dir, 'state');
  doc = join(dir, 'memo.txt');
  await writeFile(doc, 'memo\n');
  // The printer runs long enough for the intermediary to learn its attributes, then goes down.
  const printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  inter = await startIntermediary({ stateDir: join(dir, 'inter'), port: 0, upstreams: [{ uri: printer.uri }], handleSignals: false, announce: () => undefined, logger: false });
  const fp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  expect((await tno(['trust', 'pin', '--printer', inter.uri, '--fingerprint', fp, '--state', state])).code).toBe(ExitCode.ok);
  await printer.close();
});

afterAll(async () => {
  await inter?.close();
  await rm(dir, { recursive: true, force: true });
});

async function until(what: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (what()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return what();
}

describe('issue 15.4: never wait silently', () => {
  it('printer down: "accepted" and "waiting ... <why>" at once; canceling ends the wait with a reason', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d) => (out += d));
    stderr.on('data', (d) => (err += d));
    const started = Date.now();
    const running = main(['print', doc, '--printer', inter.uri, '--state', state], { stdout, stderr, stdin: new PassThrough(), cwd: dir, env: {} });
    expect(await until(() => /job (\d+) waiting: .*upstream printer/.test(err), 15_000), err).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
    const jobId = /job (\d+) uploaded and accepted by /.exec(err)?.[1];
    expect(jobId, err).toBeDefined();
    expect(err).toMatch(new RegExp(`job ${jobId} waiting: waiting for the upstream printer: .+`));
    const canceled = await tno(['cancel', jobId!, '--printer', inter.uri]);
    expect(canceled.code, canceled.err).toBe(ExitCode.ok);
    const code = await running;
    expect(code).toBe(ExitCode.failure);
    expect(out).toMatch(new RegExp(`^job ${jobId} canceled: encrypted`));
    expect(err).toContain(`tno: job ${jobId} canceled`);
  });

  it('--no-wait returns the job id at once, without following', async () => {
    const r = await tno(['print', doc, '--printer', inter.uri, '--state', state, '--no-wait']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(r.out).toMatch(/^job \d+ submitted: encrypted/);
    expect(r.err).not.toContain('waiting');
  });

  it('the upload progress gives the rate and the time left', async () => {
    const big = join(dir, 'big.pdf');
    await writeFile(big, '%PDF-1.4\n'.concat('z'.repeat(6 * 1024 * 1024)));
    const r = await tno(['print', big, '--printer', inter.uri, '--state', state, '--no-wait']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(r.err).toMatch(/upload: (25|50|75)% of 6\.0 MB sent [\d.]+ MB\/s, ETA \d+ s\n/);
  });
});
