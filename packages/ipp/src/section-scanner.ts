import { IppError } from './errors.js';
import { DEFAULT_LIMITS, type DecodeLimits } from './limits.js';

/**
 * Finds where the attribute section ends without decoding it, across chunk boundaries, in
 * constant memory per step: the same framing walk as the decoder (RFC 8010 §3.1) reduced to
 * "how many bytes to skip next". The streaming reader uses it to hand the document on as a
 * stream; the printer uses it to split a decrypted inner request from its document data.
 * Feed chunks in order with the absolute offset of their first byte; once feed returns true,
 * `end` is the offset just past end-of-attributes-tag. Over a limit it throws an IppError.
 */
export class SectionScanner {
  /** Absolute offset of the next byte the scanner wants. */
  private pos = 8;
  /** Pending 2-octet length: high byte seen (or -1), and which field it belongs to. */
  private state: 'tag' | 'name-length' | 'value-length' = 'tag';
  private lengthBytes = 0;
  private length = 0;
  private skipUntil = 8;
  /** Offset just past end-of-attributes, once found. */
  end = -1;

  constructor(private readonly limits: DecodeLimits = DEFAULT_LIMITS) {}

  /** Feeds the chunk starting at absolute offset `base`; returns true once the section ended. */
  feed(chunk: Uint8Array, base: number): boolean {
    const limits = this.limits;
    const chunkEnd = base + chunk.length;
    while (this.end < 0) {
      if (this.pos < this.skipUntil) this.pos = this.skipUntil;
      if (this.pos >= chunkEnd) return false;
      if (this.pos >= limits.maxMessageBytes) {
        throw new IppError('IPP_MESSAGE_TOO_LARGE', `attribute section exceeds the ${limits.maxMessageBytes}-byte limit`, { offset: this.pos });
      }
      const byte = chunk[this.pos - base]!;
      this.pos++;
      if (this.state === 'tag') {
        if (byte === 0x03) this.end = this.pos;
        else if (byte >= 0x10) this.beginLength('name-length');
        continue;
      }
      this.length = (this.length << 8) | byte;
      if (++this.lengthBytes < 2) continue;
      if (this.state === 'name-length') {
        if (this.length > limits.maxNameLength) {
          throw new IppError('IPP_NAME_TOO_LONG', `attribute name of ${this.length} octets exceeds the ${limits.maxNameLength}-octet limit`, { offset: this.pos - 2 });
        }
        this.skipUntil = this.pos + this.length;
        this.beginLength('value-length');
      } else {
        if (this.length > limits.maxValueLength) {
          throw new IppError('IPP_VALUE_TOO_LONG', `value of ${this.length} octets exceeds the ${limits.maxValueLength}-octet limit`, { offset: this.pos - 2 });
        }
        this.skipUntil = this.pos + this.length;
        this.state = 'tag';
      }
    }
    return true;
  }

  private beginLength(state: 'name-length' | 'value-length'): void {
    this.state = state;
    this.lengthBytes = 0;
    this.length = 0;
  }
}
