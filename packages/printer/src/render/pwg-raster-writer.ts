/**
 * A PWG Raster (PWG 5102.4) generator for tests and test tools: the ipptool IPP Everywhere tests and
 * the renderer tests feed printers with files made here. It compresses exactly as §4.4 describes
 * (line repeats, pixel runs, literal runs, optionally the "rest of line is white" code 128), so a
 * decoder meets every construct. Pixels come from a callback, or a default test pattern.
 */
import { PWG_COLOR_SPACES, PWG_HEADER_BYTES, PWG_OFFSETS, PWG_SYNC, type PwgColorSpace } from './pwg/pwg-header.js';

export type { PwgColorSpace } from './pwg/pwg-header.js';

/** Returns the colorant values of pixel (x, y) of page `page` (0-based), each 0..2^bitsPerColor−1. */
export type PwgPixelSource = (x: number, y: number, page: number) => readonly number[];

export interface PwgRasterOptions {
  pages: number;
  width: number;
  height: number;
  colorSpace: PwgColorSpace;
  bitsPerColor: 1 | 8 | 16;
  /** HWResolution, dots per inch (default 300 × 300). */
  resolution?: readonly [number, number];
  pixel?: PwgPixelSource;
  /**
   * Faster alternative to `pixel` for large pages: fills `out` (BytesPerLine bytes, zeroed) with the
   * packed row y of page `page` — samples big-endian for 16 bits, MSB first for 1 bit.
   */
  row?: (y: number, page: number, out: Uint8Array) => void;
  /** Emit control byte 128 when the rest of a line is white (default false: CUPS never writes it). */
  whiteFill?: boolean;
  /** PageSizeName (default derived from nothing: "custom"). */
  pageSizeName?: string;
  /** TotalPageCount in every header (default `pages`). */
  totalPageCount?: number;
}

/** The default pattern: diagonal bands that differ per colorant and per page, with white margins. */
export function defaultPwgPattern(options: Pick<PwgRasterOptions, 'width' | 'height' | 'colorSpace' | 'bitsPerColor'>): PwgPixelSource {
  const channels = PWG_COLOR_SPACES[options.colorSpace].channels;
  const max = 2 ** options.bitsPerColor - 1;
  const ink = options.colorSpace === 'black' || options.colorSpace === 'cmyk';
  const white = ink ? 0 : max;
  const margin = Math.floor(Math.min(options.width, options.height) / 10);
  return (x, y, page) => {
    const values: number[] = [];
    const inside = x >= margin && y >= margin && x < options.width - margin && y < options.height - margin;
    for (let c = 0; c < channels; c++) {
      if (!inside) values.push(white);
      else if (options.bitsPerColor === 1) values.push(((x + y + page) >> 3) & 1);
      else values.push(Math.round((((x + 2 * y + 40 * page + 50 * c) % 256) / 255) * max));
    }
    return values;
  };
}

function encodeHeader(options: PwgRasterOptions): Uint8Array {
  const bytes = new Uint8Array(PWG_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  const O = PWG_OFFSETS;
  const put = (at: number, value: number): void => view.setUint32(at, value);
  const text = (at: number, value: string): void => {
    for (let i = 0; i < Math.min(63, value.length); i++) bytes[at + i] = value.charCodeAt(i) & 0x7f;
  };
  const { width, height, bitsPerColor, colorSpace } = options;
  const [xDpi, yDpi] = options.resolution ?? [300, 300];
  const channels = PWG_COLOR_SPACES[colorSpace].channels;
  text(O.mediaClass, 'PwgRaster'); // PWG 5102.4 §4.3.1.1
  put(O.hwResolution, xDpi);
  put(O.hwResolution + 4, yDpi);
  put(O.numCopies, 1);
  put(O.pageSize, Math.round((width * 72) / xDpi)); // points
  put(O.pageSize + 4, Math.round((height * 72) / yDpi));
  put(O.width, width);
  put(O.height, height);
  put(O.bitsPerColor, bitsPerColor);
  put(O.bitsPerPixel, bitsPerColor * channels);
  put(O.bytesPerLine, Math.ceil((width * bitsPerColor * channels) / 8));
  put(O.colorSpace, PWG_COLOR_SPACES[colorSpace].code);
  put(O.numColors, channels);
  put(O.totalPageCount, options.totalPageCount ?? options.pages);
  put(456, 1); // CrossFeedTransform (§4.3.1.40)
  put(460, 1); // FeedTransform (§4.3.1.41)
  put(472, width); // ImageBoxRight
  put(476, height); // ImageBoxBottom
  text(O.pageSizeName, options.pageSizeName ?? 'custom');
  return bytes;
}

function packRow(options: PwgRasterOptions, source: PwgPixelSource, y: number, page: number, out: Uint8Array): void {
  const { width, bitsPerColor } = options;
  out.fill(0);
  if (options.row) {
    options.row(y, page, out);
    return;
  }
  if (bitsPerColor === 1) {
    for (let x = 0; x < width; x++) if (source(x, y, page)[0]) out[x >> 3]! |= 0x80 >> (x & 7);
    return;
  }
  let at = 0;
  for (let x = 0; x < width; x++) {
    for (const value of source(x, y, page)) {
      if (bitsPerColor === 16) {
        out[at++] = value >> 8; // big-endian (PWG 5102.4 §4.4)
        out[at++] = value & 0xff;
      } else out[at++] = value;
    }
  }
}

function sameUnit(line: Uint8Array, a: number, b: number, unit: number): boolean {
  for (let k = 0; k < unit; k++) if (line[a * unit + k] !== line[b * unit + k]) return false;
  return true;
}

/** PWG 5102.4 §4.4 run encoding of one line (without its repeat byte). */
function encodeLine(line: Uint8Array, unit: number, white: number | undefined, out: number[]): void {
  const n = line.length / unit;
  let i = 0;
  while (i < n) {
    if (white !== undefined && line.subarray(i * unit).every((b) => b === white)) {
      out.push(128);
      return;
    }
    let run = 1;
    while (i + run < n && run < 128 && sameUnit(line, i, i + run, unit)) run++;
    if (run > 1 || i + 1 === n) {
      out.push(run - 1); // 0..127: the next pixel, run times
      for (let k = 0; k < unit; k++) out.push(line[i * unit + k]!);
      i += run;
      continue;
    }
    let count = 1;
    while (i + count < n && count < 128 && !(i + count + 1 < n && sameUnit(line, i + count, i + count + 1, unit))) count++;
    if (count === 1) {
      out.push(0);
    } else {
      out.push(257 - count); // 129..255: count literal pixels
    }
    for (let k = 0; k < count * unit; k++) out.push(line[i * unit + k]!);
    i += count;
  }
}

/** Builds a complete PWG Raster document ("RaS2", then header and compressed rows per page). */
export function writePwgRaster(options: PwgRasterOptions): Uint8Array {
  const { width, height, pages, bitsPerColor, colorSpace } = options;
  for (const [name, value] of [['pages', pages], ['width', width], ['height', height]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`writePwgRaster: ${name} must be a positive integer, got ${value}`);
  }
  const channels = PWG_COLOR_SPACES[colorSpace].channels;
  if (bitsPerColor === 1 && channels !== 1) throw new RangeError(`writePwgRaster: 1-bit ${colorSpace} is not a PWG Raster type`);
  const source = options.pixel ?? defaultPwgPattern(options);
  const bitsPerPixel = bitsPerColor * channels;
  const unit = Math.max(1, bitsPerPixel / 8);
  const whiteByte = colorSpace === 'black' || colorSpace === 'cmyk' ? 0x00 : 0xff;
  const white = options.whiteFill ? whiteByte : undefined;
  const chunks: Uint8Array[] = [Uint8Array.from(PWG_SYNC, (c) => c.charCodeAt(0))];
  const header = encodeHeader(options);
  const bytesPerLine = Math.ceil((width * bitsPerPixel) / 8);
  for (let page = 0; page < pages; page++) {
    chunks.push(header);
    let current = new Uint8Array(bytesPerLine);
    let next = new Uint8Array(bytesPerLine);
    packRow(options, source, 0, page, current);
    let y = 0;
    while (y < height) {
      let repeats = 0;
      while (y + repeats + 1 < height && repeats < 255) {
        packRow(options, source, y + repeats + 1, page, next);
        if (!next.every((b, k) => b === current[k])) break;
        repeats++;
      }
      const encoded: number[] = [repeats];
      encodeLine(current, unit, white, encoded);
      chunks.push(Uint8Array.from(encoded));
      y += repeats + 1;
      if (y < height) {
        // `next` holds row y unless the repeat loop stopped on its 255 limit
        if (repeats === 255) packRow(options, source, y, page, next);
        [current, next] = [next, current];
      }
    }
  }
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
