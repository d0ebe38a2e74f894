/**
 * text/plain → PNG pages: decoded as a stream (UTF-8, or the document-format's charset), laid out 80 columns × 66 lines inside half-inch
 * margins of the job's media, drawn with the built-in 5 × 7 font. Tabs stop every 8 columns, long
 * lines wrap, form feed (U+000C) starts a new page, CR is ignored (CR LF ends a line once). Code
 * points without a glyph, invalid UTF-8 included, are drawn as a box.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { limitExceeded } from '../errors.js';
import { pageFile, type FormatContext } from '../format.js';
import { mediaSize } from '../media.js';
import { textDecoderFor } from '../media-type.js';
import { PngWriter } from '../png/png-writer.js';
import type { RenderedPage } from '../types.js';
import { FONT_HEIGHT, FONT_WIDTH, glyphRows } from './font-5x7.js';

export const TEXT_COLUMNS = 80;
export const TEXT_LINES = 66;
const TAB = 8;
const MARGIN_IN = 0.5;

export interface Layout {
  width: number;
  height: number;
  left: number;
  top: number;
  /** 80 × 66, or fewer on media too small for that at the smallest glyph size. */
  columns: number;
  lines: number;
  cellWidth: number;
  cellHeight: number;
  scale: number;
}

export function textLayout(media: string | undefined, previewDpi: number, maxSide = Infinity): Layout {
  const size = mediaSize(media);
  // Large media (a banner, a poster) are drawn at a lower resolution so no side exceeds maxSide.
  const dpi = Math.max(1, Math.min(previewDpi, Math.floor(maxSide / Math.max(size.widthIn, size.heightIn))));
  const width = Math.max(1, Math.round(size.widthIn * dpi));
  const height = Math.max(1, Math.round(size.heightIn * dpi));
  const left = Math.min(Math.round(MARGIN_IN * dpi), Math.floor(width / 10));
  const top = Math.min(Math.round(MARGIN_IN * dpi), Math.floor(height / 10));
  const minCellWidth = FONT_WIDTH + 1;
  const minCellHeight = FONT_HEIGHT + 2;
  const columns = Math.max(1, Math.min(TEXT_COLUMNS, Math.floor((width - 2 * left) / minCellWidth)));
  const lines = Math.max(1, Math.min(TEXT_LINES, Math.floor((height - 2 * top) / minCellHeight)));
  const cellWidth = Math.max(minCellWidth, Math.floor((width - 2 * left) / columns));
  const cellHeight = Math.max(minCellHeight, Math.floor((height - 2 * top) / lines));
  const scale = Math.max(1, Math.min(Math.floor(cellWidth / minCellWidth), Math.floor(cellHeight / minCellHeight)));
  // A page narrower than one cell still gets one (clipped) cell: grow the canvas instead of overflowing.
  return {
    width: Math.max(width, left + columns * cellWidth),
    height: Math.max(height, top + lines * cellHeight),
    left,
    top,
    columns,
    lines,
    cellWidth,
    cellHeight,
    scale,
  };
}

class TextPage {
  readonly pixels: Uint8Array;
  line = 0;
  column = 0;

  constructor(private readonly layout: Layout) {
    // Bounded by maxPreviewSide² at most (textLayout keeps both sides within it); reused page to page.
    this.pixels = new Uint8Array(layout.width * layout.height).fill(255);
  }

  clear(): void {
    this.pixels.fill(255);
    this.line = 0;
    this.column = 0;
  }

  draw(codePoint: number): void {
    const { left, top, cellWidth, cellHeight, scale, width } = this.layout;
    if (codePoint !== 0x20) {
      const rows = glyphRows(codePoint);
      const x0 = left + this.column * cellWidth;
      const y0 = top + this.line * cellHeight + Math.floor((cellHeight - FONT_HEIGHT * scale) / 2);
      for (let r = 0; r < FONT_HEIGHT; r++) {
        const bits = rows[r]!;
        if (bits === 0) continue;
        for (let c = 0; c < FONT_WIDTH; c++) {
          if (!((bits >> (FONT_WIDTH - 1 - c)) & 1)) continue;
          for (let dy = 0; dy < scale; dy++) {
            const rowStart = (y0 + r * scale + dy) * width + x0 + c * scale;
            this.pixels.fill(0, rowStart, rowStart + scale);
          }
        }
      }
    }
    this.column++;
  }
}

export async function renderText(context: FormatContext): Promise<RenderedPage[]> {
  const { limits } = context;
  const layout = textLayout(context.attributes.media, limits.previewDpi, limits.maxPreviewSide);
  const pages: RenderedPage[] = [];
  const page = new TextPage(layout);
  let touched = false; // the current page has received any character, even a blank line

  const emit = async (): Promise<void> => {
    if (pages.length >= limits.maxPages) throw limitExceeded(`text document has more than ${limits.maxPages} pages`);
    const file = pageFile(pages.length);
    const png = PngWriter.create(join(context.outDir, file), layout.width, layout.height, 'gray');
    try {
      for (let y = 0; y < layout.height; y++) await png.writeRow(page.pixels.subarray(y * layout.width, (y + 1) * layout.width));
      await png.finish();
    } catch (error) {
      png.abort();
      throw error;
    }
    pages.push({ file, width: layout.width, height: layout.height });
    page.clear();
    touched = false;
  };
  const newLine = async (): Promise<void> => {
    page.column = 0;
    page.line++;
    if (page.line >= layout.lines) await emit();
  };

  const fd = openSync(context.inputPath, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > limits.maxInputBytes) throw limitExceeded(`text document of ${size} bytes exceeds ${limits.maxInputBytes}`);
    const decoder = textDecoderFor(context.charset);
    const chunk = new Uint8Array(64 * 1024);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      const text = n === 0 ? decoder.decode() : decoder.decode(chunk.subarray(0, n), { stream: true });
      for (const char of text) {
        const cp = char.codePointAt(0)!;
        if (cp === 0x0d) continue;
        touched = true;
        if (cp === 0x0a) await newLine();
        else if (cp === 0x0c) await emit();
        else if (cp === 0x09) {
          page.column = Math.min(layout.columns, (Math.floor(page.column / TAB) + 1) * TAB);
          if (page.column >= layout.columns) await newLine();
        } else {
          if (page.column >= layout.columns) await newLine();
          page.draw(cp);
        }
      }
      if (n === 0) break;
    }
  } finally {
    closeSync(fd);
  }
  if (touched || pages.length === 0) await emit();
  return pages;
}
