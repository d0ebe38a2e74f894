import { Buffer } from 'node:buffer';
import { asFast } from './strings.js';

/** A growable output buffer: one allocation per doubling, strings written in place. */
export class ByteWriter {
  private buf: Buffer;
  pos = 0;

  constructor(initial = 4096) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(n: number): void {
    this.ensure(1);
    this.buf[this.pos++] = n;
  }

  u16(n: number): void {
    this.ensure(2);
    this.buf[this.pos++] = n >>> 8;
    this.buf[this.pos++] = n & 0xff;
  }

  i32(n: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(n, this.pos);
    this.pos += 4;
  }

  u32(n: number): void {
    this.ensure(4);
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

  /** Writes a 2-octet length then the latin1 bytes of `text` (names; code units ≤ 0xFF checked by the caller). */
  lengthPrefixedLatin1(text: string): void {
    const n = text.length;
    this.ensure(2 + n);
    const buf = this.buf;
    buf[this.pos] = n >>> 8;
    buf[this.pos + 1] = n & 0xff;
    const at = this.pos + 2;
    for (let i = 0; i < n; i++) buf[at + i] = text.charCodeAt(i);
    this.pos = at + n;
  }

  patchU16(at: number, n: number): void {
    this.buf[at] = n >>> 8;
    this.buf[at + 1] = n & 0xff;
  }

  /** The bytes written so far (a view of the internal buffer; the writer must not be reused). */
  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
