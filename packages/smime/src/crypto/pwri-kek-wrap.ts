/**
 * The id-alg-PWRI-KEK key wrap of RFC 3211 §2.3: the content-encryption key, prefixed by its length
 * and a 3-byte check value and padded with random bytes to at least two cipher blocks, is
 * encrypted twice with the same block cipher in CBC mode; the second pass uses the last block of
 * the first pass as its IV, so every output block depends on every input block.
 *
 * The check value (the complement of the key's first 3 bytes) is the only thing that tells a wrong
 * password from a right one before the content is decrypted; it is compared without early exit.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CmsError, CmsErrorCode } from '../errors.js';

export type PwriKekCipher = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc';
const BLOCK = 16;

export function kekLengthOf(cipher: PwriKekCipher): number {
  return cipher === 'aes-128-cbc' ? 16 : cipher === 'aes-192-cbc' ? 24 : 32;
}

function cbc(encrypt: boolean, cipher: PwriKekCipher, kek: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const c = encrypt ? createCipheriv(cipher, kek, iv) : createDecipheriv(cipher, kek, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** RFC 3211 §2.3.1. `padding` is for deterministic vectors only (random otherwise). */
export function pwriWrap(cipher: PwriKekCipher, kek: Uint8Array, iv: Uint8Array, cek: Uint8Array, padding?: Uint8Array): Uint8Array {
  if (cek.length < 3 || cek.length > 255) throw new CmsError(CmsErrorCode.badOptions, `a ${cek.length}-byte key cannot be wrapped with id-alg-PWRI-KEK`);
  const unpadded = 4 + cek.length;
  const total = Math.max(2 * BLOCK, Math.ceil(unpadded / BLOCK) * BLOCK);
  const block = new Uint8Array(total);
  block[0] = cek.length;
  block[1] = ~cek[0]! & 0xff;
  block[2] = ~cek[1]! & 0xff;
  block[3] = ~cek[2]! & 0xff;
  block.set(cek, 4);
  block.set(padding ?? randomBytes(total - unpadded), unpadded);
  const first = cbc(true, cipher, kek, iv, block);
  return cbc(true, cipher, kek, first.subarray(total - BLOCK), first);
}

/**
 * RFC 3211 §2.3.2. Returns the key, or throws CMS_WRONG_PASSWORD when the length byte or check
 * value does not fit (a wrong password, with probability 1 - 2^-24), CMS_MALFORMED when the
 * wrapped key is not a whole number of at least two blocks.
 */
export function pwriUnwrap(cipher: PwriKekCipher, kek: Uint8Array, iv: Uint8Array, wrapped: Uint8Array, expectedLength: number): Uint8Array {
  const n = wrapped.length;
  if (n < 2 * BLOCK || n % BLOCK !== 0 || n > 4096) throw new CmsError(CmsErrorCode.malformed, `PWRI wrapped key of ${n} bytes is not 2..256 whole AES blocks`);
  // The first pass's last block is the second pass's IV: recover it from the last two blocks
  // (CBC decryption of one block needs only the block before it), then undo both passes.
  const lastOfFirst = cbc(false, cipher, kek, wrapped.subarray(n - 2 * BLOCK, n - BLOCK), wrapped.subarray(n - BLOCK));
  const first = cbc(false, cipher, kek, lastOfFirst, wrapped);
  const block = cbc(false, cipher, kek, iv, first);
  // Accumulate every mismatch before deciding: the time taken does not say which byte was wrong.
  let bad = block[0]! ^ expectedLength;
  bad |= (block[1]! ^ block[4]!) ^ 0xff;
  bad |= (block[2]! ^ block[5]!) ^ 0xff;
  bad |= (block[3]! ^ block[6]!) ^ 0xff;
  const fits = 4 + expectedLength <= n ? 0 : 1;
  if ((bad | fits) !== 0) {
    block.fill(0);
    throw new CmsError(CmsErrorCode.wrongPassword, 'the password does not open this envelope');
  }
  const cek = block.slice(4, 4 + expectedLength);
  block.fill(0);
  return cek;
}
