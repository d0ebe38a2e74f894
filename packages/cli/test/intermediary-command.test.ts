// `tno intermediary`: first line of output is the URI served, SIGTERM ends it cleanly, --add-user
// writes a scrypt entry from a password on stdin, and bad flags fail with exit 2 and one line.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExitCode, main, type Io } from '@trustnoone/cli';
// The intermediary's own test printer and client (their dependencies resolve from that package).
import { startFakePrinter } from '../../intermediary/test/fixtures/fake-printer.js';
import { request, send } from '../../intermediary/test/fixtures/client.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

async function run(args: string[], stdinText = ''): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  stdin.end(stdinText);
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io: Io = { stdout, stderr, stdin, cwd: tmpdir(), env: {} };
  const code = await main(args, io);
  return { code, out, err };
}

describe('tno intermediary', () => {
  it('--add-user stores a scrypt hash of the password read from stdin', async () => {
    const users = join(mkdtempSync(join(tmpdir(), 'tno-cli-users-')), 'users');
    const r = await run(['intermediary', '--add-user', 'carol', '--operator', '--users', users], 's3cret\n');
    expect(r.code, r.err).toBe(ExitCode.ok);
    const text = readFileSync(users, 'utf8');
    expect(text).toMatch(/^carol:operator:scrypt\$/m);
    expect(text).not.toContain('s3cret');
  });

  it('refuses a missing or malformed --upstream with a usage error', async () => {
    const none = await run(['intermediary', '--port', '0']);
    expect(none.code).toBe(ExitCode.usage);
    expect(none.err).toMatch(/--upstream URL is required/);
    const bad = await run(['intermediary', '--upstream', 'http://x/']);
    expect(bad.code).toBe(ExitCode.usage);
    expect(bad.err).toMatch(/ipp:\/\/ or ipps:\/\//);
  });

  it('--users is read again when it changes: a user added while it runs can log in at once', async () => {
    const up = await startFakePrinter();
    const dir = mkdtempSync(join(tmpdir(), 'tno-cli-inter-users-'));
    const users = join(dir, 'users');
    expect((await run(['intermediary', '--add-user', 'alice', '--users', users], 'alice-pw\n')).code).toBe(ExitCode.ok);
    // Basic credentials need TLS (the CLI has no cleartext escape hatch), so serve ipps.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const args = ['intermediary', '--upstream', up.uri, '--port', '0', '--state', join(dir, 'state'), '--users', users, '--tls-key', join(dir, 'key.pem'), '--tls-cert', join(dir, 'cert.pem'), '--allow-cleartext'];
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(here, 'fixtures/run-tno.ts'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const uri = await firstLine(child);
      expect(uri).toMatch(/^ipps:\/\//);
      const ask = (user: string, password: string) => send(uri, request(0x000b, uri), undefined, { user, password }, { ca }).then((a) => a.status, (e: Error) => e.message);
      expect(await ask('alice', 'alice-pw')).toBe(0);
      expect(await ask('carol', 'carol-pw')).not.toBe(0);
      expect((await run(['intermediary', '--add-user', 'carol', '--users', users], 'carol-pw\n')).code).toBe(ExitCode.ok);
      expect(await ask('carol', 'carol-pw')).toBe(0);
      expect((await run(['intermediary', '--add-user', 'alice', '--users', users], 'new-pw\n')).code).toBe(ExitCode.ok);
      expect(await ask('alice', 'alice-pw')).not.toBe(0);
    } finally {
      child.kill('SIGKILL');
      await up.close();
    }
  });

  it('prints the URI it serves as its first line, relays, and exits 0 on SIGTERM', async () => {
    const up = await startFakePrinter();
    const upUri = up.uri;
    const state = mkdtempSync(join(tmpdir(), 'tno-cli-inter-'));
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(here, 'fixtures/run-tno.ts'), 'intermediary', '--upstream', upUri, '--port', '0', '--state', state], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const first = await new Promise<string>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`no first line: ${err}`)), 30_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) {
            clearTimeout(t);
            res(out.split('\n')[0]!);
          }
        });
      });
      expect(first).toMatch(/^ipp:\/\/127\.0\.0\.1:\d+\/ipp\/print$/);
      const r = await send(first, request(0x000b, first));
      expect(r.status).toBe(0);
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await up.close();
    }
  });
});

function firstLine(child: ReturnType<typeof spawn>): Promise<string> {
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise<string>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`no first line: ${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(t);
        res(out.split('\n')[0]!);
      }
    });
  });
}
