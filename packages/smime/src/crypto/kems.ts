/**
 * The KEMs a KEMRecipientInfo (RFC 9629) may name, as one table: ML-KEM-512/768/1024 (RFC 9936)
 * and composite ML-KEM-768 + X25519 (draft-ietf-lamps-pq-composite-kem-18). For each: its OID, the
 * size of its ciphertext and public key, the key-encryption key length written with it (AES key
 * wrap of that size, HKDF-SHA-256), encapsulation, and which private-key class decapsulates.
 */
import { COMPOSITE_KEM, compositeEncapsulate, type CompositeKemAlgorithm } from './composite-kem.js';
import { ML_KEM, type MlKemAlgorithm } from './ml-kem.js';
import { mlKemEncapsulate } from './ml-kem-encapsulators.js';

export type KemAlgorithm = MlKemAlgorithm | CompositeKemAlgorithm;

export interface CmsKem {
  readonly name: KemAlgorithm;
  readonly oid: string;
  readonly publicKeyLength: number;
  readonly ciphertextLength: number;
  readonly kekLength: 16 | 32;
  readonly encapsulate: (publicKey: Uint8Array, randomness?: Uint8Array) => { cipherText: Uint8Array; sharedSecret: Uint8Array };
}

const mlKems: CmsKem[] = Object.values(ML_KEM).map((p) => ({
  name: p.name,
  oid: p.oid,
  publicKeyLength: p.publicKeyLength,
  ciphertextLength: p.ciphertextLength,
  kekLength: p.kekLength,
  encapsulate: (pk, m) => mlKemEncapsulate(p, pk, m),
}));
const composites: CmsKem[] = Object.values(COMPOSITE_KEM).map((p) => ({
  name: p.name,
  oid: p.oid,
  publicKeyLength: p.publicKeyLength,
  ciphertextLength: p.ciphertextLength,
  kekLength: p.kekLength,
  encapsulate: (pk, r) => compositeEncapsulate(p, pk, r),
}));

export const KEMS: Readonly<Record<KemAlgorithm, CmsKem>> = Object.fromEntries([...mlKems, ...composites].map((k) => [k.name, k])) as Record<KemAlgorithm, CmsKem>;

export const kemByOid = (oid: string): CmsKem | undefined => Object.values(KEMS).find((k) => k.oid === oid);

export const isKemAlgorithm = (kind: string): kind is KemAlgorithm => kind in KEMS;
