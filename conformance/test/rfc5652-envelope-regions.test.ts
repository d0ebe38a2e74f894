/**
 * The BER walker that locates envelope regions for the tampering tests: on our streaming
 * (indefinite-length) envelopes, on OpenSSL's definite-length DER, and on arbitrary bytes, where
 * it must fail with EnvelopeShapeError and an offset, never anything else.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { certificateToPem, createIdentity, open, privateKeyToPem, sealToBytes } from '@trustnoone/smime';
import { EnvelopeShapeError, envelopeRegions, flipIn, resealEdited } from '@trustnoone/conformance';

const printer = createIdentity({ commonName: 'regions test printer' });
const pem = certificateToPem(printer.certificate);
const plaintext = new Uint8Array(200_000).fill(7);

describe('envelopeRegions', () => {
  it('finds every region of an AuthEnvelopedData written by @trustnoone/smime (indefinite lengths)', async () => {
    const env = await sealToBytes(plaintext, { recipients: [pem] });
    const r = envelopeRegions(env);
    expect(r.iv.end - r.iv.start).toBe(12); // RFC 5084 §3.2: 12-octet nonce
    expect(r.mac!.end - r.mac!.start).toBe(16);
    expect(r.mac!.end).toBeLessThan(env.length);
    expect(r.recipientInfos.start).toBeLessThan(r.contentEncryptionAlgorithm.start);
    expect(r.ciphertext.end - r.ciphertext.start).toBeGreaterThan(0);
    expect(flipIn(env, r.mac!)).not.toEqual(env);
  });

  it('finds the IV of an EnvelopedData (AES-CBC) and reports no mac', async () => {
    const r = envelopeRegions(await sealToBytes(plaintext, { recipients: [pem], cipher: 'aes-256-cbc' }));
    expect(r.iv.end - r.iv.start).toBe(16);
    expect(r.mac).toBeUndefined();
  });

  it('reads OpenSSL definite-length DER (openssl cms -encrypt -aes-256-gcm)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tno-regions-'));
    try {
      await writeFile(join(dir, 'c.pem'), pem);
      await writeFile(join(dir, 'k.pem'), privateKeyToPem(printer.privateKey));
      await writeFile(join(dir, 'in'), 'hello');
      await promisify(execFile)('openssl', ['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes-256-gcm', '-in', join(dir, 'in'), '-out', join(dir, 'out'), '-recip', join(dir, 'c.pem')]);
      const env = new Uint8Array(await readFile(join(dir, 'out')));
      const r = envelopeRegions(env);
      expect(r.mac!.end).toBe(env.length);
      expect(r.iv.end - r.iv.start).toBe(12);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with EnvelopeShapeError on every truncation', async () => {
    const env = await sealToBytes(new Uint8Array(64), { recipients: [pem] });
    for (let n = 0; n < env.length - 8; n += 7) expect(() => envelopeRegions(env.subarray(0, n)), `prefix ${n}`).toThrow(EnvelopeShapeError);
  });

  it('fails only with EnvelopeShapeError on arbitrary bytes, and stops deep nesting', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        try {
          envelopeRegions(bytes);
        } catch (err) {
          if (!(err instanceof EnvelopeShapeError)) throw err;
          expect(err.offset).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 2000 },
    );
    const deep = new Uint8Array(2 * 5000);
    for (let i = 0; i < 5000; i++) deep.set([0x30, 0x80], 2 * i);
    expect(() => envelopeRegions(deep)).toThrow(/nested too deeply/);
  });
});

describe('resealEdited (RFC 5083 re-encryption under a chosen key)', () => {
  const cek = new Uint8Array(32).fill(1);
  const iv = new Uint8Array(12).fill(2);
  const signerId = createIdentity({ commonName: 'reseal signer', algorithm: 'ed25519' });
  const signer = { certificate: signerId.certificate, privateKey: signerId.privateKey };

  it.each([
    ['unsigned', undefined, undefined],
    ['signed (ContentInfo nesting)', signer, undefined],
    ['signed (id-signedData with authAttrs as GCM additional data)', signer, 'signedData'],
  ] as const)('%s: the identity edit reproduces the envelope byte for byte', async (_n, s, nesting) => {
    // Four input chunks and a small segment size: the ciphertext spans several OCTET STRING segments.
    const chunks = [0, 1, 2, 3].map((i) => plaintext.subarray(i * 50_000, (i + 1) * 50_000));
    const env = await sealToBytes(chunks, { recipients: [pem], contentEncryptionKey: cek, iv, segmentSize: 1024, ...(s ? { signer: s } : {}), ...(nesting ? { signedNesting: nesting } : {}) });
    expect(envelopeRegions(env).segments.length).toBeGreaterThan(1);
    expect(envelopeRegions(env).authAttrs !== undefined).toBe(nesting === 'signedData');
    expect(resealEdited(env, cek, iv, (p) => p)).toEqual(env);
  });

  it('an edit gives a valid tag, and a signed envelope then fails its signature check', async () => {
    const flip = (p: Uint8Array) => {
      const c = Uint8Array.from(p);
      c[Math.floor(c.length / 2)]! ^= 1;
      return c;
    };
    const key = privateKeyToPem(printer.privateKey);
    const unsigned = resealEdited(await sealToBytes(plaintext, { recipients: [pem], contentEncryptionKey: cek, iv }), cek, iv, flip);
    const opened = await open(unsigned, { privateKey: key, certificate: pem });
    expect(opened.plaintext[plaintext.length / 2]).toBe(7 ^ 1);
    const signed = resealEdited(await sealToBytes(plaintext, { recipients: [pem], contentEncryptionKey: cek, iv, signer }), cek, iv, flip);
    await expect(open(signed, { privateKey: key, certificate: pem })).rejects.toMatchObject({ code: expect.stringMatching(/SIGNATURE|DIGEST/) });
  });
});
