// AuthEnvelopedData (RFC 5083) with AES-GCM (RFC 5084) through the public API: recipients of every
// kind, identifiers, streaming in and out, openToFile's authenticate-before-release rule, and the
// typed failures.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { CmsError, CmsErrorCode, open, openToFile, seal, sealToBytes } from '@trustnoone/smime';
import { createTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});

const text = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff));

describe('round trips', () => {
  for (const kind of ['rsa', 'p256', 'p384', 'x25519'] as const) {
    for (const identifier of ['issuerAndSerialNumber', 'subjectKeyIdentifier'] as const) {
      it(`${kind} recipient by ${identifier}`, async () => {
        const id = pki.ids[kind];
        const msg = text(5000);
        const env = await sealToBytes(msg, { recipients: [{ certificate: id.certificate, identifier }] });
        const res = await open(env, { privateKey: id.privateKey, certificate: id.certificate });
        expect(Buffer.from(res.plaintext).equals(msg)).toBe(true);
        expect(res.recipient.identifier.kind).toBe(identifier);
        expect(res.cipher).toBe('aes-256-gcm');
        expect(res.signer).toBeUndefined();
      });
    }
  }

  it('ECDH with ukm and a chosen KDF digest', async () => {
    const env = await sealToBytes(text(100), { recipients: [{ certificate: pki.ids.p256.certificate, ukm: new Uint8Array(64).fill(9), kdfDigest: 'sha512' }] });
    const res = await open(env, { privateKey: pki.ids.p256.privateKey });
    expect(res.recipient.scheme).toBe('ecdh-x963-sha512');
    expect(Buffer.from(res.plaintext).equals(text(100))).toBe(true);
  });

  it('X25519 with ukm (HKDF salt)', async () => {
    const env = await sealToBytes(text(100), { recipients: [{ certificate: pki.ids.x25519.certificate, ukm: new Uint8Array(32).fill(1) }] });
    const res = await open(env, { privateKey: pki.ids.x25519.privateKey });
    expect(res.recipient.scheme).toBe('x25519-hkdf-sha256');
  });

  it('streams: seal() output piped from a Readable, opened from a Readable', async () => {
    const msg = text(3 * 1024 * 1024 + 17);
    const input = Readable.from((function* () {
      for (let i = 0; i < msg.length; i += 100_000) yield msg.subarray(i, i + 100_000);
    })());
    const sealed = seal(input, { recipients: [pki.ids.p256.certificate], cipher: 'aes-128-gcm' });
    const res = await open(sealed, { privateKey: pki.ids.p256.privateKey });
    expect(res.contentLength).toBe(msg.length);
    expect(Buffer.from(res.plaintext).equals(msg)).toBe(true);
  });

  it('recipient without certificate: every fitting RecipientInfo is tried', async () => {
    const env = await sealToBytes(text(10), { recipients: [pki.ids.p384.certificate, pki.ids.p256.certificate] });
    const res = await open(env, { privateKey: pki.ids.p256.privateKey });
    expect(res.recipient.scheme).toBe('ecdh-x963-sha256'); // the P-384 entry (sha384) was passed over
    expect(Buffer.from(res.plaintext).equals(text(10))).toBe(true);
  });
});

describe('typed failures', () => {
  it('CMS_NO_MATCHING_RECIPIENT for a key that is not a recipient', async () => {
    const env = await sealToBytes(text(10), { recipients: [pki.ids.p256.certificate] });
    const other = pki.make('other', 'p256');
    await expect(open(env, { privateKey: other.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.noMatchingRecipient });
    await expect(open(env, { privateKey: other.privateKey, certificate: other.certificate })).rejects.toMatchObject({ code: CmsErrorCode.noMatchingRecipient });
    await expect(open(env, { privateKey: pki.ids.rsa.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.noMatchingRecipient });
  });

  it('CMS_TAG_MISMATCH when ciphertext or tag is altered', async () => {
    const env = Buffer.from(await sealToBytes(text(1000), { recipients: [pki.ids.p256.certificate] }));
    for (const at of [env.length - 500, env.length - 12]) {
      const bad = Buffer.from(env);
      bad[at]! ^= 0x04;
      const err = await open(bad, { privateKey: pki.ids.p256.privateKey }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CmsError);
      expect((err as CmsError).code, `offset ${at}`).toBe(CmsErrorCode.tagMismatch);
    }
  });

  it('CMS_MALFORMED with an offset for truncated input', async () => {
    const env = await sealToBytes(text(1000), { recipients: [pki.ids.p256.certificate] });
    const err = (await open(env.subarray(0, env.length - 3), { privateKey: pki.ids.p256.privateKey }).catch((e: unknown) => e)) as CmsError;
    expect(err.code).toBe(CmsErrorCode.malformed);
    expect(typeof err.offset).toBe('number');
  });

  it('CMS_LIMIT_EXCEEDED when plaintext exceeds the in-memory limit', async () => {
    const env = await sealToBytes(text(10_000), { recipients: [pki.ids.p256.certificate] });
    await expect(open(env, { privateKey: pki.ids.p256.privateKey, limits: { maxInMemory: 1000 } })).rejects.toMatchObject({ code: CmsErrorCode.limitExceeded });
  });

  it('CMS_BAD_OPTIONS for no recipients, CMS_BAD_KEY for garbage certificates', () => {
    expect(() => seal(text(1), { recipients: [] })).toThrowError(expect.objectContaining({ code: CmsErrorCode.badOptions }) as Error);
    expect(() => seal(text(1), { recipients: ['not a certificate'] })).toThrowError(expect.objectContaining({ code: CmsErrorCode.badKey }) as Error);
  });

  it('CBC is written only when asked, and refused on read unless allowed', async () => {
    const env = await sealToBytes(text(100), { recipients: [pki.ids.p256.certificate], cipher: 'aes-256-cbc' });
    await expect(open(env, { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.algorithmRefused });
    const res = await open(env, { privateKey: pki.ids.p256.privateKey, allowUnauthenticated: true });
    expect(res.envelope).toBe('envelopedData');
    expect(Buffer.from(res.plaintext).equals(text(100))).toBe(true);
  });
});

describe('openToFile: plaintext is released only after authentication', () => {
  it('writes the plaintext, mode 0600, and no temporary file remains', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tno-open-'));
    const msg = text(200_000);
    const env = await sealToBytes(msg, { recipients: [pki.ids.rsa.certificate] });
    const dest = join(dir, 'job.bin');
    const res = await openToFile(env, dest, { privateKey: pki.ids.rsa.privateKey });
    expect(res.contentLength).toBe(msg.length);
    expect(readFileSync(dest).equals(msg)).toBe(true);
    expect(readdirSync(dir)).toEqual(['job.bin']);
  });

  it('on a tag mismatch leaves no file at all (not even a partial one)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tno-open-'));
    const env = Buffer.from(await sealToBytes(text(500_000), { recipients: [pki.ids.p256.certificate] }));
    env[env.length - 30]! ^= 1; // inside the last segment: everything before decrypts first
    const dest = join(dir, 'job.bin');
    await expect(openToFile(env, dest, { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.tagMismatch });
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('does not replace an existing destination when opening fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tno-open-'));
    const dest = join(dir, 'job.bin');
    writeFileSync(dest, 'previous');
    await expect(openToFile(Buffer.from('garbage'), dest, { privateKey: pki.ids.p256.privateKey })).rejects.toBeInstanceOf(CmsError);
    expect(readFileSync(dest, 'utf8')).toBe('previous');
  });
});

describe('resources', () => {
  it('a refused envelope read from a file stream closes the stream', async () => {
    const { createReadStream } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'tno-open-'));
    const env = await sealToBytes(text(4 * 1024 * 1024), { recipients: [pki.ids.p256.certificate] });
    writeFileSync(join(dir, 'env.der'), env);
    const stream = createReadStream(join(dir, 'env.der'), { highWaterMark: 64 * 1024 });
    await expect(open(stream, { privateKey: pki.ids.p384.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.noMatchingRecipient });
    expect(stream.destroyed).toBe(true);
  });
});

describe('authAttrs (RFC 5083 §2.1–2.2): authenticated as GCM additional data, though they follow the content', () => {
  const custom = { type: '1.3.6.1.4.1.99999.7', values: [Uint8Array.from([0x0c, 0x02, 0x68, 0x69])] };

  it('caller authAttributes round-trip with the content-type attribute added', async () => {
    const env = await sealToBytes(text(70_000), { recipients: [pki.ids.p256.certificate], authAttributes: [custom] });
    const res = await open(env, { privateKey: pki.ids.p256.privateKey });
    expect(res.authAttributes.map((a) => a.type).sort()).toEqual(['1.2.840.113549.1.9.3', custom.type].sort());
    expect(Buffer.from(res.plaintext).equals(text(70_000))).toBe(true);
  });

  it('signedNesting "signedData": id-signedData content type with authAttrs, opened and verified', async () => {
    const s = pki.ids.ed25519;
    const env = await sealToBytes(text(5000), { recipients: [pki.ids.x25519.certificate], signedNesting: 'signedData', signer: { certificate: s.certificate, privateKey: s.privateKey } });
    const res = await open(env, { privateKey: pki.ids.x25519.privateKey, requireSignature: true, trustAnchors: [pki.ca.certificate] });
    expect(res.signer?.trust).toBe('verified');
    expect(res.authAttributes).toHaveLength(1);
  });

  it('an altered authAttrs value fails the tag', async () => {
    const env = Buffer.from(await sealToBytes(text(1000), { recipients: [pki.ids.p256.certificate], authAttributes: [custom] }));
    const at = env.lastIndexOf(Buffer.from([0x0c, 0x02, 0x68, 0x69]));
    env[at + 3]! ^= 0x01;
    await expect(open(env, { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.tagMismatch });
  });

  it('innerContentInfo false returns the nested ContentInfo(SignedData) unverified, as bytes', async () => {
    const s = pki.ids.p256;
    const env = await sealToBytes(text(100), { recipients: [pki.ids.p256.certificate], signer: { certificate: s.certificate, privateKey: s.privateKey } });
    const res = await open(env, { privateKey: pki.ids.p256.privateKey, innerContentInfo: false });
    expect(res.signer).toBeUndefined();
    expect(res.plaintext[0]).toBe(0x30);
    await expect(open(env, { privateKey: pki.ids.p256.privateKey, innerContentInfo: false, requireSignature: true })).rejects.toMatchObject({ code: CmsErrorCode.signatureMissing });
  });
});
