/**
 * The PWG Raster page header (PWG 5102.4 §4.3): 1,796 bytes, integers big-endian. Only the fields
 * a renderer needs are decoded, and every one is checked against the format's rules and the
 * renderer's limits before any pixel buffer is sized from it.
 */
import { limitExceeded, malformed } from '../errors.js';
import type { RenderLimits } from '../limits.js';

export const PWG_SYNC = 'RaS2'; // PWG 5102.4 §4.2
export const PWG_HEADER_BYTES = 1796;

/** PWG 5102.4 §4.3.1.27 ColorSpace values this renderer decodes, with their colorant count. */
export const PWG_COLOR_SPACES = {
  black: { code: 3, channels: 1 },
  cmyk: { code: 6, channels: 4 },
  sgray: { code: 18, channels: 1 },
  srgb: { code: 19, channels: 3 },
  'adobe-rgb': { code: 20, channels: 3 },
} as const;
export type PwgColorSpace = keyof typeof PWG_COLOR_SPACES;

/** Byte offsets of the header fields (PWG 5102.4 §4.3, Table 1). */
export const PWG_OFFSETS = {
  mediaClass: 0, // "PwgRaster"
  duplex: 272,
  hwResolution: 276,
  numCopies: 340,
  pageSize: 352,
  width: 372,
  height: 376,
  bitsPerColor: 384,
  bitsPerPixel: 388,
  bytesPerLine: 392,
  colorOrder: 396,
  colorSpace: 400,
  numColors: 420,
  totalPageCount: 452,
  pageSizeName: 1732,
} as const;

export interface PwgPageHeader {
  xDpi: number;
  yDpi: number;
  width: number;
  height: number;
  bitsPerColor: 1 | 8 | 16;
  bitsPerPixel: number;
  bytesPerLine: number;
  colorSpace: PwgColorSpace;
  /** Colorants per pixel (1, 3 or 4). */
  channels: number;
  totalPageCount: number;
  pageSizeName: string;
}

function cString(bytes: Uint8Array, at: number, length: number): string {
  let end = at;
  while (end < at + length && bytes[end] !== 0) end++;
  let text = '';
  for (let i = at; i < end; i++) text += bytes[i]! >= 0x20 && bytes[i]! < 0x7f ? String.fromCharCode(bytes[i]!) : '?';
  return text;
}

/** Decodes and checks one page header; `offset` is where it starts in the file (for errors). */
export function parsePwgHeader(bytes: Uint8Array, offset: number, limits: RenderLimits): PwgPageHeader {
  if (bytes.length !== PWG_HEADER_BYTES) throw new RangeError(`PWG header must be ${PWG_HEADER_BYTES} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number): number => view.getUint32(at);
  const at = (field: number): number => offset + field;
  const O = PWG_OFFSETS;

  const xDpi = u32(O.hwResolution);
  const yDpi = u32(O.hwResolution + 4);
  if (xDpi === 0 || yDpi === 0) throw malformed(`PWG header: HWResolution ${xDpi}x${yDpi} must be non-zero`, at(O.hwResolution));
  const width = u32(O.width);
  const height = u32(O.height);
  if (width === 0 || height === 0) throw malformed(`PWG header: page of ${width}x${height} pixels`, at(O.width));
  // Limits first, so a header declaring 1,000,000 × 1,000,000 pixels fails here, before anything is sized.
  if (width > limits.maxPageSidePixels || height > limits.maxPageSidePixels || width * height > limits.maxPagePixels) {
    throw limitExceeded(
      `PWG header declares a ${width}x${height} page; the limits are ${limits.maxPageSidePixels} pixels a side and ${limits.maxPagePixels} pixels a page`,
    );
  }
  const colorOrder = u32(O.colorOrder);
  if (colorOrder !== 0) throw malformed(`PWG header: ColorOrder ${colorOrder}, PWG Raster allows only 0 (chunky)`, at(O.colorOrder));

  const code = u32(O.colorSpace);
  const entry = Object.entries(PWG_COLOR_SPACES).find(([, v]) => v.code === code);
  if (!entry) throw malformed(`PWG header: ColorSpace ${code} is not one this printer renders`, at(O.colorSpace));
  const colorSpace = entry[0] as PwgColorSpace;
  const channels = entry[1].channels;

  const bitsPerColor = u32(O.bitsPerColor);
  if (bitsPerColor !== 1 && bitsPerColor !== 8 && bitsPerColor !== 16) {
    throw malformed(`PWG header: BitsPerColor ${bitsPerColor}, expected 1, 8 or 16`, at(O.bitsPerColor));
  }
  if (bitsPerColor === 1 && channels !== 1) {
    throw malformed(`PWG header: 1-bit ${colorSpace} is not a PWG Raster type`, at(O.bitsPerColor));
  }
  const bitsPerPixel = u32(O.bitsPerPixel);
  if (bitsPerPixel !== bitsPerColor * channels) {
    throw malformed(`PWG header: BitsPerPixel ${bitsPerPixel} for ${channels} × ${bitsPerColor}-bit colorants`, at(O.bitsPerPixel));
  }
  const bytesPerLine = u32(O.bytesPerLine);
  const expectedLine = Math.ceil((width * bitsPerPixel) / 8);
  if (bytesPerLine !== expectedLine) {
    throw malformed(`PWG header: BytesPerLine ${bytesPerLine}, expected ${expectedLine} for ${width} pixels`, at(O.bytesPerLine));
  }
  const numColors = u32(O.numColors);
  if (numColors !== 0 && numColors !== channels) {
    throw malformed(`PWG header: NumColors ${numColors} for ${colorSpace}`, at(O.numColors));
  }
  return {
    xDpi,
    yDpi,
    width,
    height,
    bitsPerColor,
    bitsPerPixel,
    bytesPerLine,
    colorSpace,
    channels,
    totalPageCount: u32(O.totalPageCount),
    pageSizeName: cString(bytes, O.pageSizeName, 64),
  };
}
