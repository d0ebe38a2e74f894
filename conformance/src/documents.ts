/**
 * Test documents generated on the fly, so every byte a test sends is explained here: PWG Raster
 * (PWG 5102.4), the one format every IPP Everywhere printer accepts (PWG 5100.14 §4.2).
 */

export interface RasterOptions {
  /** Media size in hundredths of millimetres (PWG 5101.1), e.g. 21000 x 29700 for A4. */
  readonly widthHmm: number;
  readonly heightHmm: number;
  readonly dpi: number;
  readonly pages?: number;
}

const HEADER_BYTES = 1796; // PWG 5102.4 §4.3
const SGRAY = 18; // PWG 5102.4 §4.3.1.18 ColorSpace sGray

/**
 * A PWG Raster document of `pages` 8-bit sGray pages: a black band across the top tenth of each
 * page, white below. Rows are run-length encoded, so even a full-size page is a few hundred bytes.
 */
export function pwgRaster(o: RasterOptions): Uint8Array {
  const pages = o.pages ?? 1;
  const width = Math.max(1, Math.round((o.widthHmm / 2540) * o.dpi));
  const height = Math.max(1, Math.round((o.heightHmm / 2540) * o.dpi));
  const parts: Uint8Array[] = [new TextEncoder().encode('RaS2')];
  for (let p = 0; p < pages; p++) {
    parts.push(pageHeader(o, width, height, pages));
    const band = Math.max(1, Math.floor(height / 10));
    parts.push(rows(width, band, 0x00), rows(width, height - band, 0xff));
  }
  return concat(parts);
}

function pageHeader(o: RasterOptions, width: number, height: number, pages: number): Uint8Array {
  const h = new Uint8Array(HEADER_BYTES);
  const view = new DataView(h.buffer);
  const text = (offset: number, s: string): void => h.set(new TextEncoder().encode(s), offset);
  const u32 = (offset: number, n: number): void => view.setUint32(offset, n, false);
  text(0, 'PwgRaster'); // MediaClass: PWG 5102.4 §4.3.1.1
  u32(276, o.dpi); // HWResolution
  u32(280, o.dpi);
  u32(340, 1); // NumCopies
  u32(352, Math.round((o.widthHmm / 2540) * 72)); // PageSize, points
  u32(356, Math.round((o.heightHmm / 2540) * 72));
  u32(372, width); // Width
  u32(376, height); // Height
  u32(384, 8); // BitsPerColor
  u32(388, 8); // BitsPerPixel
  u32(392, width); // BytesPerLine
  u32(396, 0); // ColorOrder chunky
  u32(400, SGRAY); // ColorSpace
  u32(420, 1); // NumColors
  u32(452, pages); // TotalPageCount
  u32(456, 1); // CrossFeedTransform
  u32(460, 1); // FeedTransform
  return h;
}

/** `count` identical rows of one grey level: line-repeat bytes, then runs of at most 128 pixels. */
function rows(width: number, count: number, level: number): Uint8Array {
  const line: number[] = [];
  for (let left = width; left > 0; left -= 128) line.push(Math.min(left, 128) - 1, level);
  const out: number[] = [];
  for (let left = count; left > 0; left -= 256) out.push(Math.min(left, 256) - 1, ...line);
  return Uint8Array.from(out);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Media dimensions from a PWG 5101.1 self-describing name ("iso_a4_210x297mm", "na_letter_8.5x11in"). */
export function mediaSizeHmm(media: string): { widthHmm: number; heightHmm: number } | undefined {
  const m = /_(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)(mm|in)$/.exec(media);
  if (!m) return undefined;
  const scale = m[3] === 'mm' ? 100 : 2540;
  return { widthHmm: Math.round(Number(m[1]) * scale), heightHmm: Math.round(Number(m[2]) * scale) };
}
