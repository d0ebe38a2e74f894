/**
 * ML-KEM keys in X.509 and PKCS#8 (RFC 9935). Node 20's crypto has no ML-KEM, so these keys are
 * not KeyObjects: an MlKemPrivateKey holds the seed (when known), the expanded decapsulation key
 * and the public key.
 *
 *   SubjectPublicKeyInfo: algorithm id-alg-ml-kem-NNN (parameters absent), subjectPublicKey the
 *   raw encapsulation key.
 *
 *   ML-KEM-PrivateKey ::= CHOICE {                  -- inside PKCS#8 privateKey OCTET STRING
 *     seed [0] OCTET STRING (SIZE (64)),
 *     expandedKey OCTET STRING (SIZE (1632 | 2400 | 3168)),
 *     both SEQUENCE { seed OCTET STRING (SIZE (64)), expandedKey OCTET STRING } }
 *
 * On read, a key given in both forms must agree (RFC 9935 §8: the expanded key is recomputed from
 * the seed and compared), and an expanded key must pass FIPS 203 §7.3's hash check.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { decodeBer, readAlgorithmIdentifier, sequenceChildren } from '../asn1/ber-reader.js';
import { algorithmIdentifier, bitString, sequence } from '../asn1/der-writer.js';
import { ML_KEM, ML_KEM_SEED_LENGTH, mlKemByOid, type MlKemAlgorithm, type MlKemParameters } from '../crypto/ml-kem.js';
import { CmsError, CmsErrorCode } from '../errors.js';
import { pemDecodeAll, pemEncode } from './pem.js';
import { readSeedFormPkcs8, writeSeedFormPkcs8, type SeedForm } from './seed-form-pkcs8.js';

type PreparedKem = { decapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array };

export class MlKemPrivateKey {
  private constructor(
    readonly algorithm: MlKemAlgorithm,
    /** The 64-byte seed, or undefined for a key known only in expanded form. */
    readonly seed: Uint8Array | undefined,
    /** The expanded decapsulation key (FIPS 203 dk). */
    readonly decapsulationKey: Uint8Array,
    /** The encapsulation key (FIPS 203 ek), as carried in certificates. */
    readonly publicKey: Uint8Array,
  ) {}

  static fromSeed(algorithm: MlKemAlgorithm, seed: Uint8Array): MlKemPrivateKey {
    if (seed.length !== ML_KEM_SEED_LENGTH) throw new RangeError(`ML-KEM seed must be ${ML_KEM_SEED_LENGTH} bytes, got ${seed.length}`);
    const { secretKey, publicKey } = ML_KEM[algorithm].kem.keygen(seed);
    return new MlKemPrivateKey(algorithm, Uint8Array.from(seed), secretKey, publicKey);
  }

  static fromExpanded(algorithm: MlKemAlgorithm, expandedKey: Uint8Array): MlKemPrivateKey {
    const p = ML_KEM[algorithm];
    if (expandedKey.length !== p.expandedKeyLength) throw new CmsError(CmsErrorCode.badKey, `${algorithm} expanded key must be ${p.expandedKeyLength} bytes, got ${expandedKey.length}`);
    // FIPS 203 §7.3 (hash check): dk = dk_PKE ‖ ek ‖ H(ek) ‖ z, and H(ek) must be the SHA3-256 of
    // the embedded ek. (Comparing ek with what getPublicKey reads from dk compares ek with itself.)
    const k = p.publicKeyLength;
    const ekStart = expandedKey.length - 64 - k;
    const ek = expandedKey.subarray(ekStart, ekStart + k);
    const stored = expandedKey.subarray(ekStart + k, ekStart + k + 32);
    if (!timingSafeEqual(createHash('sha3-256').update(ek).digest(), stored)) throw new CmsError(CmsErrorCode.badKey, `${algorithm} expanded key fails its consistency check (H(ek), FIPS 203 §7.3)`);
    // FIPS 203 §7.2 (modulus check) on the embedded ek, which decapsulation re-encrypts under: done
    // by expanding it once here, kept for decapsulate().
    let prepared: PreparedKem;
    try {
      prepared = p.kem.prepare(ek);
    } catch (err) {
      throw new CmsError(CmsErrorCode.badKey, `${algorithm} expanded key holds an encapsulation key that is not reduced mod q (FIPS 203 §7.2)`, { cause: err });
    }
    const key = new MlKemPrivateKey(algorithm, undefined, Uint8Array.from(expandedKey), Uint8Array.from(ek));
    key.#prepared = prepared;
    return key;
  }

  static generate(algorithm: MlKemAlgorithm): MlKemPrivateKey {
    return MlKemPrivateKey.fromSeed(algorithm, crypto.getRandomValues(new Uint8Array(ML_KEM_SEED_LENGTH)));
  }

  get parameters(): MlKemParameters {
    return ML_KEM[this.algorithm];
  }

  #prepared: PreparedKem | undefined;

  /**
   * FIPS 203 ML-KEM.Decaps (implicit rejection: a wrong ciphertext yields an unrelated secret). The
   * public matrix is expanded once per key and kept (a printer decapsulates with one key all day).
   */
  decapsulate(cipherText: Uint8Array): Uint8Array {
    const prepared = (this.#prepared ??= this.parameters.kem.prepare(this.publicKey));
    return prepared.decapsulate(cipherText, this.decapsulationKey);
  }

  /** PKCS#8 (RFC 5958 OneAsymmetricKey v0) DER in the seed form by default, as RFC 9935 recommends. */
  toPkcs8(form: SeedForm = 'seed'): Uint8Array {
    return writeSeedFormPkcs8(this, this.parameters.oid, this.decapsulationKey, form);
  }

  toPem(form: SeedForm = 'seed'): string {
    return pemEncode('PRIVATE KEY', this.toPkcs8(form));
  }
}

/** SubjectPublicKeyInfo DER of an ML-KEM encapsulation key. */
export function mlKemSpki(algorithm: MlKemAlgorithm, publicKey: Uint8Array): Uint8Array {
  const p = ML_KEM[algorithm];
  if (publicKey.length !== p.publicKeyLength) throw new RangeError(`${algorithm} public key must be ${p.publicKeyLength} bytes, got ${publicKey.length}`);
  return sequence(algorithmIdentifier(p.oid), bitString(publicKey));
}

/** The PKCS#8 algorithm OID of DER or PEM private key bytes, or undefined when not PKCS#8. */
export function pkcs8AlgorithmOid(der: Uint8Array): string | undefined {
  try {
    const f = sequenceChildren(decodeBer(der), 'PrivateKeyInfo');
    return readAlgorithmIdentifier(f[1], 'privateKeyAlgorithm').algorithm;
  } catch {
    return undefined;
  }
}

/** Reads an ML-KEM PKCS#8 private key (DER), in any of the three RFC 9935 forms. */
export function mlKemPrivateKeyFromPkcs8(der: Uint8Array): MlKemPrivateKey {
  return readSeedFormPkcs8(der, {
    label: 'ML-KEM',
    rfc: 'RFC 9935',
    seedLength: ML_KEM_SEED_LENGTH,
    byOid: mlKemByOid,
    fromSeed: (name, seed) => MlKemPrivateKey.fromSeed(name, seed),
    fromExpanded: (name, expanded) => MlKemPrivateKey.fromExpanded(name, expanded),
    expandedOf: (key) => key.decapsulationKey,
  });
}

/** An ML-KEM private key from PEM text or DER bytes, or undefined when the key is of another kind. */
export function loadMlKemPrivateKey(input: string | Uint8Array): MlKemPrivateKey | undefined {
  const der = pkcs8Der(input);
  const oid = der && pkcs8AlgorithmOid(der);
  return oid && mlKemByOid(oid) ? mlKemPrivateKeyFromPkcs8(der!) : undefined;
}

/** The DER of a PKCS#8 key given as DER or as a PEM PRIVATE KEY block. */
export function pkcs8Der(input: string | Uint8Array): Uint8Array | undefined {
  if (typeof input !== 'string' && input[0] === 0x30) return input;
  return pemDecodeAll(typeof input === 'string' ? input : new TextDecoder().decode(input)).find((b) => b.label === 'PRIVATE KEY')?.der;
}
