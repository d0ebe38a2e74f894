// `tno smime seal|open` as the issue specifies: DER out, exit 0 only when authentic, one-line
// reason and no output file on failure; interoperates with openssl cms in both directions.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, main, type Io } from '@trustnoone/cli';
import { certificateToPem, createCertificateAuthority, createIdentity, privateKeyToPem } from '@trustnoone/smime';

let dir: string;
const p = (name: string): string => join(dir, name);

function capture(): { io: Io; out: () => Buffer; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: Buffer[] = [];
  let e = '';
  stdout.on('data', (d: Buffer) => o.push(d));
  stderr.on('data', (d) => (e += d));
  const stdin = new PassThrough();
  stdin.end();
  return { io: { stdout, stderr, stdin, cwd: dir, env: {} }, out: () => Buffer.concat(o), err: () => e };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tno-cli-smime-'));
  const ca = createCertificateAuthority({ commonName: 'cli test CA' });
  writeFileSync(p('ca.pem'), certificateToPem(ca.certificate));
  const printer = createIdentity({ commonName: 'printer', algorithm: 'p256', ca, printerUuid: '0b6e2c1a-3f55-4c5e-9f0e-7d2f1c3b4a59' });
  writeFileSync(p('printer.pem'), certificateToPem(printer.certificate));
  writeFileSync(p('printer.key'), privateKeyToPem(printer.privateKey));
  const client = createIdentity({ commonName: 'alice', algorithm: 'ed25519', ca });
  writeFileSync(p('alice.pem'), certificateToPem(client.certificate));
  writeFileSync(p('alice.key'), privateKeyToPem(client.privateKey));
  writeFileSync(p('doc.txt'), 'hello, printer\n'.repeat(1000));
});

describe('tno smime', () => {
  it('seal --sign-cert/--sign-key then open --trust --require-signature round-trips, with --json', async () => {
    const s = capture();
    expect(await main(['smime', 'seal', '--recipient', 'printer.pem', '--sign-cert', 'alice.pem', '--sign-key', 'alice.key', '--in', 'doc.txt', '--out', 'doc.p7m'], s.io)).toBe(ExitCode.ok);
    expect(readFileSync(p('doc.p7m'))[0]).toBe(0x30);
    const o = capture();
    const code = await main(['smime', 'open', '--key', 'printer.key', '--cert', 'printer.pem', '--trust', 'ca.pem', '--require-signature', '--in', 'doc.p7m', '--out', 'doc.out', '--json'], o.io);
    expect(o.err()).toBe('');
    expect(code).toBe(ExitCode.ok);
    expect(readFileSync(p('doc.out')).equals(readFileSync(p('doc.txt')))).toBe(true);
    const summary = JSON.parse(o.out().toString()) as { authentic: boolean; signers: { subject: string; trust: string }[] };
    expect(summary.authentic).toBe(true);
    expect(summary.signers[0]).toMatchObject({ subject: 'CN=alice', trust: 'verified' });
  });

  it('open of a tampered envelope exits 4 with one line and leaves no output file', async () => {
    await main(['smime', 'seal', '--recipient', 'printer.pem', '--in', 'doc.txt', '--out', 'bad.p7m'], capture().io);
    const bytes = readFileSync(p('bad.p7m'));
    bytes[bytes.length - 100]! ^= 1;
    writeFileSync(p('bad.p7m'), bytes);
    const o = capture();
    expect(await main(['smime', 'open', '--key', 'printer.key', '--in', 'bad.p7m', '--out', 'bad.out'], o.io)).toBe(ExitCode.security);
    expect(o.err().trim().split('\n')).toHaveLength(1);
    expect(o.err()).toContain('CMS_TAG_MISMATCH');
    expect(existsSync(p('bad.out'))).toBe(false);
  });

  it('open to stdout writes nothing when the signature is required but absent', async () => {
    await main(['smime', 'seal', '--recipient', 'printer.pem', '--in', 'doc.txt', '--out', 'unsigned.p7m'], capture().io);
    const o = capture();
    expect(await main(['smime', 'open', '--key', 'printer.key', '--require-signature', '--in', 'unsigned.p7m'], o.io)).toBe(ExitCode.security);
    expect(o.out().length).toBe(0);
    expect(o.err()).toContain('CMS_SIGNATURE_MISSING');
  });

  it('openssl cms -decrypt opens what tno smime seal wrote; tno smime open opens what openssl wrote', async () => {
    await main(['smime', 'seal', '--recipient', 'printer.pem', '--cipher', 'aes-128-gcm', '--keyid', '--in', 'doc.txt', '--out', 'for-openssl.p7m'], capture().io);
    const dec = spawnSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', p('for-openssl.p7m'), '-recip', p('printer.pem'), '-inkey', p('printer.key')]);
    expect(dec.status, dec.stderr.toString()).toBe(0);
    expect(dec.stdout.equals(readFileSync(p('doc.txt')))).toBe(true);

    const enc = spawnSync('openssl', ['cms', '-encrypt', '-binary', '-aes-256-cbc', '-outform', 'DER', '-in', p('doc.txt'), '-out', p('from-openssl.p7m'), p('printer.pem')]);
    expect(enc.status, enc.stderr.toString()).toBe(0);
    const refused = capture();
    expect(await main(['smime', 'open', '--key', 'printer.key', '--in', 'from-openssl.p7m', '--out', 'x.out'], refused.io)).toBe(ExitCode.security);
    expect(existsSync(p('x.out'))).toBe(false);
    // OpenSSL's defaults: AES-CBC, and for an EC key the SHA-1 KDF; each must be allowed.
    expect(await main(['smime', 'open', '--key', 'printer.key', '--allow-cbc', '--in', 'from-openssl.p7m', '--out', 'x.out'], capture().io)).toBe(ExitCode.security);
    expect(await main(['smime', 'open', '--key', 'printer.key', '--allow-cbc', '--allow-sha1-kdf', '--in', 'from-openssl.p7m', '--out', 'x.out'], capture().io)).toBe(ExitCode.ok);
    expect(readFileSync(p('x.out')).equals(readFileSync(p('doc.txt')))).toBe(true);
  });

  it('usage errors exit 2', async () => {
    expect(await main(['smime', 'seal', '--in', 'doc.txt'], capture().io)).toBe(ExitCode.usage);
    expect(await main(['smime', 'open', '--key', 'missing.key'], capture().io)).toBe(ExitCode.usage);
    expect(await main(['smime', 'seal', '--recipient', 'doc.txt'], capture().io)).toBe(ExitCode.usage);
  });
});
