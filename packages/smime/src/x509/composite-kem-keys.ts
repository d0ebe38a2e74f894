/**
 * Composite ML-KEM keys (draft-ietf-lamps-pq-composite-kem-18 §4.2, §5.1): the private key is the
 * ML-KEM seed followed by the raw X25519 secret key, carried as-is in the PKCS#8 privateKey OCTET
 * STRING with the composite OID and no parameters; the public key is the ML-KEM encapsulation key
 * followed by the raw X25519 public key, as-is in the certificate's subjectPublicKey.
 */
import type { KeyObject } from 'node:crypto';
import { decodeBer, readAlgorithmIdentifier, readOctets, readSmallInteger, sequenceChildren } from '../asn1/ber-reader.js';
import { algorithmIdentifier, integer, octetString, sequence } from '../asn1/der-writer.js';
import { COMPOSITE_KEM, compositeDecapsulate, x25519PrivateKeyFromBytes, x25519RawPublic, type CompositeKemAlgorithm, type CompositeKemParameters } from '../crypto/composite-kem.js';
import { ML_KEM_SEED_LENGTH } from '../crypto/ml-kem.js';
import { CmsError, CmsErrorCode } from '../errors.js';
import { MlKemPrivateKey } from './ml-kem-keys.js';
import { pemEncode } from './pem.js';

export class CompositeKemPrivateKey {
  readonly algorithm: CompositeKemAlgorithm;
  readonly mlkem: MlKemPrivateKey;
  readonly x25519SecretKey: Uint8Array;
  readonly x25519PublicKey: Uint8Array;
  readonly #x25519Key: KeyObject;
  /** The composite public key: ML-KEM encapsulation key ‖ X25519 public key. */
  readonly publicKey: Uint8Array;

  private constructor(algorithm: CompositeKemAlgorithm, mlkemSeed: Uint8Array, x25519SecretKey: Uint8Array) {
    const p = COMPOSITE_KEM[algorithm];
    this.algorithm = algorithm;
    this.mlkem = MlKemPrivateKey.fromSeed(p.mlkem.name, mlkemSeed);
    this.x25519SecretKey = Uint8Array.from(x25519SecretKey);
    this.#x25519Key = x25519PrivateKeyFromBytes(this.x25519SecretKey);
    this.x25519PublicKey = x25519RawPublic(this.#x25519Key);
    this.publicKey = new Uint8Array([...this.mlkem.publicKey, ...this.x25519PublicKey]);
  }

  /** From the serialized private key (§4.2): 64-byte ML-KEM seed ‖ 32-byte X25519 secret key. */
  static fromBytes(algorithm: CompositeKemAlgorithm, bytes: Uint8Array): CompositeKemPrivateKey {
    const p = COMPOSITE_KEM[algorithm];
    if (bytes.length !== ML_KEM_SEED_LENGTH + p.tradLength) throw new CmsError(CmsErrorCode.badKey, `${algorithm} private key must be ${ML_KEM_SEED_LENGTH + p.tradLength} bytes, got ${bytes.length}`);
    return new CompositeKemPrivateKey(algorithm, bytes.subarray(0, ML_KEM_SEED_LENGTH), bytes.subarray(ML_KEM_SEED_LENGTH));
  }

  /** §3.1: both halves freshly generated. */
  static generate(algorithm: CompositeKemAlgorithm): CompositeKemPrivateKey {
    // RFC 7748 §6.1: an X25519 secret key is 32 random bytes (no key export: see x25519RawPublic).
    return new CompositeKemPrivateKey(algorithm, crypto.getRandomValues(new Uint8Array(ML_KEM_SEED_LENGTH)), crypto.getRandomValues(new Uint8Array(32)));
  }

  get parameters(): CompositeKemParameters {
    return COMPOSITE_KEM[this.algorithm];
  }

  decapsulate(cipherText: Uint8Array): Uint8Array {
    return compositeDecapsulate(this.parameters, { mlkemDecapsulate: (ct) => this.mlkem.decapsulate(ct), x25519Key: this.#x25519Key, x25519PublicKey: this.x25519PublicKey }, cipherText);
  }

  toPkcs8(): Uint8Array {
    return sequence(integer(0), algorithmIdentifier(this.parameters.oid), octetString(new Uint8Array([...this.mlkem.seed!, ...this.x25519SecretKey])));
  }

  toPem(): string {
    return pemEncode('PRIVATE KEY', this.toPkcs8());
  }
}

export function compositeKemByOid(oid: string): CompositeKemParameters | undefined {
  return Object.values(COMPOSITE_KEM).find((p) => p.oid === oid);
}

/** Reads a composite ML-KEM PKCS#8 private key (DER). */
export function compositeKemPrivateKeyFromPkcs8(der: Uint8Array): CompositeKemPrivateKey {
  const f = sequenceChildren(decodeBer(der), 'PrivateKeyInfo');
  const version = readSmallInteger(f[0], 'PrivateKeyInfo.version');
  if (version !== 0 && version !== 1) throw new CmsError(CmsErrorCode.badKey, `PKCS#8 version ${version}`);
  const alg = readAlgorithmIdentifier(f[1], 'privateKeyAlgorithm');
  const p = compositeKemByOid(alg.algorithm);
  if (!p) throw new CmsError(CmsErrorCode.badKey, `not a composite ML-KEM private key (algorithm ${alg.algorithm})`);
  if (alg.parameters) throw new CmsError(CmsErrorCode.badKey, `${p.name} algorithm parameters must be absent`);
  return CompositeKemPrivateKey.fromBytes(p.name, readOctets(f[2], 'privateKey'));
}
