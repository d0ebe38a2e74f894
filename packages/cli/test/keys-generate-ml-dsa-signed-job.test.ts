// Issue 18 (ML-DSA): `tno keys generate --alg ml-dsa-65` makes an ML-DSA CA and a client signing
// identity it issues (RFC 9881), and a job signed with it (RFC 9882) is verified by the real
// printer emulator, which requires a signature chaining to that CA. A self-signed ML-DSA client
// and an unsigned job are refused. No openssl interop: OpenSSL 3.0 (Debian 12) has no ML-DSA.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { loadSigningKey, MlDsaPrivateKey, parseCertificate } from '@trustnoone/smime';
import { tno } from './helpers.js';

let dir: string;
let printer: RunningPrinter;
let doc: string;
const at = (f: string): string => join(dir, f);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-ml-dsa-'));
  const ca = await tno(['keys', 'generate', '--kind', 'ca', '--name', 'Site ML-DSA CA', '--alg', 'ml-dsa-65', '--cert', at('ca.pem'), '--key', at('ca.key')]);
  expect(ca.code, ca.err).toBe(ExitCode.ok);
  printer = await startPrinter({ stateDir: at('printer'), port: 0, logger: false, requireSignature: true, trustAnchorsPem: [await readFile(at('ca.pem'), 'utf8')] });
  doc = at('memo.txt');
  await writeFile(doc, 'signed with ML-DSA\n');
});

afterAll(async () => {
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('tno keys generate --kind client --alg ml-dsa-65, and a signed job the printer verifies', () => {
  it('issues an ML-DSA-65 client certificate from the ML-DSA CA, key in the RFC 9881 seed form', async () => {
    const made = await tno(['keys', 'generate', '--kind', 'client', '--name', 'alice', '--alg', 'ml-dsa-65', '--ca-cert', at('ca.pem'), '--ca-key', at('ca.key'), '--cert', at('alice.pem'), '--key', at('alice.key'), '--json']);
    expect(made.code, made.err).toBe(ExitCode.ok);
    expect(JSON.parse(made.out)).toMatchObject({ kind: 'client', algorithm: 'ml-dsa-65', subject: 'CN=alice', issuer: 'CN=Site ML-DSA CA' });
    expect(statSync(at('alice.key')).mode & 0o777).toBe(0o600);
    const cert = parseCertificate(await readFile(at('alice.pem'), 'utf8'));
    expect(cert.keyKind).toBe('ml-dsa-65');
    expect(cert.keyUsage).toEqual(new Set([0])); // digitalSignature only
    const key = loadSigningKey(await readFile(at('alice.key'), 'utf8'));
    expect(key).toBeInstanceOf(MlDsaPrivateKey);
    expect((key as MlDsaPrivateKey).seed?.length).toBe(32);
    expect(parseCertificate(await readFile(at('ca.pem'), 'utf8'))).toMatchObject({ keyKind: 'ml-dsa-65', isCA: true });
  });

  it('a job signed with it completes on a printer that requires a signature chaining to the CA', async () => {
    const r = await tno(['print', doc, '--printer', printer.uri, '--state', at('state-alice'), '--trust-on-first-use', '--sign-key', at('alice.key'), '--sign-cert', at('alice.pem'), '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(JSON.parse(r.out)).toMatchObject({ state: 'completed', encrypted: true, signed: true });
  });

  it('the same printer refuses a job signed by a self-signed ML-DSA key, and an unsigned job', async () => {
    const made = await tno(['keys', 'generate', '--kind', 'client', '--name', 'mallory', '--alg', 'ml-dsa-65', '--cert', at('mallory.pem'), '--key', at('mallory.key')]);
    expect(made.code, made.err).toBe(ExitCode.ok);
    const forged = await tno(['print', doc, '--printer', printer.uri, '--state', at('state-mallory'), '--trust-on-first-use', '--sign-key', at('mallory.key'), '--sign-cert', at('mallory.pem'), '--json']);
    expect(forged.code, forged.out).not.toBe(ExitCode.ok);
    expect(forged.err).toContain('client-error-document-security-error');
    const unsigned = await tno(['print', doc, '--printer', printer.uri, '--state', at('state-unsigned'), '--trust-on-first-use', '--json']);
    expect(unsigned.code, unsigned.out).not.toBe(ExitCode.ok);
    expect(unsigned.err).toContain('client-error-document-security-error');
  });
});
