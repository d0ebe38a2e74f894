/**
 * RSAES-OAEP (RFC 8017 §7.1). Encryption normally goes through node:crypto; the explicit encoder
 * here is used only when the caller supplies the seed (deterministic test vectors), applying the
 * raw RSA permutation to an EME-OAEP block we built ourselves.
 */
import { constants, createHash, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { CmsError, CmsErrorCode } from '../errors.js';

export type OaepHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

function mgf1(hash: OaepHash, seed: Uint8Array, length: number): Buffer {
  const parts: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let i = 0, n = 0; n < length; i++) {
    counter.writeUInt32BE(i);
    const block = createHash(hash).update(seed).update(counter).digest();
    parts.push(block);
    n += block.length;
  }
  return Buffer.concat(parts).subarray(0, length);
}

function modulusBytes(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new CmsError(CmsErrorCode.badKey, 'RSA key without a modulus length');
  return Math.ceil(bits / 8);
}

export function oaepEncrypt(key: KeyObject, hash: OaepHash, message: Uint8Array, seed?: Uint8Array): Uint8Array {
  if (!seed) return new Uint8Array(publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, message));
  const k = modulusBytes(key);
  const lHash = createHash(hash).digest(); // RFC 8017 §7.1.1 step 2a: L is the empty string
  const hLen = lHash.length;
  if (seed.length !== hLen) throw new RangeError(`oaepEncrypt: seed must be ${hLen} bytes (got ${seed.length})`);
  if (message.length > k - 2 * hLen - 2) throw new RangeError('oaepEncrypt: message too long for the modulus');
  const db = Buffer.alloc(k - hLen - 1);
  lHash.copy(db, 0);
  db[k - hLen - 2 - message.length] = 0x01;
  db.set(message, k - hLen - 1 - message.length);
  const dbMask = mgf1(hash, seed, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= dbMask[i]!;
  const seedMask = mgf1(hash, db, hLen);
  const maskedSeed = Buffer.from(seed);
  for (let i = 0; i < hLen; i++) maskedSeed[i]! ^= seedMask[i]!;
  const em = Buffer.concat([Buffer.of(0), maskedSeed, db]);
  return new Uint8Array(publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, em));
}

export function oaepDecrypt(key: KeyObject, hash: OaepHash, ciphertext: Uint8Array): Uint8Array {
  try {
    return new Uint8Array(privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, ciphertext));
  } catch (err) {
    throw new CmsError(CmsErrorCode.decryptFailed, 'RSA-OAEP decryption failed', { cause: err });
  }
}

export const oaepSeed = (hash: OaepHash): Uint8Array => new Uint8Array(randomBytes(createHash(hash).digest().length));
