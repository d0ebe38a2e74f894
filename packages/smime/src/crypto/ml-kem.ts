/**
 * ML-KEM (FIPS 203) through @noble/post-quantum: the three parameter sets with their object
 * identifiers (RFC 9935 §3), their sizes (FIPS 203 Table 3), and the key wrap RFC 9936 §2.1 pairs
 * with each (AES-128 key wrap for ML-KEM-512, AES-256 for ML-KEM-768 and ML-KEM-1024).
 */
import type { ml_kem512 } from '@noble/post-quantum/ml-kem.js';
import { OID } from '../oids.js';
import { mlKemModule } from './post-quantum-modules.js';

export type MlKemAlgorithm = 'ml-kem-512' | 'ml-kem-768' | 'ml-kem-1024';

export interface MlKemParameters {
  readonly name: MlKemAlgorithm;
  readonly oid: string;
  readonly publicKeyLength: number;
  /** The expanded decapsulation key (dk) of FIPS 203. */
  readonly expandedKeyLength: number;
  readonly ciphertextLength: number;
  /** Bytes of the AES key-wrap key RFC 9936 §2.1 requires with this set. */
  readonly kekLength: 16 | 32;
  /** @noble/post-quantum's implementation, loaded on first use (crypto/post-quantum-modules.ts). */
  readonly kem: typeof ml_kem512;
}

export const ML_KEM: Readonly<Record<MlKemAlgorithm, MlKemParameters>> = {
  'ml-kem-512': { name: 'ml-kem-512', oid: OID.mlKem512, publicKeyLength: 800, expandedKeyLength: 1632, ciphertextLength: 768, kekLength: 16, get kem() { return mlKemModule().ml_kem512; } },
  'ml-kem-768': { name: 'ml-kem-768', oid: OID.mlKem768, publicKeyLength: 1184, expandedKeyLength: 2400, ciphertextLength: 1088, kekLength: 32, get kem() { return mlKemModule().ml_kem768; } },
  'ml-kem-1024': { name: 'ml-kem-1024', oid: OID.mlKem1024, publicKeyLength: 1568, expandedKeyLength: 3168, ciphertextLength: 1568, kekLength: 32, get kem() { return mlKemModule().ml_kem1024; } },
};

/** The seed (d ‖ z) that determines a key pair (FIPS 203 §7.1, RFC 9935 §6). */
export const ML_KEM_SEED_LENGTH = 64;

export function mlKemByOid(oid: string): MlKemParameters | undefined {
  return Object.values(ML_KEM).find((p) => p.oid === oid);
}
