/**
 * Raw public keys from envelopes (ephemeral ECDH / X25519 originator keys) turned into KeyObjects,
 * validated first: the point must lie on the curve (SEC 1 §3.2.2.1), so an invalid-curve attack
 * on the printer's static key cannot start.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { decodeBer, readBitString, sequenceChildren } from '../asn1/ber-reader.js';
import { algorithmIdentifier, bitString, oid, sequence } from '../asn1/der-writer.js';
import { CmsError, CmsErrorCode } from '../errors.js';
import { OID } from '../oids.js';

export type EcCurve = 'p256' | 'p384' | 'p521';

type Nist = typeof import('@noble/curves/nist.js');
let nist: Nist | undefined;
/** @noble/curves is loaded on first use (deterministic vectors only). */
async function curves(): Promise<Pick<Nist, EcCurve>> {
  nist ??= await import('@noble/curves/nist.js');
  return nist;
}

/** The field primes (FIPS 186-5 / SP 800-186 §3.2.1): a coordinate must be below p. */
const FIELD_PRIME: Readonly<Record<EcCurve, bigint>> = {
  p256: (1n << 256n) - (1n << 224n) + (1n << 192n) + (1n << 96n) - 1n,
  p384: (1n << 384n) - (1n << 128n) - (1n << 96n) + (1n << 32n) - 1n,
  p521: (1n << 521n) - 1n,
};
const COORDINATE_BYTES: Readonly<Record<EcCurve, number>> = { p256: 32, p384: 48, p521: 66 };
const CURVE_OID: Readonly<Record<EcCurve, string>> = { p256: OID.p256, p384: OID.p384, p521: OID.p521 };
const JWK_CRV: Readonly<Record<EcCurve, string>> = { p256: 'P-256', p384: 'P-384', p521: 'P-521' };

/**
 * An originator's EC point (SEC 1 §2.3.3 encoding) as a KeyObject, validated first (SEC 1
 * §3.2.2.1): coordinates below p here, the point on the curve by OpenSSL, which refuses an
 * off-curve point on import (EC_POINT_set_affine_coordinates). The point at infinity has no
 * encoding accepted here. @noble/curves did this check before; it put ~7 MiB on every open.
 */
export async function ecPublicKeyFromPoint(curve: EcCurve, point: Uint8Array): Promise<KeyObject> {
  const size = COORDINATE_BYTES[curve];
  const invalid = (cause?: unknown): CmsError => new CmsError(CmsErrorCode.malformed, `originator public key is not a valid ${curve} point`, cause === undefined ? undefined : { cause });
  const below = (c: Uint8Array): boolean => BigInt(`0x${Buffer.from(c).toString('hex')}`) < FIELD_PRIME[curve];
  if (point[0] === 0x04 && point.length === 1 + 2 * size) {
    const x = point.subarray(1, 1 + size);
    const y = point.subarray(1 + size);
    if (!below(x) || !below(y)) throw invalid();
    // Imported as JWK: OpenSSL 3's DER decoder path costs several times more per key.
    try {
      return createPublicKey({ key: { kty: 'EC', crv: JWK_CRV[curve], x: Buffer.from(x).toString('base64url'), y: Buffer.from(y).toString('base64url') }, format: 'jwk' });
    } catch (err) {
      throw invalid(err);
    }
  }
  if ((point[0] === 0x02 || point[0] === 0x03) && point.length === 1 + size) {
    if (!below(point.subarray(1))) throw invalid();
    // Compressed: OpenSSL decompresses it from a SubjectPublicKeyInfo (and fails when x has no y).
    const spki = sequence(algorithmIdentifier(OID.ecPublicKey, oid(CURVE_OID[curve])), bitString(point));
    try {
      return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    } catch (err) {
      throw invalid(err);
    }
  }
  throw invalid();
}

export function x25519PublicKeyFromBytes(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new CmsError(CmsErrorCode.malformed, `X25519 public key must be 32 bytes (got ${raw.length})`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

/** Raw public key bytes: uncompressed EC point, or the 32-byte X25519/Ed25519 key. */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  // Read from the DER SubjectPublicKeyInfo, not the JWK export: node 20 with OpenSSL 3.0 was seen
  // to deadlock intermittently exporting EC keys as JWK (about one run in four of 3,000 exports).
  const spki = decodeBer(new Uint8Array(pub.export({ format: 'der', type: 'spki' })));
  return new Uint8Array(readBitString(sequenceChildren(spki, 'SubjectPublicKeyInfo')[1], 'subjectPublicKey'));
}

/** Private keys from fixed bytes, used for deterministic vectors (ephemeral keys chosen by a test). */
export async function ecPrivateKeyFromScalar(curve: EcCurve, d: Uint8Array): Promise<KeyObject> {
  const pub = (await curves())[curve].getPublicKey(d, false);
  const n = (pub.length - 1) / 2;
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
  const crv = curve === 'p256' ? 'P-256' : curve === 'p384' ? 'P-384' : 'P-521';
  return createPrivateKey({ key: { kty: 'EC', crv, d: b64(d), x: b64(pub.subarray(1, 1 + n)), y: b64(pub.subarray(1 + n)) }, format: 'jwk' });
}

export function okpPrivateKeyFromSeed(crv: 'X25519' | 'Ed25519', seed: Uint8Array): KeyObject {
  // RFC 8410 §7: OneAsymmetricKey with the 32-byte key in a nested OCTET STRING.
  const prefix = crv === 'X25519' ? '302e020100300506032b656e04220420' : '302e020100300506032b657004220420';
  return createPrivateKey({ key: Buffer.concat([Buffer.from(prefix, 'hex'), seed]), format: 'der', type: 'pkcs8' });
}
