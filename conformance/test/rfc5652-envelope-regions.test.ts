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
import { certificateToPem, createIdentity, privateKeyToPem, sealToBytes } from '@trustnoone/smime';
import { EnvelopeShapeError, envelopeRegions, flipIn } from '@trustnoone/conformance';

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
