/**
 * Raw public keys from envelopes (ephemeral ECDH / X25519 originator keys) turned into KeyObjects,
 * validated with @noble/curves first: the point must lie on the curve (SEC 1 §3.2.2.1), so an
 * invalid-curve attack on the printer's static key cannot start.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { decodeBer, readBitString, sequenceChildren } from '../asn1/ber-reader.js';
import { CmsError, CmsErrorCode } from '../errors.js';

export type EcCurve = 'p256' | 'p384' | 'p521';

type Nist = typeof import('@noble/curves/nist.js');
let nist: Nist | undefined;
/** @noble/curves is loaded on first use: sealing and start-up do not pay for it. */
async function curves(): Promise<Pick<Nist, EcCurve>> {
  nist ??= await import('@noble/curves/nist.js');
  return nist;
}

export async function ecPublicKeyFromPoint(curve: EcCurve, point: Uint8Array): Promise<KeyObject> {
  const c = (await curves())[curve];
  let x: bigint;
  let y: bigint;
  try {
    const p = c.Point.fromBytes(point);
    p.assertValidity();
    ({ x, y } = p.toAffine());
  } catch (err) {
    throw new CmsError(CmsErrorCode.malformed, `originator public key is not a valid ${curve} point`, { cause: err });
  }
  // Imported as JWK: OpenSSL 3's DER decoder path costs several times more per key.
  const size = curve === 'p256' ? 32 : curve === 'p384' ? 48 : 66;
  const b64 = (v: bigint): string => Buffer.from(v.toString(16).padStart(size * 2, '0'), 'hex').toString('base64url');
  const crv = curve === 'p256' ? 'P-256' : curve === 'p384' ? 'P-384' : 'P-521';
  return createPublicKey({ key: { kty: 'EC', crv, x: b64(x), y: b64(y) }, format: 'jwk' });
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
