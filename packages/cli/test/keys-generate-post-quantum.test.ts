// Issue 18: `tno keys generate --kind printer --alg ml-kem-768 | x25519-ml-kem-768`: a CA-issued
// post-quantum printer certificate (OpenSSL, through node's X509Certificate, checks the P-256 CA's
// signature on it) whose key `tno smime` then seals to and opens with, end to end through the
// command. `openssl verify` itself cannot be used: OpenSSL 3.0 fails to decode an ML-KEM
// SubjectPublicKeyInfo and so never builds the chain, although the signature is the CA's.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExitCode, main, type Io } from '@trustnoone/cli';
import { createCertificateAuthority, parseCertificate } from '@trustnoone/smime';

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

describe('tno keys generate --alg (post-quantum printers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tno-keys-pq-'));
  const run = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
    const c = io(dir);
    const code = await main(argv, c.io);
    return { code, out: c.out(), err: c.err() };
  };

  for (const [alg, keyKind] of [['x25519-ml-kem-768', 'mlkem768-x25519'], ['ml-kem-768', 'ml-kem-768']] as const) {
    it(`--alg ${alg}: a CA-issued certificate for keyEncipherment, and tno smime seals to it and opens with its key`, async () => {
      if (alg === 'x25519-ml-kem-768') expect((await run('keys', 'generate', '--kind', 'ca', '--name', 'Site CA', '--cert', 'ca.pem', '--key', 'ca.key')).code).toBe(ExitCode.ok);
      const made = await run('keys', 'generate', '--kind', 'printer', '--name', `Printer ${alg}`, '--alg', alg, '--ca-cert', 'ca.pem', '--ca-key', 'ca.key', '--cert', `${alg}.pem`, '--key', `${alg}.key`, '--json');
      expect(made.code, made.err).toBe(ExitCode.ok);
      expect(JSON.parse(made.out)).toMatchObject({ kind: 'printer', algorithm: alg, issuer: 'CN=Site CA' });
      expect(statSync(join(dir, `${alg}.key`)).mode & 0o777).toBe(0o600);
      const cert = parseCertificate(readFileSync(join(dir, `${alg}.pem`), 'utf8'));
      expect(cert.keyKind).toBe(keyKind);
      expect(cert.keyUsage).toEqual(new Set([2]));
      const x509 = new X509Certificate(readFileSync(join(dir, `${alg}.pem`)));
      const caX509 = new X509Certificate(readFileSync(join(dir, 'ca.pem')));
      expect(x509.checkIssued(caX509) && x509.verify(caX509.publicKey), 'signed by the CA').toBe(true);
      expect(x509.verify(createCertificateAuthority({ commonName: 'Other CA' }).certificate.publicKey), 'another CA').toBe(false);

      writeFileSync(join(dir, 'job.txt'), `a job for ${alg}`);
      const sealed = await run('smime', 'seal', '--recipient', `${alg}.pem`, '--in', 'job.txt', '--out', `${alg}.der`);
      expect(sealed.code, sealed.err).toBe(ExitCode.ok);
      const opened = await run('smime', 'open', '--key', `${alg}.key`, '--cert', `${alg}.pem`, '--in', `${alg}.der`, '--out', `${alg}.out`);
      expect(opened.code, opened.err).toBe(ExitCode.ok);
      expect(readFileSync(join(dir, `${alg}.out`), 'utf8')).toBe(`a job for ${alg}`);
    });
  }

  it('refuses a post-quantum CA, and a self-signed post-quantum certificate', async () => {
    const ca = await run('keys', 'generate', '--kind', 'ca', '--name', 'PQ CA', '--alg', 'ml-kem-768', '--cert', 'x.pem', '--key', 'x.key');
    expect(ca.code).toBe(ExitCode.usage);
    expect(ca.err).toMatch(/cannot sign/);
    const self = await run('keys', 'generate', '--kind', 'printer', '--name', 'P', '--alg', 'x25519-ml-kem-768', '--cert', 'y.pem', '--key', 'y.key');
    expect(self.code).toBe(ExitCode.usage);
    expect(self.err).toMatch(/--ca-cert/);
  });
});
