import { Buffer } from 'node:buffer';
import type { Readable } from 'node:stream';
import { decodeAttributeSection } from './decode.js';
import { IppError } from './errors.js';
import type { DecodeOptions } from './limits.js';
import { resolveLimits } from './limits.js';
import { SectionScanner } from './section-scanner.js';
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
 * Reads an `application/ipp` body from a stream (an HTTP request body): resolves as soon as
 * end-of-attributes-tag has arrived, with the decoded attribute section and the rest of the
 * stream as the document. Only the attribute section is ever held in memory; it is bounded by
 * `limits.maxMessageBytes`. Rejects with an IppError on malformed or truncated input.
 */
export function readIppMessage(stream: Readable, options?: DecodeOptions): Promise<StreamedMessage> {
  const limits = resolveLimits(options);
  const scanner = new SectionScanner(limits);
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
      fail(cause instanceof IppError ? cause : new IppError('IPP_STREAM_ERROR', 'the stream failed before end-of-attributes', { offset: received, cause }));
    const onEnd = (): void =>
      fail(new IppError('IPP_TRUNCATED', `stream ended after ${received} bytes, before end-of-attributes-tag`, { offset: received }));
    const onReadable = (): void => {
      try {
        let chunk: unknown;
        while ((chunk = stream.read()) !== null) {
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : (chunk as Buffer);
          const base = received;
          received += bytes.length;
          chunks.push(bytes);
          if (!scanner.feed(bytes, base)) continue;
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
      reject(new IppError(stream.readableEnded ? 'IPP_TRUNCATED' : 'IPP_STREAM_ERROR', 'the stream has already ended', { offset: 0 }));
      return;
    }
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
