/**
 * ML-DSA keys in X.509 and PKCS#8 (RFC 9881). Node 20's crypto has no ML-DSA, so these keys are
 * not KeyObjects: an MlDsaPrivateKey holds the seed (when known), the expanded signing key and
 * the public key.
 *
 *   SubjectPublicKeyInfo: algorithm id-ml-dsa-NN (parameters absent), subjectPublicKey the raw
 *   public key.
 *
 *   ML-DSA-PrivateKey ::= CHOICE {                  -- inside PKCS#8 privateKey OCTET STRING
 *     seed [0] OCTET STRING (SIZE (32)),
 *     expandedKey OCTET STRING (SIZE (2560 | 4032 | 4896)),
 *     both SEQUENCE { seed OCTET STRING (SIZE (32)), expandedKey OCTET STRING } }
 *
 * On read, a key given in both forms must agree (RFC 9881 §8: the expanded key is recomputed from
 * the seed and compared).
 */
import { algorithmIdentifier, bitString, sequence } from '../asn1/der-writer.js';
import { ML_DSA, ML_DSA_SEED_LENGTH, mlDsaByOid, type MlDsaAlgorithm, type MlDsaParameters } from '../crypto/ml-dsa.js';
import { CmsError, CmsErrorCode } from '../errors.js';
import { pkcs8AlgorithmOid, pkcs8Der } from './ml-kem-keys.js';
import { pemEncode } from './pem.js';
import { readSeedFormPkcs8, writeSeedFormPkcs8, type SeedForm } from './seed-form-pkcs8.js';

export class MlDsaPrivateKey {
  private constructor(
    readonly algorithm: MlDsaAlgorithm,
    /** The 32-byte seed ξ, or undefined for a key known only in expanded form. */
    readonly seed: Uint8Array | undefined,
    /** The expanded signing key (FIPS 204 sk). */
    readonly signingKey: Uint8Array,
    /** The public key (FIPS 204 pk), as carried in certificates. */
    readonly publicKey: Uint8Array,
  ) {}

  static fromSeed(algorithm: MlDsaAlgorithm, seed: Uint8Array): MlDsaPrivateKey {
    if (seed.length !== ML_DSA_SEED_LENGTH) throw new RangeError(`ML-DSA seed must be ${ML_DSA_SEED_LENGTH} bytes, got ${seed.length}`);
    const { secretKey, publicKey } = ML_DSA[algorithm].dsa.keygen(seed);
    return new MlDsaPrivateKey(algorithm, Uint8Array.from(seed), secretKey, publicKey);
  }

  static fromExpanded(algorithm: MlDsaAlgorithm, expandedKey: Uint8Array): MlDsaPrivateKey {
    const p = ML_DSA[algorithm];
    if (expandedKey.length !== p.expandedKeyLength) throw new CmsError(CmsErrorCode.badKey, `${algorithm} expanded key must be ${p.expandedKeyLength} bytes, got ${expandedKey.length}`);
    let publicKey: Uint8Array;
    try {
      publicKey = p.dsa.getPublicKey(expandedKey);
    } catch (err) {
      throw new CmsError(CmsErrorCode.badKey, `${algorithm} expanded key is not usable`, { cause: err });
    }
    return new MlDsaPrivateKey(algorithm, undefined, Uint8Array.from(expandedKey), publicKey);
  }

  static generate(algorithm: MlDsaAlgorithm): MlDsaPrivateKey {
    return MlDsaPrivateKey.fromSeed(algorithm, crypto.getRandomValues(new Uint8Array(ML_DSA_SEED_LENGTH)));
  }

  get parameters(): MlDsaParameters {
    return ML_DSA[this.algorithm];
  }

  /** FIPS 204 ML-DSA.Sign, pure mode, empty context (RFC 9881 §3, RFC 9882 §3), hedged. */
  sign(message: Uint8Array): Uint8Array {
    return this.parameters.dsa.sign(message, this.signingKey);
  }

  /** PKCS#8 (RFC 5958 OneAsymmetricKey v0) DER in the seed form by default, as RFC 9881 recommends. */
  toPkcs8(form: SeedForm = 'seed'): Uint8Array {
    return writeSeedFormPkcs8(this, this.parameters.oid, this.signingKey, form);
  }

  toPem(form: SeedForm = 'seed'): string {
    return pemEncode('PRIVATE KEY', this.toPkcs8(form));
  }
}

/** SubjectPublicKeyInfo DER of an ML-DSA public key (RFC 9881 §4). */
export function mlDsaSpki(algorithm: MlDsaAlgorithm, publicKey: Uint8Array): Uint8Array {
  const p = ML_DSA[algorithm];
  if (publicKey.length !== p.publicKeyLength) throw new RangeError(`${algorithm} public key must be ${p.publicKeyLength} bytes, got ${publicKey.length}`);
  return sequence(algorithmIdentifier(p.oid), bitString(publicKey));
}

/** Reads an ML-DSA PKCS#8 private key (DER), in any of the three RFC 9881 forms. */
export function mlDsaPrivateKeyFromPkcs8(der: Uint8Array): MlDsaPrivateKey {
  return readSeedFormPkcs8(der, {
    label: 'ML-DSA',
    rfc: 'RFC 9881',
    seedLength: ML_DSA_SEED_LENGTH,
    byOid: mlDsaByOid,
    fromSeed: (name, seed) => MlDsaPrivateKey.fromSeed(name, seed),
    fromExpanded: (name, expanded) => MlDsaPrivateKey.fromExpanded(name, expanded),
    expandedOf: (key) => key.signingKey,
  });
}

/** An ML-DSA private key from PEM text or DER bytes, or undefined when the key is of another kind. */
export function loadMlDsaPrivateKey(input: string | Uint8Array): MlDsaPrivateKey | undefined {
  const der = pkcs8Der(input);
  const oid = der && pkcs8AlgorithmOid(der);
  return oid && mlDsaByOid(oid) ? mlDsaPrivateKeyFromPkcs8(der!) : undefined;
}
