// The late-AAD GCM check (authAttrs after the content, RFC 5083 §2.2) against node:crypto's own
// AES-GCM with the AAD given first: same tag for any key size, nonce length, AAD and content size.
import { createCipheriv, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gfMul, LateAadGcmVerifier } from '../src/crypto/gcm-late-aad.js';

describe('GF(2^128) (SP 800-38D §6.3)', () => {
  it('has 10…0 as identity and is commutative', () => {
    const one = 1n << 127n;
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (a, b) => {
        expect(gfMul(a, one)).toBe(a);
        expect(gfMul(a, b)).toBe(gfMul(b, a));
      }),
      { numRuns: 50 },
    );
  });
});

describe('late AAD tag = node GCM tag with AAD first', () => {
  it('over random keys, nonces, AAD and content, split in random chunks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('aes-128-gcm', 'aes-256-gcm'),
        fc.constantFrom(12, 16, 8),
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.nat({ max: 3000 }), { maxLength: 5 }),
        (alg, nonceLength, aad, plain, cuts) => {
          const key = randomBytes(alg === 'aes-128-gcm' ? 16 : 32);
          const iv = randomBytes(nonceLength);
          const enc = createCipheriv(alg as 'aes-256-gcm', key, iv, { authTagLength: 16 });
          if (aad.length > 0) enc.setAAD(aad);
          const ct = Buffer.concat([enc.update(plain), enc.final()]);
          const tag = enc.getAuthTag();
          const v = new LateAadGcmVerifier(alg as 'aes-256-gcm', key, iv);
          let at = 0;
          for (const c of [...cuts.map((x) => x % (ct.length + 1))].sort((a, b) => a - b)) {
            v.update(ct.subarray(at, Math.max(at, c)));
            at = Math.max(at, c);
          }
          v.update(ct.subarray(at));
          expect(v.verify(aad, tag)).toBe(true);
          const w = new LateAadGcmVerifier(alg as 'aes-256-gcm', key, iv);
          w.update(ct);
          const bad = Buffer.from(tag);
          bad[0]! ^= 1;
          expect(w.verify(aad, bad)).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });
});
