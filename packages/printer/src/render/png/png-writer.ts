/**
 * A small streaming PNG encoder (PNG spec, ISO/IEC 15948 / W3C PNG 2nd ed.): 8-bit greyscale or
 * truecolour, no interlace. Rows are filtered with the Up filter (§9.2, type 2), which suits both
 * scanned-looking rasters and text, and streamed through one zlib deflate stream (§10) whose output
 * becomes IDAT chunks as it is produced: a page never has to be held whole in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { createDeflate, type Deflate } from 'node:zlib';
import { crc32 } from './crc32.js';

export type PngColor = 'gray' | 'rgb';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a); // PNG §5.2
const COLOR_TYPE: Record<PngColor, number> = { gray: 0, rgb: 2 }; // PNG §11.2.2 Table 11.1
export const PNG_CHANNELS: Record<PngColor, number> = { gray: 1, rgb: 3 };
/** PNG §11.2.2: width and height are at most 2^31 − 1. */
const MAX_SIDE = 0x7fffffff;
/** Rows are handed to zlib in batches of about this many bytes. */
const BATCH_BYTES = 256 * 1024;

export class PngWriter {
  readonly width: number;
  readonly height: number;
  readonly color: PngColor;
  private readonly fd: number;
  private readonly deflate: Deflate;
  private readonly rowBytes: number;
  private previous: Uint8Array;
  private batch: Uint8Array;
  private batchUsed = 0;
  private rowsWritten = 0;
  private failure: Error | undefined;
  private closed = false;

  private constructor(path: string, width: number, height: number, color: PngColor) {
    this.width = width;
    this.height = height;
    this.color = color;
    this.rowBytes = width * PNG_CHANNELS[color];
    this.previous = new Uint8Array(this.rowBytes);
    this.batch = new Uint8Array(Math.max(BATCH_BYTES, this.rowBytes + 1));
    this.fd = openSync(path, 'w', 0o644);
    // Previews favour speed: level 2 (zlib's deflate_fast) measured ~5× faster than the default 6
    // on a 150 dpi page, for PNGs about twice as large (tens of KB).
    this.deflate = createDeflate({ level: 2, chunkSize: 64 * 1024 });
    this.deflate.on('data', (chunk: Buffer) => this.writeChunk('IDAT', chunk));
    this.deflate.on('error', (error: Error) => {
      this.failure = error;
    });
    writeSync(this.fd, SIGNATURE);
    const ihdr = new Uint8Array(13); // PNG §11.2.2
    const view = new DataView(ihdr.buffer);
    view.setUint32(0, width);
    view.setUint32(4, height);
    ihdr[8] = 8; // bit depth
    ihdr[9] = COLOR_TYPE[color];
    // compression 0 (deflate), filter method 0 (adaptive), interlace 0 (none): already zero
    this.writeChunk('IHDR', ihdr);
  }

  /** Opens `path` for writing a `width` × `height` image; rows follow with writeRow(). */
  static create(path: string, width: number, height: number, color: PngColor): PngWriter {
    for (const [name, value] of [['width', width], ['height', height]] as const) {
      if (!Number.isInteger(value) || value < 1 || value > MAX_SIDE) {
        throw new RangeError(`PNG ${name} must be an integer in 1..${MAX_SIDE}, got ${value}`);
      }
    }
    return new PngWriter(path, width, height, color);
  }

  /** Appends one row of `width × channels` samples. Await it: it applies zlib's back-pressure. */
  async writeRow(row: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (row.length !== this.rowBytes) {
      throw new RangeError(`PNG row must be ${this.rowBytes} bytes, got ${row.length}`);
    }
    if (this.rowsWritten >= this.height) throw new RangeError(`PNG has only ${this.height} rows`);
    if (this.batchUsed + this.rowBytes + 1 > this.batch.length) await this.flushBatch();
    const out = this.batch;
    let at = this.batchUsed;
    out[at++] = 2; // PNG §9.2 filter type 2, Up: Filt(x) = Orig(x) − Orig(b)
    const previous = this.previous;
    if (Buffer.compare(row, previous) === 0) {
      // The same row again (blank paper): Up filters it to zeros; memcmp and fill are native.
      out.fill(0, at, at + row.length);
      this.batchUsed = at + row.length;
      this.rowsWritten++;
      return;
    }
    for (let i = 0; i < row.length; i++) out[at++] = (row[i]! - previous[i]!) & 0xff;
    this.batchUsed = at;
    previous.set(row);
    this.rowsWritten++;
  }

  /** Ends the image: flushes zlib, writes IEND and closes the file. */
  async finish(): Promise<void> {
    if (this.rowsWritten !== this.height) {
      throw new RangeError(`PNG needs ${this.height} rows, only ${this.rowsWritten} were written`);
    }
    await this.flushBatch();
    const ended = once(this.deflate, 'end');
    this.deflate.end();
    this.deflate.resume();
    await ended;
    if (this.failure) throw this.failure;
    this.writeChunk('IEND', new Uint8Array(0));
    this.close();
  }

  /** Releases the file and the zlib stream without completing the image. */
  abort(): void {
    this.deflate.destroy();
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private async flushBatch(): Promise<void> {
    if (this.batchUsed === 0) return;
    // zlib keeps a reference to the chunk until it has consumed it, so hand over a fresh buffer.
    const chunk = this.batch.subarray(0, this.batchUsed);
    this.batch = new Uint8Array(this.batch.length);
    this.batchUsed = 0;
    if (!this.deflate.write(chunk)) await once(this.deflate, 'drain');
    if (this.failure) throw this.failure;
  }

  /** PNG §5.3: length, type, data, CRC over type and data. */
  private writeChunk(type: string, data: Uint8Array): void {
    const head = new Uint8Array(8);
    const view = new DataView(head.buffer);
    view.setUint32(0, data.length);
    for (let i = 0; i < 4; i++) head[4 + i] = type.charCodeAt(i);
    const crc = crc32(data, crc32(head.subarray(4)));
    const tail = new Uint8Array(4);
    new DataView(tail.buffer).setUint32(0, crc);
    writeSync(this.fd, head);
    if (data.length > 0) writeSync(this.fd, data);
    writeSync(this.fd, tail);
  }
}

/** Reads width and height from a PNG file's IHDR (PNG §11.2.2); used for images poppler wrote. */
export function readPngSize(header: Uint8Array): { width: number; height: number } | undefined {
  if (header.length < 24) return undefined;
  for (let i = 0; i < 8; i++) if (header[i] !== SIGNATURE[i]) return undefined;
  if (String.fromCharCode(header[12]!, header[13]!, header[14]!, header[15]!) !== 'IHDR') return undefined;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
