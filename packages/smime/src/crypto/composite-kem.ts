/**
 * Composite ML-KEM (draft-ietf-lamps-pq-composite-kem-18, 23 July 2026): ML-KEM-768 and X25519
 * joined into one KEM, id-MLKEM768-X25519-SHA3-256 (1.3.6.1.5.5.7.6.58), so that recovering the
 * shared secret needs both component keys broken.
 *
 *   public key  = mlkemPK (1184) ‖ x25519PK (32)                       (§4.1)
 *   private key = mlkemSeed (64) ‖ x25519SK (32)                        (§4.2)
 *   ciphertext  = mlkemCT (1088) ‖ ephemeral x25519PK (32)              (§4.3)
 *   ss = SHA3-256(mlkemSS ‖ tradSS ‖ tradCT ‖ tradPK ‖ Label)          (§3.4)
 *
 * with Label the six bytes 5c2e2f2f5e5c (§6). The X25519 half is the DHKEM of §2.2: the sender's
 * ephemeral public key is the traditional ciphertext. The draft is not final: docs/decisions.md
 * records the version followed.
 */
import { createHash, diffieHellman, randomBytes, type KeyObject } from 'node:crypto';
import { CmsError, CmsErrorCode } from '../errors.js';
import { ML_KEM } from './ml-kem.js';
import { mlKemEncapsulate } from './ml-kem-encapsulators.js';
import { okpPrivateKeyFromSeed, x25519PublicKeyFromBytes } from './raw-keys.js';

export type CompositeKemAlgorithm = 'mlkem768-x25519';

export const COMPOSITE_KEM = {
  'mlkem768-x25519': {
    name: 'mlkem768-x25519' as const,
    oid: '1.3.6.1.5.5.7.6.58',
    label: Uint8Array.of(0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c),
    mlkem: ML_KEM['ml-kem-768'],
    tradLength: 32,
    publicKeyLength: 1184 + 32,
    ciphertextLength: 1088 + 32,
    /** HKDF-SHA-256 and AES-256 key wrap in KEMRecipientInfo, as for ML-KEM-768 (RFC 9936). */
    kekLength: 32 as const,
  },
} as const;

export type CompositeKemParameters = (typeof COMPOSITE_KEM)[CompositeKemAlgorithm];

/** §3.4: the KEM combiner. */
export function compositeCombiner(p: CompositeKemParameters, mlkemSS: Uint8Array, tradSS: Uint8Array, tradCT: Uint8Array, tradPK: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha3-256').update(mlkemSS).update(tradSS).update(tradCT).update(tradPK).update(p.label).digest());
}

/** An X25519 private KeyObject from its raw 32 bytes (RFC 8410 PKCS#8 prefix + the key). */
export function x25519PrivateKeyFromBytes(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new RangeError(`X25519 secret key must be 32 bytes, got ${raw.length}`);
  return okpPrivateKeyFromSeed('X25519', raw);
}

/** The X25519 base point, u = 9 (RFC 7748 §4.1), as a public KeyObject. */
let basePoint: KeyObject | undefined;

/**
 * The raw 32-byte public key of an X25519 private KeyObject: X25519(k, 9) (RFC 7748 §6.1),
 * computed natively with diffieHellman against the base point. Not read back through an export: a
 * JWK export holds the key's lock while it allocates, and a garbage collection in that allocation
 * that finalizes a generateKeyPairSync job waits for the same lock, so sealing hybrid jobs in a
 * loop hung node 20 one run in two (composite-kem-x25519-export.test.ts); a DER export costs
 * twice the key agreement itself.
 */
export function x25519RawPublic(secretKey: KeyObject): Uint8Array {
  basePoint ??= x25519PublicKeyFromBytes(Uint8Array.of(9, ...new Uint8Array(31)));
  return new Uint8Array(diffieHellman({ privateKey: secretKey, publicKey: basePoint }));
}

/**
 * §2.2 DHKEM over X25519 with node:crypto (native; @noble/curves' X25519 costs ~100x more); an
 * all-zero result (a small-order peer key, RFC 7748 §6.1) is refused.
 */
function x25519Dh(secretKey: KeyObject, publicKey: Uint8Array): Uint8Array {
  let ss: Uint8Array;
  try {
    ss = new Uint8Array(diffieHellman({ privateKey: secretKey, publicKey: x25519PublicKeyFromBytes(publicKey) }));
  } catch (err) {
    throw new CmsError(CmsErrorCode.malformed, 'the X25519 half of the composite ciphertext is not a usable public key', { cause: err });
  }
  if (ss.every((b) => b === 0)) throw new CmsError(CmsErrorCode.malformed, 'the X25519 half of the composite ciphertext is a small-order point');
  return ss;
}

/** §3.2 Encaps; `randomness` (vectors only) is the 32-byte ML-KEM m then the 32-byte X25519 ephemeral key. */
export function compositeEncapsulate(p: CompositeKemParameters, publicKey: Uint8Array, randomness?: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array } {
  if (publicKey.length !== p.publicKeyLength) throw new RangeError(`${p.name} public key must be ${p.publicKeyLength} bytes, got ${publicKey.length}`);
  const mlkemPK = publicKey.subarray(0, p.mlkem.publicKeyLength);
  const tradPK = publicKey.subarray(p.mlkem.publicKeyLength);
  const ml = mlKemEncapsulate(p.mlkem, mlkemPK, randomness?.subarray(0, 32));
  // §2.2 DHKEM: a fresh ephemeral key, 32 random bytes (RFC 7748 §6.1; clamped inside X25519).
  const ephSecret = randomness ? Uint8Array.from(randomness.subarray(32, 64)) : new Uint8Array(randomBytes(32));
  const eph = x25519PrivateKeyFromBytes(ephSecret);
  ephSecret.fill(0);
  const ephPublic = x25519RawPublic(eph);
  const tradSS = x25519Dh(eph, tradPK);
  const cipherText = new Uint8Array(p.ciphertextLength);
  cipherText.set(ml.cipherText, 0);
  cipherText.set(ephPublic, p.mlkem.ciphertextLength);
  const sharedSecret = compositeCombiner(p, ml.sharedSecret, tradSS, ephPublic, tradPK);
  ml.sharedSecret.fill(0);
  tradSS.fill(0);
  return { cipherText, sharedSecret };
}

/** §3.3 Decaps with the expanded ML-KEM key and the X25519 secret and public keys. */
export function compositeDecapsulate(
  p: CompositeKemParameters,
  key: { readonly mlkemDecapsulate: (ct: Uint8Array) => Uint8Array; readonly x25519Key: KeyObject; readonly x25519PublicKey: Uint8Array },
  cipherText: Uint8Array,
): Uint8Array {
  if (cipherText.length !== p.ciphertextLength) throw new CmsError(CmsErrorCode.malformed, `${p.name} ciphertext of ${cipherText.length} bytes (expected ${p.ciphertextLength})`);
  const mlkemCT = cipherText.subarray(0, p.mlkem.ciphertextLength);
  const tradCT = cipherText.subarray(p.mlkem.ciphertextLength);
  const mlkemSS = key.mlkemDecapsulate(mlkemCT);
  const tradSS = x25519Dh(key.x25519Key, tradCT);
  const ss = compositeCombiner(p, mlkemSS, tradSS, tradCT, key.x25519PublicKey);
  mlkemSS.fill(0);
  tradSS.fill(0);
  return ss;
}
