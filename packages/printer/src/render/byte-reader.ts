/**
 * Buffered sequential reads from a file descriptor: the renderers read documents in 64 KiB pieces
 * and never load them whole. Keeps the absolute offset so decode errors can say where they are.
 */
import { readSync } from 'node:fs';
import { malformed } from './errors.js';

export class ByteReader {
  private readonly buffer: Uint8Array;
  private start = 0;
  private end = 0;
  private consumed = 0;
  private eof = false;

  constructor(
    private readonly fd: number,
    bufferBytes = 64 * 1024,
  ) {
    this.buffer = new Uint8Array(bufferBytes);
  }

  /** Absolute offset of the next byte to be read. */
  get offset(): number {
    return this.consumed;
  }

  /** True when no byte is left (reads ahead if needed). */
  atEnd(): boolean {
    return !this.fill() && this.start === this.end;
  }

  /** Next byte; a truncated input is a RENDER_MALFORMED error naming `what`. */
  byte(what: string): number {
    if (this.start === this.end && !this.fill()) throw malformed(`truncated input: ${what} expected`, this.consumed);
    this.consumed++;
    return this.buffer[this.start++]!;
  }

  /** Copies exactly `target.length` bytes into `target` (from `at` on). */
  readInto(target: Uint8Array, what: string, at = 0, length = target.length - at): void {
    let done = 0;
    while (done < length) {
      if (this.start === this.end && !this.fill()) {
        throw malformed(`truncated input: ${length - done} more bytes of ${what} expected`, this.consumed);
      }
      const n = Math.min(length - done, this.end - this.start);
      target.set(this.buffer.subarray(this.start, this.start + n), at + done);
      this.start += n;
      this.consumed += n;
      done += n;
    }
  }

  /** Makes at least one byte available; false at end of file. */
  private fill(): boolean {
    if (this.start < this.end) return true;
    if (this.eof) return false;
    const n = readSync(this.fd, this.buffer, 0, this.buffer.length, null);
    this.start = 0;
    this.end = n;
    if (n === 0) this.eof = true;
    return n > 0;
  }
}
