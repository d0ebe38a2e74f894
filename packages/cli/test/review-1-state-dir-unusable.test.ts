/**
 * Review item 1: a state directory that cannot be created (`--state /proc/x`: procfs answers ENOENT
 * for a new entry under a directory that exists, and node's recursive mkdir retries that forever)
 * made `tno printer --show-fingerprint` and every other command that keeps state spin for ever.
 * Each must end promptly with CLIENT_STATE_DIR naming the directory. The commands run as child
 * processes through the shipped argument handling, each killed after a limit so a hang fails the
 * test instead of the run.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { showFingerprint } from '@trustnoone/printer';
import { startCliServer, type CliServer } from './support/cli-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const LIMIT_MS = 20_000;

interface Ran {
  code: number | null;
  out: string;
  err: string;
  hung: boolean;
}

function tnoChild(args: readonly string[]): Promise<Ran> {
  return new Promise((res) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(here, 'fixtures/run-tno.ts'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let hung = false;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const t = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, LIMIT_MS);
    child.on('exit', (code) => {
      clearTimeout(t);
      res({ code, out, err, hung });
    });
  });
}

let dir: string;
let printer: CliServer;
let ca: string;
let fingerprint: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-review-1-'));
  ca = join(dir, 'ca.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', ca, '-subj', '/CN=review-1 CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE'], { stdio: 'ignore' });
  printer = await startCliServer(['printer', '--port', '0', '--state', join(dir, 'printer')]);
  fingerprint = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
}, 60_000);

afterAll(async () => {
  await printer?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Fails with CLIENT_STATE_DIR naming `state` (or the subdirectory it wanted there), well before the limit. */
function expectStateDirError(r: Ran, state: string): void {
  expect(r.hung, `killed after ${LIMIT_MS} ms: ${r.err}`).toBe(false);
  expect(r.code, r.err).toBe(ExitCode.failure);
  expect(r.err).toMatch(new RegExp(`^tno: state directory ${state}(/[a-z-]+)? cannot be used: .*; choose a directory you can write`, 'm'));
  // Commands with --json say the code on stdout; the servers have no --json.
  if (r.out !== '') expect((JSON.parse(r.out) as { error: { code: string } }).error.code).toBe('CLIENT_STATE_DIR');
}

describe('review item 1: an unusable --state directory fails with a coded error naming it', () => {
  const server: [string, (state: string) => string[]][] = [
    ['printer --show-fingerprint', (s) => ['printer', '--show-fingerprint', '--state', s, '--json']],
    ['printer --show-tls-fingerprint', (s) => ['printer', '--show-tls-fingerprint', '--state', s, '--json']],
    ['printer (serving)', (s) => ['printer', '--port', '0', '--state', s, '--json']],
    ['intermediary', (s) => ['intermediary', '--upstream', 'ipp://127.0.0.1:9/ipp/print', '--port', '0', '--state', s]],
    ['pool-ledger', (s) => ['pool-ledger', '--port', '0', '--tls-cert', ca, '--tls-key', join(dir, 'ca.key'), '--members-ca', ca, '--state', s]],
  ];
  it.concurrent.each(server)('%s --state /proc/x', async (_name, args) => {
    expectStateDirError(await tnoChild(args('/proc/x')), '/proc/x');
  }, LIMIT_MS + 10_000);

  it.concurrent('printer --show-fingerprint: a directory that exists but takes no entries (/proc/1)', async () => {
    expectStateDirError(await tnoChild(['printer', '--show-fingerprint', '--state', '/proc/1', '--json']), '/proc/1');
  }, LIMIT_MS + 10_000);

  it.concurrent('trust pin --printer (writes the pin after asking a real printer)', async () => {
    expectStateDirError(await tnoChild(['trust', 'pin', '--printer', printer.uri, '--fingerprint', fingerprint, '--state', '/proc/x/state', '--json']), '/proc/x/state');
  }, LIMIT_MS + 10_000);

  it.concurrent('printer add (saves printers.json)', async () => {
    expectStateDirError(await tnoChild(['printer', 'add', 'office', printer.uri, '--state', '/proc/x', '--json']), '/proc/x');
  }, LIMIT_MS + 10_000);

  it.concurrent('trust pin --anchor (writes the anchor)', async () => {
    expectStateDirError(await tnoChild(['trust', 'pin', '--anchor', ca, '--state', '/proc/x', '--json']), '/proc/x');
  }, LIMIT_MS + 10_000);
});
