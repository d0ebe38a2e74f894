// sealFile and openFile, the file-to-file paths (reused or owned read buffers, released after use):
// their envelopes are the same format seal() writes, so openssl and open() read them, openFile reads
// openssl's and checks the tag before anything is released, at every chunk boundary; failures
// leave no file behind.
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CmsErrorCode, isCmsError, open, openFile, openToFile, sealFile } from '@trustnoone/smime';
import { createTestPki, type TestPki } from './helpers/pki.js';
import { opensslOk } from './helpers/openssl.js';
import { existsSync } from 'node:fs';

let pki: TestPki;
let dir: string;
const MiB = 1024 * 1024;
const input = (name: string, size: number): { path: string; data: Buffer } => {
  const data = randomFillSync(Buffer.alloc(size));
  const path = join(dir, name);
  writeFileSync(path, data);
  return { path, data };
};

beforeAll(() => {
  pki = createTestPki();
  dir = mkdtempSync(join(tmpdir(), 'tno-sealfile-'));
});

describe('sealFile', () => {
  // empty, shorter than a chunk, exactly one and two chunks, chunks plus a tail
  for (const size of [0, 1000, MiB, 2 * MiB, 3 * MiB + 12345]) {
    it(`${size} bytes: openssl cms -decrypt and openToFile restore the file`, async () => {
      const { path, data } = input(`in-${size}`, size);
      const env = join(dir, `env-${size}.p7m`);
      await sealFile(path, env, { recipients: [pki.ids.p256.certificate] });
      const out = opensslOk(['cms', '-decrypt', '-inform', 'DER', '-in', env, '-recip', pki.ids.p256.certPath, '-inkey', pki.ids.p256.keyPath]);
      expect(out.equals(data)).toBe(true);
      const back = join(dir, `back-${size}`);
      await openToFile(readFileSync(env), back, { privateKey: pki.ids.p256.privateKey });
      expect(readFileSync(back).equals(data)).toBe(true);
    });
  }

  it('signed, with a small segment size: open verifies the signer', async () => {
    const { path, data } = input('in-signed', 2 * MiB + 7);
    const env = join(dir, 'env-signed.p7m');
    const s = pki.ids.p384;
    await sealFile(path, env, { recipients: [pki.ids.rsa.certificate], signer: { certificate: s.certificate, privateKey: s.privateKey }, segmentSize: 64 * 1024 });
    const r = await open(readFileSync(env), { privateKey: pki.ids.rsa.privateKey, trustAnchors: [pki.ca.certificate], requireSignature: true });
    expect(Buffer.from(r.plaintext).equals(data)).toBe(true);
    expect(r.signer).toBeDefined();
  });

  it('a missing input fails with CMS_IO and leaves no file', async () => {
    const d = mkdtempSync(join(dir, 'missing-'));
    const err = await sealFile(join(d, 'nope'), join(d, 'env.p7m'), { recipients: [pki.ids.p256.certificate] }).catch((e: unknown) => e);
    expect(isCmsError(err, CmsErrorCode.io)).toBe(true);
    expect(readdirSync(d)).toEqual([]);
  });

  it('a bad recipient fails before any file is created', async () => {
    const d = mkdtempSync(join(dir, 'badopt-'));
    const { path } = input('in-badopt', 10);
    const err = await sealFile(path, join(d, 'env.p7m'), { recipients: [] }).catch((e: unknown) => e);
    expect(isCmsError(err, CmsErrorCode.badOptions)).toBe(true);
    expect(readdirSync(d)).toEqual([]);
  });

  it('an unwritable destination fails with CMS_IO', async () => {
    const { path } = input('in-unwritable', 10);
    const err = await sealFile(path, join(dir, 'no-such-dir', 'env.p7m'), { recipients: [pki.ids.p256.certificate] }).catch((e: unknown) => e);
    expect(isCmsError(err, CmsErrorCode.io)).toBe(true);
  });
});

describe('openFile', () => {
  for (const size of [0, 1000, MiB - 40, MiB, 2 * MiB + 1, 3 * MiB + 12345]) {
    it(`${size} bytes: opens sealFile's envelope and openssl's -stream envelope`, async () => {
      const { path, data } = input(`of-in-${size}`, size);
      const env = join(dir, `of-env-${size}.p7m`);
      await sealFile(path, env, { recipients: [pki.ids.p256.certificate] });
      const back = join(dir, `of-back-${size}`);
      const r = await openFile(env, back, { privateKey: pki.ids.p256.privateKey });
      expect(r.contentLength).toBe(size);
      expect(readFileSync(back).equals(data)).toBe(true);
      if (size === 0) return; // openssl cms -encrypt -stream fails on empty input ("Error writing CMS output")
      const ssl = join(dir, `of-ssl-${size}.p7m`);
      opensslOk(['cms', '-encrypt', '-binary', '-stream', '-aes-256-gcm', '-outform', 'DER', '-in', path, '-out', ssl, pki.ids.p256.certPath]);
      const back2 = join(dir, `of-back2-${size}`);
      await openFile(ssl, back2, { privateKey: pki.ids.p256.privateKey, allowSha1Kdf: true }); // OpenSSL's default KDF
      expect(readFileSync(back2).equals(data)).toBe(true);
    });
  }

  it('signed content, small segments: verified and unwrapped', async () => {
    const { path, data } = input('of-in-signed', 2 * MiB + 3);
    const env = join(dir, 'of-env-signed.p7m');
    const s = pki.ids.p384;
    await sealFile(path, env, { recipients: [pki.ids.rsa.certificate], signer: { certificate: s.certificate, privateKey: s.privateKey }, segmentSize: 64 * 1024 });
    const back = join(dir, 'of-back-signed');
    const r = await openFile(env, back, { privateKey: pki.ids.rsa.privateKey, trustAnchors: [pki.ca.certificate], requireSignature: true });
    expect(r.signer).toBeDefined();
    expect(readFileSync(back).equals(data)).toBe(true);
  });

  it('a flipped ciphertext byte: CMS_TAG_MISMATCH and no output', async () => {
    const { path } = input('of-in-tamper', 2 * MiB);
    const env = join(dir, 'of-env-tamper.p7m');
    await sealFile(path, env, { recipients: [pki.ids.p256.certificate] });
    const bytes = readFileSync(env);
    bytes[bytes.length - 1000]! ^= 1;
    writeFileSync(env, bytes);
    const d = mkdtempSync(join(dir, 'tamper-'));
    const err = await openFile(env, join(d, 'out'), { privateKey: pki.ids.p256.privateKey }).catch((e: unknown) => e);
    expect(isCmsError(err, CmsErrorCode.tagMismatch)).toBe(true);
    expect(readdirSync(d)).toEqual([]);
  });

  it('a missing envelope: CMS_IO, nothing created', async () => {
    const d = mkdtempSync(join(dir, 'of-missing-'));
    const err = await openFile(join(d, 'nope.p7m'), join(d, 'out'), { privateKey: pki.ids.p256.privateKey }).catch((e: unknown) => e);
    expect(isCmsError(err, CmsErrorCode.io)).toBe(true);
    expect(existsSync(join(d, 'out'))).toBe(false);
    expect(readdirSync(d)).toEqual([]);
  });
});
