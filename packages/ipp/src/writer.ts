import { Buffer } from 'node:buffer';
import { asFast } from './strings.js';

/**
 * Encoded messages are carved out of a shared slab, the way Node's Buffer pool works for small
 * buffers: encoding writes straight into free slab space and the result is a view of it, so a
 * message costs neither a fresh ArrayBuffer nor a copy. A message that outgrows the slab moves
 * to a buffer of its own. (As with pooled Buffers, `result.buffer` may hold other messages too.)
 */
const SLAB_SIZE = 256 * 1024;
let slab = Buffer.allocUnsafe(SLAB_SIZE);
let slabView = viewOf(slab);
let slabUsed = 0;

function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

/** A growable output buffer: strings written in place, one view handed out at the end. */
export class ByteWriter {
  private buf: Buffer;
  /**
   * A view of the current buffer, for the encoder's packed cache entries (encode-cache.ts), which
   * it writes as whole 32-bit words in place (a method call per entry cost as much as the copy).
   * Replaced when `ensure` moves to a larger buffer, so read it after `ensure`.
   */
  view: DataView;
  private start: number;
  pos: number;

  constructor() {
    // A fresh slab when less than an eighth is left, so most messages fit without moving.
    if (SLAB_SIZE - slabUsed < SLAB_SIZE / 8) {
      slab = Buffer.allocUnsafe(SLAB_SIZE);
      slabView = viewOf(slab);
      slabUsed = 0;
    }
    this.buf = slab;
    this.view = slabView;
    this.start = slabUsed;
    this.pos = slabUsed;
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    const used = this.pos - this.start;
    let size = Math.max(SLAB_SIZE, used * 2);
    while (size < used + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.view = viewOf(next);
    this.start = 0;
    this.pos = used;
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

  /** Big-endian two's complement; the caller has range-checked `n`. */
  i32(n: number): void {
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = n >>> 24;
    buf[p++] = (n >>> 16) & 0xff;
    buf[p++] = (n >>> 8) & 0xff;
    buf[p++] = n & 0xff;
    this.pos = p;
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

  /** The bytes written (a view; the slab space is claimed so later messages do not overwrite it). */
  result(): Buffer {
    const out = this.buf.subarray(this.start, this.pos);
    if (this.buf === slab) slabUsed = (this.pos + 7) & ~7;
    return out;
  }

  /** The bytes written followed by `tail`, in one new buffer (the writer's space is released). */
  resultWith(tail: Uint8Array): Buffer {
    const len = this.pos - this.start;
    const out = Buffer.allocUnsafe(len + tail.length);
    this.buf.copy(out, 0, this.start, this.pos);
    out.set(tail, len);
    return out;
  }
}
