/**
 * PWG Raster row decompression (PWG 5102.4 §4.4, the PackBits-like scheme shared with CUPS Raster):
 * each line starts with a repeat byte (the line occurs N+1 times), then control bytes until the line
 * is full: 0..127 repeats the next pixel b+1 times, 129..255 copies 257−b literal pixels, 128 fills
 * the rest of the line with white. A "pixel" here is BitsPerPixel/8 bytes, or one byte (8 pixels)
 * for 1-bit data. Runs that overshoot the line or the page are errors, not clamped.
 */
import type { ByteReader } from '../byte-reader.js';
import { malformed } from '../errors.js';
import type { PwgPageHeader } from './pwg-header.js';

/** The byte value of white: colorants (black, CMYK) are additive ink, the others are light. */
export function whiteByte(header: PwgPageHeader): number {
  return header.colorSpace === 'black' || header.colorSpace === 'cmyk' ? 0x00 : 0xff;
}

export class PwgRowDecoder {
  private readonly line: Uint8Array;
  private readonly unit: number;
  private readonly white: number;
  private repeatsLeft = 0;
  private rowsDone = 0;

  constructor(
    private readonly reader: ByteReader,
    private readonly header: PwgPageHeader,
  ) {
    this.line = new Uint8Array(header.bytesPerLine);
    this.unit = Math.max(1, header.bitsPerPixel / 8);
    this.white = whiteByte(header);
  }

  /** The next row of the page (the returned buffer is reused by the next call). */
  next(): Uint8Array {
    if (this.rowsDone >= this.header.height) throw new RangeError('all rows of the page were read');
    this.rowsDone++;
    if (this.repeatsLeft > 0) {
      this.repeatsLeft--;
      return this.line;
    }
    const repeatAt = this.reader.offset;
    const repeats = this.reader.byte('line repeat count');
    if (this.rowsDone + repeats > this.header.height) {
      throw malformed(`PWG line repeat of ${repeats + 1} runs past the page's ${this.header.height} lines`, repeatAt);
    }
    this.repeatsLeft = repeats;
    this.decodeLine();
    return this.line;
  }

  /**
   * Consumes the remaining copies of the line last returned (PWG line repeat count) and says how
   * many there were: they are the same bytes, so the caller can handle them in one step.
   */
  takeRepeats(): number {
    const n = this.repeatsLeft;
    this.repeatsLeft = 0;
    this.rowsDone += n;
    return n;
  }

  private decodeLine(): void {
    const { line, unit, reader } = this;
    const length = line.length;
    let pos = 0;
    while (pos < length) {
      const controlAt = reader.offset;
      const control = reader.byte('PWG run control byte');
      if (control === 128) {
        line.fill(this.white, pos);
        return;
      }
      const count = control < 128 ? control + 1 : 257 - control;
      const bytes = count * unit;
      if (pos + bytes > length) {
        throw malformed(`PWG run of ${count} pixels overruns the ${length}-byte line at byte ${pos}`, controlAt);
      }
      if (control < 128) {
        reader.readInto(line, 'repeated pixel', pos, unit);
        for (let i = pos + unit; i < pos + bytes; i++) line[i] = line[i - unit]!;
      } else {
        reader.readInto(line, 'literal pixels', pos, bytes);
      }
      pos += bytes;
    }
  }
}

/**
 * Converts one decoded PWG row to 8-bit preview samples: grey (1 channel) or RGB (3 channels).
 * 16-bit samples are big-endian (PWG 5102.4 §4.4); previews keep their high byte.
 */
export function convertRow(header: PwgPageHeader, src: Uint8Array, dst: Uint8Array, outChannels: 1 | 3): void {
  const { width, colorSpace, bitsPerColor } = header;
  if (bitsPerColor === 1) {
    // 1-bit: bit set is black ink for `black`, light for `sgray` (PWG 5102.4 §4.3.1.27).
    const setValue = colorSpace === 'black' ? 0 : 255;
    const clearValue = 255 - setValue;
    for (let x = 0; x < width; x++) {
      const bit = (src[x >> 3]! >> (7 - (x & 7))) & 1;
      const v = bit ? setValue : clearValue;
      if (outChannels === 1) dst[x] = v;
      else dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = v;
    }
    return;
  }
  const step = bitsPerColor / 8; // bytes per sample; the high byte comes first
  const channels = header.channels;
  if (step === 1 && channels === outChannels && colorSpace !== 'black' && colorSpace !== 'cmyk') {
    dst.set(src.subarray(0, width * channels)); // sgray_8 → grey, srgb_8 / adobe-rgb_8 → RGB: as is
    return;
  }
  for (let x = 0, i = 0; x < width; x++, i += channels * step) {
    let r: number;
    let g: number;
    let b: number;
    if (channels === 1) {
      const v = colorSpace === 'black' ? 255 - src[i]! : src[i]!;
      if (outChannels === 1) {
        dst[x] = v;
        continue;
      }
      r = g = b = v;
    } else if (channels === 3) {
      r = src[i]!;
      g = src[i + step]!;
      b = src[i + 2 * step]!;
    } else {
      // Naive CMYK → RGB (no ICC profile: the preview shows content, not colour-managed output).
      const k = 255 - src[i + 3 * step]!;
      r = ((255 - src[i]!) * k + 127) / 255;
      g = ((255 - src[i + step]!) * k + 127) / 255;
      b = ((255 - src[i + 2 * step]!) * k + 127) / 255;
    }
    if (outChannels === 1) {
      dst[x] = (r * 77 + g * 150 + b * 29 + 128) >> 8; // ITU-R BT.601 luma weights in 1/256ths
    } else {
      dst[3 * x] = r;
      dst[3 * x + 1] = g;
      dst[3 * x + 2] = b;
    }
  }
}
