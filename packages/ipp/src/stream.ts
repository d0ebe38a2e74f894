import { Buffer } from 'node:buffer';
import type { Readable } from 'node:stream';
import { decodeAttributeSection } from './decode.js';
import { IppError } from './errors.js';
import type { DecodeLimits, DecodeOptions } from './limits.js';
import { resolveLimits } from './limits.js';
import type { IppMessage } from './model.js';

export interface StreamedMessage {
  /** The header and attribute section; `data` is not set (the document is in `data` below). */
  readonly message: IppMessage;
  /**
   * The document data: the source stream itself, with the bytes already read past
   * end-of-attributes-tag put back in front (`unshift`), so nothing is buffered or copied.
   */
  readonly data: Readable;
}

/**
 * Finds where the attribute section ends without decoding it, across chunk boundaries, in
 * constant memory per step: the same framing walk as the decoder (RFC 8010 §3.1) reduced to
 * "how many bytes to skip next".
 */
class SectionScanner {
  /** Absolute offset of the next byte the scanner wants. */
  private pos = 8;
  /** Pending 2-octet length: high byte seen (or -1), and which field it belongs to. */
  private state: 'tag' | 'name-length' | 'value-length' = 'tag';
  private lengthBytes = 0;
  private length = 0;
  private skipUntil = 8;
  /** Offset just past end-of-attributes, once found. */
  end = -1;

  /** Feeds the chunk starting at absolute offset `base`; returns true once the section ended. */
  feed(chunk: Buffer, base: number, limits: DecodeLimits): boolean {
    const chunkEnd = base + chunk.length;
    while (this.end < 0) {
      if (this.pos < this.skipUntil) this.pos = this.skipUntil;
      if (this.pos >= chunkEnd) return false;
      if (this.pos >= limits.maxMessageBytes) {
        throw new IppError('message-too-large', `attribute section exceeds the ${limits.maxMessageBytes}-byte limit`, { offset: this.pos });
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
          throw new IppError('name-too-long', `attribute name of ${this.length} octets exceeds the ${limits.maxNameLength}-octet limit`, { offset: this.pos - 2 });
        }
        this.skipUntil = this.pos + this.length;
        this.beginLength('value-length');
      } else {
        if (this.length > limits.maxValueLength) {
          throw new IppError('value-too-long', `value of ${this.length} octets exceeds the ${limits.maxValueLength}-octet limit`, { offset: this.pos - 2 });
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

/**
 * Reads an `application/ipp` body from a stream (an HTTP request body): resolves as soon as
 * end-of-attributes-tag has arrived, with the decoded attribute section and the rest of the
 * stream as the document. Only the attribute section is ever held in memory; it is bounded by
 * `limits.maxMessageBytes`. Rejects with an IppError on malformed or truncated input.
 */
export function readIppMessage(stream: Readable, options?: DecodeOptions): Promise<StreamedMessage> {
  const limits = resolveLimits(options);
  const scanner = new SectionScanner();
  const chunks: Buffer[] = [];
  let received = 0;

  return new Promise<StreamedMessage>((resolve, reject) => {
    const cleanup = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const fail = (error: unknown): void => {
      cleanup();
      reject(error);
    };
    const onError = (cause: unknown): void =>
      fail(cause instanceof IppError ? cause : new IppError('stream-error', 'the stream failed before end-of-attributes', { offset: received, cause }));
    const onEnd = (): void =>
      fail(new IppError('truncated', `stream ended after ${received} bytes, before end-of-attributes-tag`, { offset: received }));
    const onReadable = (): void => {
      try {
        let chunk: unknown;
        while ((chunk = stream.read()) !== null) {
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : (chunk as Buffer);
          const base = received;
          received += bytes.length;
          chunks.push(bytes);
          if (!scanner.feed(bytes, base, limits)) continue;
          const end = scanner.end;
          cleanup();
          // Hand back what was read past the attribute section, then let the caller consume the rest.
          const tail = bytes.subarray(end - base);
          if (tail.length > 0) stream.unshift(tail);
          chunks[chunks.length - 1] = bytes.subarray(0, end - base);
          const section = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, end);
          const { message } = decodeAttributeSection(section, limits);
          resolve({ message, data: stream });
          return;
        }
      } catch (error) {
        fail(error);
      }
    };
    // A stream that already finished will never emit again: answer now instead of waiting forever.
    if (stream.destroyed || stream.readableEnded) {
      reject(new IppError(stream.readableEnded ? 'truncated' : 'stream-error', 'the stream has already ended', { offset: 0 }));
      return;
    }
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
