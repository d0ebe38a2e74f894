// `tno keys generate`: a CA, a printer certificate naming its urn:uuid, and a client, which openssl
// verifies and which `tno smime` then uses end to end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExitCode, main, type Io } from '@trustnoone/cli';

function io(cwd: string): { io: Io; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d) => (o += d));
  stderr.on('data', (d) => (e += d));
  const stdin = new PassThrough();
  stdin.end();
  return { io: { stdout, stderr, stdin, cwd, env: {} }, out: () => o, err: () => e };
}

describe('tno keys generate', () => {
  it('CA, printer (X25519, urn:uuid) and client (Ed25519): openssl verifies them and tno smime uses them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tno-keys-'));
    const run = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
      const c = io(dir);
      const code = await main(argv, c.io);
      return { code, out: c.out(), err: c.err() };
    };
    expect((await run('keys', 'generate', '--kind', 'ca', '--name', 'Site CA', '--algorithm', 'ed25519', '--cert', 'ca.pem', '--key', 'ca.key')).code).toBe(ExitCode.ok);
    const uuid = '3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
    const printer = await run('keys', 'generate', '--kind', 'printer', '--name', 'Printer', '--algorithm', 'x25519', '--ca-cert', 'ca.pem', '--ca-key', 'ca.key', '--printer-uuid', uuid, '--cert', 'printer.pem', '--key', 'printer.key', '--json');
    expect(printer.code, printer.err).toBe(ExitCode.ok);
    expect(JSON.parse(printer.out)).toMatchObject({ kind: 'printer', printerUuid: uuid, issuer: 'CN=Site CA' });
    expect(statSync(join(dir, 'printer.key')).mode & 0o777).toBe(0o600);
    expect((await run('keys', 'generate', '--kind', 'client', '--name', 'alice', '--algorithm', 'p256', '--ca-cert', 'ca.pem', '--ca-key', 'ca.key', '--email', 'alice@example.test', '--cert', 'alice.pem', '--key', 'alice.key')).code).toBe(ExitCode.ok);

    const verify = spawnSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'printer.pem'), join(dir, 'alice.pem')], { encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);
    const text = spawnSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', join(dir, 'printer.pem')], { encoding: 'utf8' }).stdout;
    expect(text).toContain(`URI:urn:uuid:${uuid}`);

    expect((await run('smime', 'seal', '--recipient', 'printer.pem', '--sign-cert', 'alice.pem', '--sign-key', 'alice.key', '--in', 'ca.pem', '--out', 'x.p7m')).code).toBe(ExitCode.ok);
    expect((await run('smime', 'open', '--key', 'printer.key', '--trust', 'ca.pem', '--require-signature', '--in', 'x.p7m', '--out', 'x.out')).code).toBe(ExitCode.ok);
    expect(readFileSync(join(dir, 'x.out'), 'utf8')).toBe(readFileSync(join(dir, 'ca.pem'), 'utf8'));

    const again = await run('keys', 'generate', '--kind', 'client', '--name', 'bob', '--cert', 'bob.pem', '--key', 'alice.key');
    expect(again.code).toBe(ExitCode.failure);
    expect(again.err).toContain('not replacing a private key');
    expect((await run('keys', 'generate', '--kind', 'printer', '--name', 'p', '--algorithm', 'x25519', '--cert', 'p.pem', '--key', 'p.key')).code).toBe(ExitCode.usage);
  });
});
