/**
 * AES-GCM with additional data that arrives *after* the ciphertext, as AuthEnvelopedData's
 * authAttrs do (RFC 5083 §2.1: they follow the encrypted content, yet are GCM's AAD, §2.2).
 * OpenSSL needs the AAD first, so while decrypting we also run a second GCM context over the
 * ciphertext *as AAD only* (GHASH, cheap), and combine afterwards, by linearity of GHASH
 * (NIST SP 800-38D §6.4, §7.1):
 *
 *   T' = E(J0) ⊕ GHASH(C, ∅)          (the second context's tag)
 *   T  = E(J0) ⊕ GHASH(A, C)
 *      = T' ⊕ G_A·H^(c+1) ⊕ (L ⊕ L')·H
 *
 * with H = E_K(0^128), G_A the GHASH chain over A's blocks, c = number of blocks of C,
 * L = [len(A)]64 ‖ [len(C)]64 and L' = [len(C)]64 ‖ [0]64 (lengths in bits). E(J0) cancels, so the
 * nonce length does not matter. Used only when authAttrs are present; otherwise the ordinary
 * decipher checks the tag.
 */
import { createCipheriv, timingSafeEqual, type Cipher } from 'node:crypto';

const R = 0xe1n << 120n; // SP 800-38D §6.3
const MASK = (1n << 128n) - 1n;

/** Multiplication in GF(2^128) with GCM's bit order (SP 800-38D §6.3, Algorithm 1). */
export function gfMul(x: bigint, y: bigint): bigint {
  let z = 0n;
  let v = x;
  for (let i = 127; i >= 0; i--) {
    if ((y >> BigInt(i)) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z & MASK;
}

function gfPow(x: bigint, e: bigint): bigint {
  let result = 1n << 127n; // the multiplicative identity: the block 10…0
  let base = x;
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) result = gfMul(result, base);
    base = gfMul(base, base);
  }
  return result;
}

const toBig = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
const toBytes = (x: bigint): Buffer => Buffer.from(x.toString(16).padStart(32, '0'), 'hex');

function ghashChain(h: bigint, data: Uint8Array): bigint {
  let y = 0n;
  for (let i = 0; i < data.length; i += 16) {
    const block = Buffer.alloc(16);
    block.set(data.subarray(i, i + 16));
    y = gfMul(y ^ toBig(block), h);
  }
  return y;
}

/** Runs beside the decipher: feed it every ciphertext chunk, then check the tag with late AAD. */
export class LateAadGcmVerifier {
  private readonly ghashOnly: Cipher;
  private cipherLength = 0n;

  constructor(
    private readonly algorithm: 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm',
    private readonly key: Uint8Array,
    iv: Uint8Array,
  ) {
    this.ghashOnly = createCipheriv(algorithm, key, iv, { authTagLength: 16 });
  }

  update(ciphertext: Uint8Array): void {
    if (ciphertext.length === 0) return;
    (this.ghashOnly as unknown as { setAAD(b: Uint8Array): void }).setAAD(ciphertext);
    this.cipherLength += BigInt(ciphertext.length);
  }

  /** True when `tag` (12..16 bytes, truncated per SP 800-38D §5.2.1.2) authenticates A and C. */
  verify(aad: Uint8Array, tag: Uint8Array): boolean {
    this.ghashOnly.final();
    const tPrime = toBig((this.ghashOnly as unknown as { getAuthTag(): Buffer }).getAuthTag());
    const ecb = createCipheriv(this.algorithm.replace('gcm', 'ecb'), this.key, null);
    ecb.setAutoPadding(false);
    const h = toBig(Buffer.concat([ecb.update(Buffer.alloc(16)), ecb.final()]));
    const c = (this.cipherLength + 15n) / 16n;
    const bitsC = this.cipherLength * 8n;
    const l = (BigInt(aad.length * 8) << 64n) | bitsC;
    const lPrime = bitsC << 64n;
    const t = tPrime ^ gfMul(ghashChain(h, aad), gfPow(h, c + 1n)) ^ gfMul(l ^ lPrime, h);
    const expected = toBytes(t).subarray(0, tag.length);
    return tag.length >= 12 && tag.length <= 16 && timingSafeEqual(expected, tag);
  }
}
