// SEC 1 §3.2.2.1 validation of the ephemeral originator key of an ECDH KeyAgreeRecipientInfo
// (RFC 5753): an envelope whose originator point is off the curve, or has a coordinate not below
// the field prime, is refused (its RecipientInfo, as malformed) before any key agreement with the printer's static key
// (the invalid-curve attack). Checked by OpenSSL's import and our range check since issue 20
// dropped @noble/curves from the open path; compressed points are decompressed by OpenSSL.
import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CmsErrorCode, isCmsError, open, sealToBytes } from '@trustnoone/smime';
import { ecPublicKeyFromPoint, rawPublicKey, type EcCurve } from '../src/crypto/raw-keys.js';
import { createTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});

const P256_PRIME = (1n << 256n) - (1n << 224n) + (1n << 192n) + (1n << 96n) - 1n;

/** The envelope's originator point: BIT STRING of 66 bytes (0x03 0x42 0x00 0x04 ‖ x ‖ y). */
function originatorPointOffset(envelope: Uint8Array): number {
  for (let i = 0; i + 4 < envelope.length; i++) {
    if (envelope[i] === 0x03 && envelope[i + 1] === 0x42 && envelope[i + 2] === 0x00 && envelope[i + 3] === 0x04) return i + 3;
  }
  throw new Error('no uncompressed P-256 point in the envelope');
}

async function openWithPoint(mutate: (point: Uint8Array) => void): Promise<unknown> {
  const envelope = await sealToBytes(Buffer.from('job'), { recipients: [pki.ids.p256.certificate] });
  const at = originatorPointOffset(envelope);
  mutate(envelope.subarray(at, at + 65));
  return open(envelope, { privateKey: pki.ids.p256.privateKey }).then(
    () => 'opened',
    (err: unknown) => err,
  );
}

describe('originator EC point validation (SEC 1 §3.2.2.1)', () => {
  it('the unmodified envelope opens', async () => {
    expect(await openWithPoint(() => undefined)).toBe('opened');
  });

  it('a point off the curve is refused as malformed', async () => {
    const err = await openWithPoint((p) => {
      p[64]! ^= 1; // last byte of y
    });
    // No key agreement happened: the RecipientInfo is refused, its cause the invalid point.
    expect(isCmsError(err, CmsErrorCode.noMatchingRecipient)).toBe(true);
    expect(isCmsError((err as Error).cause, CmsErrorCode.malformed)).toBe(true);
    expect(((err as Error).cause as Error).message).toMatch(/not a valid p256 point/);
  });

  it('a coordinate not below the field prime is refused as malformed', async () => {
    const err = await openWithPoint((p) => {
      p.set(Buffer.from(P256_PRIME.toString(16), 'hex'), 1); // x = p
    });
    expect(isCmsError(err, CmsErrorCode.noMatchingRecipient)).toBe(true);
    expect(((err as Error).cause as Error).message).toMatch(/not a valid p256 point/);
  });

  it('the point at infinity and wrong lengths are refused', async () => {
    for (const point of [Uint8Array.of(0), Uint8Array.of(0x04, 1, 2), new Uint8Array(65)]) {
      await expect(ecPublicKeyFromPoint('p256', point)).rejects.toSatisfy((e: unknown) => isCmsError(e, CmsErrorCode.malformed));
    }
  });

  for (const [curve, name] of [['p256', 'P-256'], ['p384', 'P-384'], ['p521', 'P-521']] as const) {
    it(`${curve}: uncompressed and compressed encodings give the same key`, async () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: name });
      const raw = rawPublicKey(publicKey);
      const size = (raw.length - 1) / 2;
      const compressed = Uint8Array.of(2 + (raw[raw.length - 1]! & 1), ...raw.subarray(1, 1 + size));
      for (const point of [raw, compressed]) {
        const key = await ecPublicKeyFromPoint(curve as EcCurve, point);
        expect(key.equals(publicKey)).toBe(true);
      }
      // A compressed x with no y on the curve: about half of all x; try until one is refused.
      let refused = false;
      for (let x = 1; x < 64 && !refused; x++) {
        const bad = new Uint8Array(1 + size);
        bad[0] = 2;
        bad[size] = x;
        refused = await ecPublicKeyFromPoint(curve as EcCurve, bad).then(() => false, (e: unknown) => isCmsError(e, CmsErrorCode.malformed));
      }
      expect(refused).toBe(true);
    });
  }
});
