import { Buffer } from 'node:buffer';
import { asFast } from './strings.js';

/**
 * Scratch space shared by every encode: encoding is synchronous, so one buffer serves all calls
 * and a message costs a single right-sized copy at the end instead of a series of growths.
 */
let scratch = Buffer.allocUnsafe(64 * 1024);

/** A growable output buffer: strings written in place, one copy out at the end. */
export class ByteWriter {
  private buf: Buffer;
  pos = 0;

  constructor() {
    this.buf = scratch;
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    // Keep the larger scratch for later messages, up to a bound so one huge message does not pin memory.
    if (size <= 1024 * 1024) scratch = next;
  }

  // The fixed-size writers below do not check capacity: the encoder calls `ensure` once for each
  // field (tag, name, value) instead of once per byte.

  u8(n: number): void {
    this.buf[this.pos++] = n;
  }

  u16(n: number): void {
    this.buf[this.pos++] = n >>> 8;
    this.buf[this.pos++] = n & 0xff;
  }

  i32(n: number): void {
    this.buf.writeInt32BE(n, this.pos);
    this.pos += 4;
  }

  u32(n: number): void {
    this.buf.writeUInt32BE(n, this.pos);
    this.pos += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Writes a 2-octet length then the UTF-8 of `text`; returns the octet length written. */
  lengthPrefixedUtf8(text: string): number {
    const n = text.length;
    this.ensure(2 + n * 3);
    const buf = this.buf;
    const at = this.pos + 2;
    let len = 0;
    // ASCII fast path: most IPP strings are short keywords and URIs.
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) break;
      buf[at + i] = c;
    }
    len = i === n ? n : asFast(buf).utf8Write(text, at);
    buf[this.pos] = len >>> 8;
    buf[this.pos + 1] = len & 0xff;
    this.pos = at + len;
    return len;
  }

  /**
   * Writes a 2-octet length then the latin1 bytes of `text` (attribute and member names, which
   * are keywords). Returns false, writing nothing, if a code unit is above 0xFF.
   */
  lengthPrefixedLatin1(text: string): boolean {
    const n = text.length;
    // Names are followed by a value-length and usually a fixed-size value: reserve room for those too.
    this.ensure(2 + n + 16);
    const buf = this.buf;
    const at = this.pos + 2;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0xff) return false;
      buf[at + i] = c;
    }
    buf[this.pos] = n >>> 8;
    buf[this.pos + 1] = n & 0xff;
    this.pos = at + n;
    return true;
  }

  patchU16(at: number, n: number): void {
    this.buf[at] = n >>> 8;
    this.buf[at + 1] = n & 0xff;
  }

  /** A copy of the bytes written (the scratch buffer is reused by the next encode). */
  result(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  /** The bytes written followed by `tail`, in one new buffer. */
  resultWith(tail: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(this.pos + tail.length);
    this.buf.copy(out, 0, 0, this.pos);
    out.set(tail, this.pos);
    return out;
  }
}
