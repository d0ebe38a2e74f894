/**
 * ML-DSA (FIPS 204) through @noble/post-quantum: the three parameter sets with their object
 * identifiers (RFC 9881 §2), their sizes (FIPS 204 Table 2), and the weakest message digest
 * RFC 9882 §3 lets a CMS signer pair with each (a digest at least as strong as the set).
 */
import type { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { OID, type DigestName } from '../oids.js';
import { mlDsaModule } from './post-quantum-modules.js';

export type MlDsaAlgorithm = 'ml-dsa-44' | 'ml-dsa-65' | 'ml-dsa-87';

export interface MlDsaParameters {
  readonly name: MlDsaAlgorithm;
  readonly oid: string;
  readonly publicKeyLength: number;
  /** The expanded private key (sk) of FIPS 204. */
  readonly expandedKeyLength: number;
  readonly signatureLength: number;
  /** Digests a SignerInfo may use with this set (RFC 9882 §3: collision strength ≥ the set's). */
  readonly digests: readonly DigestName[];
  /** @noble/post-quantum's implementation, loaded on first use (crypto/post-quantum-modules.ts). */
  readonly dsa: typeof ml_dsa44;
}

export const ML_DSA: Readonly<Record<MlDsaAlgorithm, MlDsaParameters>> = {
  'ml-dsa-44': { name: 'ml-dsa-44', oid: OID.mlDsa44, publicKeyLength: 1312, expandedKeyLength: 2560, signatureLength: 2420, digests: ['sha256', 'sha384', 'sha512'], get dsa() { return mlDsaModule().ml_dsa44; } },
  'ml-dsa-65': { name: 'ml-dsa-65', oid: OID.mlDsa65, publicKeyLength: 1952, expandedKeyLength: 4032, signatureLength: 3309, digests: ['sha384', 'sha512'], get dsa() { return mlDsaModule().ml_dsa65; } },
  'ml-dsa-87': { name: 'ml-dsa-87', oid: OID.mlDsa87, publicKeyLength: 2592, expandedKeyLength: 4896, signatureLength: 4627, digests: ['sha512'], get dsa() { return mlDsaModule().ml_dsa87; } },
};

/** The seed ξ that determines a key pair (FIPS 204 §6.1, RFC 9881 §6). */
export const ML_DSA_SEED_LENGTH = 32;

export function mlDsaByOid(oid: string): MlDsaParameters | undefined {
  return Object.values(ML_DSA).find((p) => p.oid === oid);
}

/**
 * Pure ML-DSA verification with the empty context string (RFC 9882 §3, RFC 9881 §3). A signature
 * of the wrong length or a malformed key is a failed check, not an exception.
 */
export function mlDsaVerify(p: MlDsaParameters, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== p.signatureLength || publicKey.length !== p.publicKeyLength) return false;
  try {
    return p.dsa.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}
