/**
 * Deterministic "randomness" for published vectors: every secret a sealer would draw at random
 * (content-encryption key, nonce, ephemeral ECDH key, OAEP seed, ML-KEM message, the composite's
 * ephemeral X25519 key, job nonce) is derived from the vector's name with SHA-256, so anyone can
 * recompute it and the bytes never change. Only for vectors: a real sealer that did this would be
 * broken.
 */
import { createECDH, createHash, createPrivateKey, type KeyObject } from 'node:crypto';

export function derive(vector: string, purpose: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let block = 0, at = 0; at < length; block++) {
    const h = createHash('sha256').update(`trustnoone vector ${vector} ${purpose} ${block}`).digest();
    const n = Math.min(h.length, length - at);
    out.set(h.subarray(0, n), at);
    at += n;
  }
  return out;
}

/** A P-256 private key from a derived scalar (SHA-256 output is below the group order with overwhelming probability). */
export function derivedP256Key(vector: string, purpose: string): KeyObject {
  const d = Buffer.from(derive(vector, purpose, 32));
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const pub = ecdh.getPublicKey(); // 0x04 || X || Y
  const b64 = (b: Buffer) => b.toString('base64url');
  return createPrivateKey({ format: 'jwk', key: { kty: 'EC', crv: 'P-256', d: b64(d), x: b64(pub.subarray(1, 33)), y: b64(pub.subarray(33, 65)) } });
}

/** A version 4 UUID (RFC 4122 §4.4 layout) from derived bytes, as urn:uuid:. */
export function derivedUuid(vector: string, purpose: string): string {
  const b = derive(vector, purpose, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Buffer.from(b).toString('hex');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
