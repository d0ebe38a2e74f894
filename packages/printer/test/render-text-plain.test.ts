/**
 * text/plain (RFC 2046 §4.1.3, UTF-8) through renderDocument(): pagination at 66 lines × 80 columns,
 * form feed, wrapping, tabs, the media size, the built-in font's glyph shapes and the box for code
 * points it has no glyph for.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDocument } from '../src/render/index.js';
import { BOX_GLYPH, FONT_FIRST, GLYPH_COUNT, glyphRows } from '../src/render/text/font-5x7.js';
import { textLayout } from '../src/render/text/render-text.js';
import { expectRenderError, readPng, tempDir, type DecodedPng } from './render-helpers.js';

const dir = tempDir('text');
afterAll(() => dir.remove());

const render = async (name: string, text: string | Uint8Array, media?: string) => {
  const input = join(dir.path, `${name}.txt`);
  writeFileSync(input, text);
  const outDir = join(dir.path, name);
  const result = await renderDocument({ inputPath: input, format: 'text/plain', outDir, attributes: media ? { media } : {} });
  return { result, page: (i: number) => readPng(join(outDir, result.pages[i]!.file)) };
};

const letter = textLayout('na_letter_8.5x11in', 150);

/** The 5 × 7 ink pattern of the character cell (column, line), sampled at the glyph's pixel centres. */
function cellInk(png: DecodedPng, column: number, line: number): string[] {
  const { left, top, cellWidth, cellHeight, scale } = letter;
  const y0 = top + line * cellHeight + Math.floor((cellHeight - 7 * scale) / 2);
  const rows: string[] = [];
  for (let r = 0; r < 7; r++) {
    let row = '';
    for (let c = 0; c < 5; c++) row += png.rgb(left + column * cellWidth + c * scale, y0 + r * scale)[0] === 0 ? '#' : '.';
    rows.push(row);
  }
  return rows;
}

function inkCount(png: DecodedPng): number {
  let n = 0;
  for (let y = 0; y < png.height; y += 1) for (let x = 0; x < png.width; x += 1) if (png.rgb(x, y)[0] === 0) n++;
  return n;
}

describe('text/plain rendered to PNG pages', () => {
  it('draws "H" and "i" with the expected shapes in the first cells of a Letter page at 150 dpi', async () => {
    const { result, page } = await render('hi', 'Hi\n');
    expect(result.pageCount).toBe(1);
    const png = page(0);
    expect([png.width, png.height, png.colorType]).toEqual([1275, 1650, 0]);
    expect(cellInk(png, 0, 0)).toEqual(['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#']);
    expect(cellInk(png, 1, 0)).toEqual(['..#..', '.....', '.##..', '..#..', '..#..', '..#..', '.###.']);
    expect(cellInk(png, 2, 0).join('')).toBe('.'.repeat(35));
  });

  it('67 lines make two pages; the 67th line is the first of page 2', async () => {
    const lines = Array.from({ length: 67 }, (_, i) => (i === 66 ? 'L' : ''));
    const { result, page } = await render('67', lines.join('\n') + '\n');
    expect(result.pageCount).toBe(2);
    expect(cellInk(page(1), 0, 0)).toEqual(['#....', '#....', '#....', '#....', '#....', '#....', '#####']);
  });

  it('exactly 66 lines, each ended by a newline, make one page (no blank trailing page)', async () => {
    const { result } = await render('66', 'x\n'.repeat(66));
    expect(result.pageCount).toBe(1);
  });

  it('form feed starts a new page', async () => {
    const { result, page } = await render('ff', 'one\fL');
    expect(result.pageCount).toBe(2);
    expect(cellInk(page(1), 0, 0)[6]).toBe('#####');
  });

  it('a 100-character line wraps after column 80; a tab advances to the next multiple of 8', async () => {
    const { page } = await render('wrap', `${'.'.repeat(80)}L\n\tL`);
    const png = page(0);
    expect(cellInk(png, 0, 1)[6]).toBe('#####'); // "L" wrapped to line 2, column 1
    expect(cellInk(png, 8, 2)[6]).toBe('#####'); // "L" after the tab, column 9 of line 3
  });

  it('code points without a glyph, invalid UTF-8 included, are drawn as a box', async () => {
    const box = ['#####', '#...#', '#...#', '#...#', '#...#', '#...#', '#####'];
    const { page } = await render('box', Buffer.concat([Buffer.from('é'), Buffer.from([0xff]), Buffer.from('\u{1F600}')]));
    const png = page(0);
    expect([cellInk(png, 0, 0), cellInk(png, 1, 0), cellInk(png, 2, 0)]).toEqual([box, box, box]);
  });

  it('text/plain;charset=iso-8859-1 decodes Latin-1: C3 A9 is two characters, not UTF-8 "é"', async () => {
    const input = join(dir.path, 'latin1.txt');
    writeFileSync(input, Buffer.from([0x41, 0xc3, 0xa9, 0x42]));
    const top = async (format: string, name: string): Promise<string[]> => {
      const outDir = join(dir.path, name);
      const result = await renderDocument({ inputPath: input, format, outDir });
      const png = readPng(join(outDir, result.pages[0]!.file));
      return [0, 1, 2, 3].map((c) => cellInk(png, c, 0)[0]!);
    };
    // "A", then boxes for what has no glyph, then "B" (top row ####.)
    expect(await top('text/plain; charset="ISO-8859-1"', 'latin1')).toEqual(['.###.', '#####', '#####', '####.']);
    expect(await top('text/plain', 'utf8')).toEqual(['.###.', '#####', '####.', '.....']);
  });

  it('an unknown charset is RENDER_UNSUPPORTED_FORMAT', async () => {
    const input = join(dir.path, 'x.txt');
    writeFileSync(input, 'x');
    await expectRenderError(renderDocument({ inputPath: input, format: 'text/plain;charset=x-no-such', outDir: join(dir.path, 'nocs') }), 'RENDER_UNSUPPORTED_FORMAT');
  });

  it('media iso_a4_210x297mm gives an A4 page (1240 × 1754 at 150 dpi)', async () => {
    const { page } = await render('a4', 'A4', 'iso_a4_210x297mm');
    const png = page(0);
    expect([png.width, png.height]).toEqual([1240, 1754]);
    expect(inkCount(png)).toBeGreaterThan(0);
  });
});

describe('text/plain on media too small or too large for 80 × 66 at 150 dpi', () => {
  it('a 1 × 3 in label holds 20 columns at glyph scale 1, and text wraps there', async () => {
    const layout = textLayout('oe_label_1x3in', 150, 4000);
    expect([layout.width, layout.height, layout.columns, layout.scale]).toEqual([150, 450, 20, 1]);
    const { page } = await render('label', 'x'.repeat(20) + 'L', 'oe_label_1x3in');
    const png = page(0);
    expect([png.width, png.height]).toEqual([150, 450]);
    const y = layout.top + layout.cellHeight + Math.floor((layout.cellHeight - 7) / 2) + 6; // bottom row of line 2
    expect(png.rgb(layout.left, y)[0]).toBe(0); // the "L" foot
  });

  it('a 100 × 100 in sheet is drawn at a lower resolution so no side exceeds maxPreviewSide', () => {
    const layout = textLayout('custom_poster_100x100in', 150, 4000);
    expect([layout.width, layout.height, layout.columns, layout.lines]).toEqual([4000, 4000, 80, 66]);
  });
});

describe('the built-in 5 × 7 font', () => {
  it('has a glyph for each of the 95 printable ASCII characters, all different, and only space is blank', () => {
    expect(GLYPH_COUNT).toBe(95);
    const seen = new Map<string, number>();
    for (let cp = FONT_FIRST; cp < FONT_FIRST + GLYPH_COUNT; cp++) {
      const rows = glyphRows(cp);
      expect(rows.length).toBe(7);
      expect(rows.every((r) => r >= 0 && r < 32), String.fromCharCode(cp)).toBe(true);
      const key = rows.join(',');
      expect(seen.get(key), `${String.fromCharCode(cp)} looks like ${String.fromCharCode(seen.get(key) ?? 0)}`).toBeUndefined();
      seen.set(key, cp);
      expect(rows.some((r) => r !== 0), `glyph ${JSON.stringify(String.fromCharCode(cp))}`).toBe(cp !== 0x20);
    }
    expect(glyphRows(0x7f).join(',')).toBe(glyphRows(0x2603).join(','));
    expect(glyphRows(0x2603).map((r) => r.toString(16).padStart(2, '0').toUpperCase()).join('')).toBe(BOX_GLYPH);
  });
});
