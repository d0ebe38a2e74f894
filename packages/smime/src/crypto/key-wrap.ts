/** AES Key Wrap (RFC 3394) through node:crypto's id-aesNNN-wrap ciphers. */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { CmsError, CmsErrorCode } from '../errors.js';

// RFC 3394 §2.2.3.1: the default initial value.
const DEFAULT_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

function cipherName(kek: Uint8Array): string {
  if (kek.length !== 16 && kek.length !== 24 && kek.length !== 32) throw new RangeError(`key wrap: KEK must be 16, 24 or 32 bytes (got ${kek.length})`);
  return `id-aes${kek.length * 8}-wrap`;
}

export function aesKeyWrap(kek: Uint8Array, key: Uint8Array): Uint8Array {
  const c = createCipheriv(cipherName(kek), kek, DEFAULT_IV);
  return new Uint8Array(Buffer.concat([c.update(key), c.final()]));
}

/** Unwraps; an integrity-check failure is CMS_DECRYPT_FAILED (the KEK or wrapped key is wrong). */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  if (wrapped.length < 24 || wrapped.length % 8 !== 0) throw new CmsError(CmsErrorCode.malformed, `wrapped key length ${wrapped.length} is not a multiple of 8 of at least 24`);
  try {
    const d = createDecipheriv(cipherName(kek), kek, DEFAULT_IV);
    return new Uint8Array(Buffer.concat([d.update(wrapped), d.final()]));
  } catch (err) {
    throw new CmsError(CmsErrorCode.decryptFailed, 'AES key unwrap integrity check failed', { cause: err });
  }
}

export const wrapOidForKeyLength = (n: number): string =>
  n === 16 ? '2.16.840.1.101.3.4.1.5' : n === 24 ? '2.16.840.1.101.3.4.1.25' : '2.16.840.1.101.3.4.1.45';
