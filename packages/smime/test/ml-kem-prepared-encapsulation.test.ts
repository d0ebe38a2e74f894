/**
 * Sealing keeps ML-KEM encapsulation keys it has already expanded (src/crypto/ml-kem-encapsulators.ts,
 * FIPS 203 §7.2 work done once per printer key). What must hold: the same bytes as a plain
 * ML-KEM.Encaps for the same randomness, every job opening only with its own printer's key however
 * keys alternate, a bounded table, and an invalid key still refused.
 */
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, createKemIdentity, open, sealToBytes } from '@trustnoone/smime';
import { ML_KEM } from '../src/crypto/ml-kem.js';
import { PREPARED_ENCAPSULATORS, mlKemEncapsulate, preparedEncapsulatorCount } from '../src/crypto/ml-kem-encapsulators.js';

const p768 = ML_KEM['ml-kem-768'];

describe('FIPS 203 ML-KEM.Encaps with the expanded key kept', () => {
  it('gives the bytes of a plain encapsulation for the same m, first and later calls alike', () => {
    const { publicKey } = ml_kem768.keygen(new Uint8Array(64).fill(7));
    for (let i = 0; i < 3; i++) {
      const m = new Uint8Array(32).fill(i + 1);
      const plain = ml_kem768.encapsulate(publicKey, m);
      const kept = mlKemEncapsulate(p768, publicKey, m);
      expect(Buffer.from(kept.cipherText).equals(Buffer.from(plain.cipherText)), `call ${i}: ciphertext`).toBe(true);
      expect(Buffer.from(kept.sharedSecret).equals(Buffer.from(plain.sharedSecret)), `call ${i}: shared secret`).toBe(true);
    }
  });

  it('refuses an encapsulation key whose coefficients are not reduced mod q (FIPS 203 §7.2), every time', () => {
    const bad = new Uint8Array(p768.publicKeyLength).fill(0xff);
    expect(() => mlKemEncapsulate(p768, bad)).toThrow();
    expect(() => mlKemEncapsulate(p768, bad)).toThrow();
  });

  it(`jobs to alternating printers open only with their own key; at most ${PREPARED_ENCAPSULATORS} keys are kept`, async () => {
    const ca = createCertificateAuthority({ commonName: 'cache test CA' });
    const printers = Array.from({ length: PREPARED_ENCAPSULATORS + 4 }, (_, i) => createKemIdentity({ commonName: `printer ${i}`, algorithm: i % 2 ? 'ml-kem-768' : 'mlkem768-x25519', ca }));
    const order = [0, 1, 0, 2, 1, ...printers.map((_, i) => i), 0, 1];
    for (const [n, i] of order.entries()) {
      const job = new TextEncoder().encode(`job ${n} for printer ${i}`);
      const der = await sealToBytes(job, { recipients: [printers[i]!.certificate] });
      const { plaintext } = await open(der, { privateKey: printers[i]!.privateKey, certificate: printers[i]!.certificate });
      expect(Buffer.from(plaintext).toString(), `job ${n}`).toBe(`job ${n} for printer ${i}`);
      const other = printers[(i + 2) % printers.length]!; // same algorithm, another key
      await expect(open(der, { privateKey: other.privateKey, certificate: other.certificate }), `job ${n} with printer ${(i + 2) % printers.length}'s key`).rejects.toThrow();
      expect(preparedEncapsulatorCount()).toBeLessThanOrEqual(PREPARED_ENCAPSULATORS);
    }
  }, 60_000);
});
