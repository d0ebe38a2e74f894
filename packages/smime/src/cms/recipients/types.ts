/**
 * What every RecipientInfo module (ktri, kari, kekri, pwri, ori) shares: the options a caller
 * gives for a key-pair recipient, what opening reports about the entry used, and the shape in
 * which a module offers an entry it could open with our key.
 */
import type { KeyObject } from 'node:crypto';
import type { Certificate, CertificateInput } from '../../x509/certificate.js';
import type { IdentifierKind, RecipientId } from '../recipient-identifier.js';

export interface RecipientOptions {
  readonly certificate: CertificateInput;
  /** How the RecipientInfo names the certificate; default issuerAndSerialNumber. */
  readonly identifier?: IdentifierKind;
  /** ECDH/X25519: user keying material (RFC 5652 §6.2.2); none by default. */
  readonly ukm?: Uint8Array;
  /** ECDH on P-curves: X9.63 KDF digest; default SHA-256 for P-256, SHA-384 for P-384. */
  readonly kdfDigest?: 'sha256' | 'sha384' | 'sha512';
  /** RSA-OAEP hash; default SHA-256 (SHA-1 is accepted on read only). */
  readonly oaepHash?: 'sha256' | 'sha384' | 'sha512';
  /** Deterministic vectors only: the ephemeral key (ECDH/X25519) or OAEP seed. */
  readonly ephemeralKey?: KeyObject;
  readonly oaepSeed?: Uint8Array;
  /** Deterministic vectors only: the 32-byte ML-KEM encapsulation randomness (FIPS 203 m). */
  readonly kemRandomness?: Uint8Array;
}

/** A key-pair recipient with its certificate parsed. */
export type KeyRecipient = RecipientOptions & { readonly cert: Certificate };

export interface RecipientUsed {
  /** Index of the RecipientInfo in the envelope. */
  readonly index: number;
  readonly type: 'ktri' | 'kari' | 'pwri' | 'kemri';
  /**
   * The key-encryption scheme, e.g. 'rsaes-oaep-sha256', 'ecdh-x963-sha256', 'x25519-hkdf-sha256',
   * 'ml-kem-768-hkdf-sha256', 'pbkdf2-sha256-aes-256-cbc' (a password).
   */
  readonly scheme: string;
  /** The certificate named, or `{ kind: 'password' }` for a PasswordRecipientInfo. */
  readonly identifier: RecipientId | { readonly kind: 'password' };
}

export interface RecipientPolicy {
  /** Allow RSA PKCS#1 v1.5 key transport (default false). */
  readonly allowRsaPkcs1v15?: boolean;
  /** Allow ECDH with the SHA-1 X9.63 KDF, OpenSSL's default (default false). */
  readonly allowSha1Kdf?: boolean;
}

/** An entry addressed to a key pair of our kind, not yet tried. */
export interface Candidate {
  readonly index: number;
  readonly type: 'ktri' | 'kari' | 'kemri';
  readonly rid: RecipientId;
  readonly decrypt: () => Promise<{ cek: Uint8Array; scheme: string }> | { cek: Uint8Array; scheme: string };
}
