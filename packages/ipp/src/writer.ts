import { Buffer } from 'node:buffer';

/**
 * Where the encoder writes. Encoded messages are carved out of a shared slab, the way Node's
 * Buffer pool works for small buffers: encoding writes straight into free slab space and the
 * result is a view of it, so a message costs neither a fresh ArrayBuffer nor a copy. A message
 * that outgrows the slab moves to a buffer of its own. (As with pooled Buffers, `result.buffer`
 * may hold other messages too.)
 *
 * The state is module-level rather than a writer object: the encoder passes its position as a
 * plain number and writes `out[p] = ...` directly, which spares a property load and store per
 * byte (measured: the object's fields were a visible share of the encoder's time). `out` and
 * `view` change only in `begin` and `room`; the encoder reads them again after calling either.
 * Encoding is synchronous and never calls user code that could start another encoding.
 */
const SLAB_SIZE = 256 * 1024;
let slab = Buffer.allocUnsafe(SLAB_SIZE);
let slabView = viewOf(slab);
let slabUsed = 0;

/** The buffer being written and a DataView of it (for the encode cache's 32-bit words). */
export let out: Buffer = slab;
export let view: DataView = slabView;
/** Where the current message starts in `out`. */
let start = 0;

function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

/** Starts a message; returns its first position. */
export function begin(): number {
  // A fresh slab when less than an eighth is left, so most messages fit without moving.
  if (SLAB_SIZE - slabUsed < SLAB_SIZE / 8) {
    slab = Buffer.allocUnsafe(SLAB_SIZE);
    slabView = viewOf(slab);
    slabUsed = 0;
  }
  out = slab;
  view = slabView;
  start = slabUsed;
  return start;
}

/** Makes room for `n` octets at `p`. Positions stay valid: a larger buffer keeps every offset. */
export function room(p: number, n: number): void {
  if (p + n > out.length) grow(p, n);
}

function grow(p: number, n: number): void {
  let size = Math.max(SLAB_SIZE, (p - start) * 2);
  while (size < p + n) size *= 2;
  const next = Buffer.allocUnsafe(size);
  out.copy(next, start, start, p);
  out = next;
  view = viewOf(next);
}

/** The bytes written up to `p` (a view; slab space is claimed so later messages do not overwrite it). */
export function finish(p: number): Buffer {
  const result = out.subarray(start, p);
  if (out === slab) slabUsed = (p + 7) & ~7;
  return result;
}

/** The bytes written up to `p` followed by `tail`, in one new buffer (the slab space is left free). */
export function finishWith(p: number, tail: Uint8Array): Buffer {
  const len = p - start;
  const result = Buffer.allocUnsafe(len + tail.length);
  out.copy(result, 0, start, p);
  result.set(tail, len);
  return result;
}
