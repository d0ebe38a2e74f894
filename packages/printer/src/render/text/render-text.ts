/**
 * text/plain → PNG pages: UTF-8 decoded as a stream, laid out 80 columns × 66 lines inside half-inch
 * margins of the job's media, drawn with the built-in 5 × 7 font. Tabs stop every 8 columns, long
 * lines wrap, form feed (U+000C) starts a new page, CR is ignored (CR LF ends a line once). Code
 * points without a glyph, invalid UTF-8 included, are drawn as a box.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { limitExceeded } from '../errors.js';
import { pageFile, type FormatContext } from '../format.js';
import { mediaSize } from '../media.js';
import { PngWriter } from '../png/png-writer.js';
import type { RenderedPage } from '../types.js';
import { FONT_HEIGHT, FONT_WIDTH, glyphRows } from './font-5x7.js';

export const TEXT_COLUMNS = 80;
export const TEXT_LINES = 66;
const TAB = 8;
const MARGIN_IN = 0.5;

interface Layout {
  width: number;
  height: number;
  left: number;
  top: number;
  cellWidth: number;
  cellHeight: number;
  scale: number;
}

export function textLayout(media: string | undefined, dpi: number): Layout {
  const size = mediaSize(media);
  const width = Math.round(size.widthIn * dpi);
  const height = Math.round(size.heightIn * dpi);
  const margin = Math.round(MARGIN_IN * dpi);
  const cellWidth = Math.max(FONT_WIDTH + 1, Math.floor((width - 2 * margin) / TEXT_COLUMNS));
  const cellHeight = Math.max(FONT_HEIGHT + 1, Math.floor((height - 2 * margin) / TEXT_LINES));
  const scale = Math.max(1, Math.min(Math.floor(cellWidth / (FONT_WIDTH + 1)), Math.floor(cellHeight / (FONT_HEIGHT + 2))));
  return { width, height, left: margin, top: margin, cellWidth, cellHeight, scale };
}

class TextPage {
  readonly pixels: Uint8Array;
  line = 0;
  column = 0;
  inked = false;

  constructor(private readonly layout: Layout) {
    this.pixels = new Uint8Array(layout.width * layout.height).fill(255);
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
      this.inked = true;
    }
    this.column++;
  }
}

export async function renderText(context: FormatContext): Promise<RenderedPage[]> {
  const { limits } = context;
  const layout = textLayout(context.attributes.media, limits.previewDpi);
  const pages: RenderedPage[] = [];
  let page = new TextPage(layout);
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
    page = new TextPage(layout);
    touched = false;
  };
  const newLine = async (): Promise<void> => {
    page.column = 0;
    page.line++;
    if (page.line >= TEXT_LINES) await emit();
  };

  const fd = openSync(context.inputPath, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > limits.maxInputBytes) throw limitExceeded(`text document of ${size} bytes exceeds ${limits.maxInputBytes}`);
    const decoder = new TextDecoder('utf-8', { fatal: false });
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
          page.column = Math.min(TEXT_COLUMNS, (Math.floor(page.column / TAB) + 1) * TAB);
          if (page.column >= TEXT_COLUMNS) await newLine();
        } else {
          if (page.column >= TEXT_COLUMNS) await newLine();
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
