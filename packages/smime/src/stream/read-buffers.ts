/**
 * The buffers openFile reads the envelope into, and the ones handed back for reuse. Allocating a
 * fresh 1 MiB buffer per read made glibc serve the megabyte blocks from its heap (once the first
 * free raised its mmap threshold), which fragmented and grew with the job's size.
 * Two or three buffers are in use at any time (the reader's current one, the one being filled),
 * so a free list of two keeps reading allocation-free after the start.
 *
 * A buffer is handed back only once nothing can read it any more: the stream reader no longer
 * refers to it, and every view of it the reader handed out went through the cipher (see open.ts).
 * The reader copies every element it returns, so no parsed field is a view of a read buffer.
 */
import { release } from './release.js';

const KEEP = 2;

export class ReadBuffers {
  readonly #ours = new WeakSet<object>();
  readonly #free: ArrayBuffer[] = [];

  constructor(readonly size: number) {}

  /** A buffer of `size` bytes to read into: a recycled one when there is one. */
  take(): Buffer {
    const recycled = this.#free.pop();
    const b = recycled ? Buffer.from(recycled) : Buffer.allocUnsafeSlow(this.size);
    this.#ours.add(b.buffer);
    return b;
  }

  /** Whether `ab` is one of the buffers handed out by take(). */
  has(ab: ArrayBufferLike): boolean {
    return this.#ours.has(ab);
  }

  /** `ab` (from take()) will not be read again: reuse it, or free it now if enough are kept. */
  giveBack(ab: ArrayBufferLike): void {
    if (!this.#ours.delete(ab)) return;
    if (this.#free.length < KEEP && ab instanceof ArrayBuffer && ab.byteLength === this.size) this.#free.push(ab);
    else release(new Uint8Array(ab));
  }
}
