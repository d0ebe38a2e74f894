/**
 * Writes a document stream to a private file as it arrives (never buffered whole), undoing the
 * request's `compression` (RFC 8011 §5.4.32: none, deflate, gzip) and hashing the bytes written.
 * The bytes written are capped, so a small compressed upload cannot fill the disk; the bytes read
 * are capped before they get here, by the transport.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { Compression } from '../attributes/capabilities.js';

export interface SpoolResult {
  /** Bytes written (after decompression). */
  readonly bytes: number;
  /** Bytes read from the request. */
  readonly receivedBytes: number;
  /** SHA-256 of the bytes written, lowercase hex. */
  readonly sha256: string;
  /** The first bytes written (for format sniffing), at most 16. */
  readonly head: Uint8Array;
}

export class SpoolLimitError extends Error {
  constructor(readonly limit: number) {
    super(`document exceeds ${limit} bytes`);
    this.name = 'SpoolLimitError';
  }
}

/** Counts, hashes and caps the bytes passing through. */
class Meter extends Transform {
  bytes = 0;
  readonly hash = createHash('sha256');
  head = new Uint8Array(0);
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) return done(new SpoolLimitError(this.limit));
    if (this.head.length < 16) this.head = Uint8Array.from([...this.head, ...chunk.subarray(0, 16 - this.head.length)]);
    this.hash.update(chunk);
    done(null, chunk);
  }
}

function decompressor(compression: Compression): Transform | undefined {
  switch (compression) {
    case 'none':
      return undefined;
    case 'gzip':
      return createGunzip();
    case 'deflate':
      // RFC 8011 §5.4.32 "deflate" is RFC 1951 raw DEFLATE; ipptool and CUPS send the zlib
      // (RFC 1950) wrapper. Peek at the first byte to accept both.
      return new DeflateAutodetect();
  }
}

/** Inflates either zlib-wrapped (RFC 1950) or raw (RFC 1951) DEFLATE data. */
class DeflateAutodetect extends Transform {
  #inner: Transform | undefined;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (!this.#inner) {
      const b0 = chunk[0]!;
      const b1 = chunk[1] ?? 0;
      // RFC 1950 §2.2: CM = 8 and (CMF*256 + FLG) divisible by 31.
      const zlib = (b0 & 0x0f) === 8 && ((b0 << 8) | b1) % 31 === 0;
      this.#inner = zlib ? createInflate() : createInflateRaw();
      this.#inner.on('data', (d: Buffer) => this.push(d));
      this.#inner.on('error', (e) => this.destroy(e));
    }
    if (this.#inner.write(chunk)) done();
    else this.#inner.once('drain', () => done());
  }
  override _flush(done: TransformCallback): void {
    if (!this.#inner) return done();
    this.#inner.once('end', () => done());
    this.#inner.end();
  }
}

export async function spoolToFile(
  data: Readable,
  file: string,
  options: { maxBytes: number; compression?: Compression; signal?: AbortSignal },
): Promise<SpoolResult> {
  let received = 0;
  // What arrives is capped by the transport (ipp-http's maxDocumentBytes); here it is only counted.
  const counter = new Transform({
    transform(chunk: Buffer, _e, done) {
      received += chunk.length;
      done(null, chunk);
    },
  });
  const meter = new Meter(options.maxBytes);
  const stages: (Readable | Transform)[] = [data, counter];
  const inflate = decompressor(options.compression ?? 'none');
  if (inflate) stages.push(inflate);
  stages.push(meter);
  const writer = createWriteStream(file, { mode: 0o600, flags: 'wx' });
  try {
    await pipeline([...stages, writer] as unknown as [Readable, NodeJS.WritableStream], { signal: options.signal });
  } catch (err) {
    // The file is opened asynchronously: wait until the writer is closed so the removal is final.
    if (!writer.closed) await new Promise<void>((resolve) => writer.once('close', () => resolve()));
    await rm(file, { force: true });
    throw err;
  }
  return { bytes: meter.bytes, receivedBytes: received, sha256: meter.hash.digest('hex'), head: meter.head };
}
