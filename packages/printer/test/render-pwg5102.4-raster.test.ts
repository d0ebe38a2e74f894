/**
 * PWG 5102.4 (PWG Raster) through renderDocument(): every colour space and bit depth the printer
 * advertises, decoded in the isolated worker, written as PNG and read back with pngjs; downscaling;
 * monochrome; and the hostile headers and truncations the issue names.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDocument, writePwgRaster, type PwgColorSpace } from '../src/render/index.js';
import { PWG_OFFSETS } from '../src/render/pwg/pwg-header.js';
import { expectRenderError, readPng, tempDir } from './render-helpers.js';

const dir = tempDir('pwg');
afterAll(() => dir.remove());

/** Four 16-pixel bands; each band's colorants in 8-bit units (scaled for 1 and 16 bits). */
const BANDS: Record<PwgColorSpace, number[][]> = {
  black: [[0], [255], [128], [64]],
  sgray: [[0], [255], [128], [64]],
  srgb: [[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]],
  'adobe-rgb': [[255, 255, 255], [0, 0, 0], [200, 100, 50], [1, 2, 3]],
  cmyk: [[0, 0, 0, 0], [255, 0, 0, 0], [0, 0, 0, 255], [0, 255, 255, 0]],
};

function scale(value: number, bits: 1 | 8 | 16): number {
  if (bits === 1) return value >= 128 ? 1 : 0;
  return bits === 16 ? value * 257 : value;
}

/** The band at (x, y): the lower half of the page shifts the bands by one (two distinct line types). */
function band(x: number, y: number): number {
  return (Math.floor(x / 16) + (y >= 20 ? 1 : 0)) % 4;
}

/** What a preview pixel must be, computed from the PWG 5102.4 colour space definitions. */
function expectedRgb(colorSpace: PwgColorSpace, bits: 1 | 8 | 16, colorants: number[]): [number, number, number] {
  const v = colorants.map((c) => (bits === 1 ? (scale(c, 1) ? 255 : 0) : c));
  switch (colorSpace) {
    case 'black':
      return [255 - v[0]!, 255 - v[0]!, 255 - v[0]!];
    case 'sgray':
      return [v[0]!, v[0]!, v[0]!];
    case 'cmyk': {
      const [c, m, y, k] = v as [number, number, number, number];
      const f = (x: number): number => Math.round(((255 - x) * (255 - k)) / 255);
      return [f(c), f(m), f(y)];
    }
    default:
      return [v[0]!, v[1]!, v[2]!];
  }
}

const TYPES: Array<[PwgColorSpace, 1 | 8 | 16]> = [
  ['black', 1],
  ['black', 8],
  ['black', 16],
  ['sgray', 1],
  ['sgray', 8],
  ['sgray', 16],
  ['srgb', 8],
  ['srgb', 16],
  ['adobe-rgb', 8],
  ['cmyk', 8],
  ['cmyk', 16],
];

describe('PWG 5102.4 raster types rendered to PNG', () => {
  for (const [colorSpace, bits] of TYPES) {
    const name = `${colorSpace}_${bits}`;
    it(`${name}: every band has the colour the colour space defines`, async () => {
      const input = join(dir.path, `${name}.pwg`);
      writeFileSync(
        input,
        writePwgRaster({
          pages: 2,
          width: 64,
          height: 40,
          colorSpace,
          bitsPerColor: bits,
          resolution: [150, 150],
          whiteFill: colorSpace === 'srgb',
          pixel: (x, y) => BANDS[colorSpace][band(x, y)]!.map((c) => scale(c, bits)),
        }),
      );
      const outDir = join(dir.path, name);
      const result = await renderDocument({ inputPath: input, format: 'image/pwg-raster', outDir });
      expect(result.format).toBe('image/pwg-raster');
      expect(result.pageCount, name).toBe(2);
      expect(result.pages.map((p) => p.file)).toEqual(['pages/001.png', 'pages/002.png']);
      for (const page of result.pages) {
        const png = readPng(join(outDir, page.file));
        expect([png.width, png.height, page.width, page.height], name).toEqual([64, 40, 64, 40]);
        expect(png.colorType, name).toBe(colorSpace === 'black' || colorSpace === 'sgray' ? 0 : 2);
        for (const [x, y] of [[0, 0], [17, 3], [33, 19], [63, 19], [0, 20], [20, 39], [40, 25], [63, 39]] as const) {
          expect(png.rgb(x, y), `${name} pixel (${x},${y})`).toEqual(expectedRgb(colorSpace, bits, BANDS[colorSpace][band(x, y)]!));
        }
      }
    });
  }

  it('downscales a 600 dpi page to the 150 dpi preview by averaging 4 × 4 blocks', async () => {
    const input = join(dir.path, 'hi-res.pwg');
    // Left half: a 1-pixel checkerboard (averages to mid grey); right half: solid (10, 200, 90).
    writeFileSync(
      input,
      writePwgRaster({
        pages: 1,
        width: 400,
        height: 402,
        colorSpace: 'srgb',
        bitsPerColor: 8,
        resolution: [600, 600],
        pixel: (x, y) => (x < 200 ? ((x + y) % 2 ? [255, 255, 255] : [0, 0, 0]) : [10, 200, 90]),
      }),
    );
    const outDir = join(dir.path, 'hi-res');
    const result = await renderDocument({ inputPath: input, format: 'image/pwg-raster', outDir });
    const png = readPng(join(outDir, result.pages[0]!.file));
    expect([png.width, png.height]).toEqual([100, 101]); // ceil(402 / 4): the last block is 2 rows
    expect(png.rgb(10, 10)).toEqual([128, 128, 128]); // 8 × 255 / 16 = 127.5, rounded
    expect(png.rgb(80, 50)).toEqual([10, 200, 90]);
    expect(png.rgb(80, 100)).toEqual([10, 200, 90]);
  });

  it('writePwgRaster row callback: packed rows go out as given (here: 16-bit big-endian sGray)', async () => {
    const input = join(dir.path, 'rows.pwg');
    writeFileSync(
      input,
      writePwgRaster({
        pages: 1, width: 8, height: 4, colorSpace: 'sgray', bitsPerColor: 16, resolution: [150, 150],
        row: (y, _page, out) => {
          for (let x = 0; x < 8; x++) out.set([x * 30 + y, 0x55], 2 * x);
        },
      }),
    );
    const result = await renderDocument({ inputPath: input, format: 'image/pwg-raster', outDir: join(dir.path, 'rows') });
    const png = readPng(join(dir.path, 'rows', result.pages[0]!.file));
    expect(png.rgb(5, 3)).toEqual([153, 153, 153]);
  });

  it('an asymmetric 600 × 300 dpi page is scaled 4:1 across and 2:1 down, keeping its aspect', async () => {
    const input = join(dir.path, 'aniso.pwg');
    writeFileSync(input, writePwgRaster({ pages: 1, width: 400, height: 200, colorSpace: 'sgray', bitsPerColor: 8, resolution: [600, 300], pixel: (x) => [x < 200 ? 0 : 255] }));
    const result = await renderDocument({ inputPath: input, format: 'image/pwg-raster', outDir: join(dir.path, 'aniso') });
    const png = readPng(join(dir.path, 'aniso', result.pages[0]!.file));
    expect([png.width, png.height]).toEqual([100, 100]);
    expect([png.rgb(10, 50)[0], png.rgb(90, 50)[0]]).toEqual([0, 255]);
  });

  it('print-color-mode=monochrome turns a colour page into a grey PNG (BT.601 luma)', async () => {
    const input = join(dir.path, 'mono.pwg');
    writeFileSync(
      input,
      writePwgRaster({ pages: 1, width: 32, height: 8, colorSpace: 'srgb', bitsPerColor: 8, resolution: [150, 150], pixel: () => [255, 0, 0] }),
    );
    const outDir = join(dir.path, 'mono');
    const result = await renderDocument({ inputPath: input, format: 'image/pwg-raster', outDir, attributes: { printColorMode: 'monochrome' } });
    const png = readPng(join(outDir, result.pages[0]!.file));
    expect(png.colorType).toBe(0);
    expect(png.rgb(5, 5)).toEqual([77, 77, 77]); // (255 × 77 + 128) >> 8
  });
});

describe('PWG 5102.4 hostile and broken input ends in a typed error', () => {
  let valid: Uint8Array;
  beforeAll(() => {
    valid = writePwgRaster({ pages: 2, width: 64, height: 40, colorSpace: 'sgray', bitsPerColor: 8, resolution: [150, 150] });
  });

  const render = (name: string, bytes: Uint8Array, limits = {}) => {
    const input = join(dir.path, `${name}.pwg`);
    writeFileSync(input, bytes);
    return renderDocument({ inputPath: input, format: 'image/pwg-raster', outDir: join(dir.path, name), limits });
  };

  it('a header declaring a 1,000,000 × 1,000,000 page fails fast with RENDER_LIMIT_EXCEEDED', async () => {
    const bytes = valid.slice();
    const view = new DataView(bytes.buffer);
    view.setUint32(4 + PWG_OFFSETS.width, 1_000_000);
    view.setUint32(4 + PWG_OFFSETS.height, 1_000_000);
    view.setUint32(4 + PWG_OFFSETS.bytesPerLine, 1_000_000);
    const started = Date.now();
    const error = await expectRenderError(render('huge', bytes), 'RENDER_LIMIT_EXCEEDED');
    expect(error.message).toMatch(/1000000x1000000/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a 285-megapixel 1200 dpi page renders within a 128 MiB budget (one line buffer, not the page)', async () => {
    // 15,000 × 19,000 sGray: every line is "repeat 256 times, white to end of line" (PWG 5102.4 §4.4).
    const headerOnly = writePwgRaster({ pages: 1, width: 1, height: 1, colorSpace: 'sgray', bitsPerColor: 8, resolution: [1200, 1200] }).slice(0, 4 + 1796);
    const view = new DataView(headerOnly.buffer);
    view.setUint32(4 + PWG_OFFSETS.width, 15_000);
    view.setUint32(4 + PWG_OFFSETS.height, 19_000);
    view.setUint32(4 + PWG_OFFSETS.bytesPerLine, 15_000);
    const lines: number[] = [];
    for (let y = 0; y < 19_000; y += 256) lines.push(Math.min(256, 19_000 - y) - 1, 128);
    const started = Date.now();
    const result = await render('big-page', new Uint8Array([...headerOnly, ...lines]), { memoryMb: 128 });
    expect(result.pages[0]).toMatchObject({ width: 1875, height: 2375 }); // 1200 dpi → 150 dpi
    expect(readPng(join(dir.path, 'big-page', result.pages[0]!.file)).rgb(1000, 1000)).toEqual([255, 255, 255]);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('a zero-length document is RENDER_MALFORMED', async () => {
    await expectRenderError(render('empty', new Uint8Array(0)), 'RENDER_MALFORMED');
  });

  it('a CUPS Raster v1 sync word is RENDER_MALFORMED', async () => {
    const bytes = valid.slice();
    bytes.set([0x52, 0x61, 0x53, 0x74], 0); // "RaSt"
    await expectRenderError(render('v1', bytes), 'RENDER_MALFORMED');
  });

  it('a file cut inside the rows is RENDER_MALFORMED and leaves no page behind', async () => {
    const error = await expectRenderError(render('truncated', valid.subarray(0, valid.length - 10)), 'RENDER_MALFORMED');
    expect(error.offset).toBeGreaterThan(1800);
    expect(() => readFileSync(join(dir.path, 'truncated', 'pages', '001.png'))).toThrow();
  });

  it('more pages than maxPages is RENDER_LIMIT_EXCEEDED', async () => {
    await expectRenderError(render('pages', valid, { maxPages: 1 }), 'RENDER_LIMIT_EXCEEDED');
  });

  it('a BytesPerLine that does not match Width × BitsPerPixel is RENDER_MALFORMED', async () => {
    const bytes = valid.slice();
    new DataView(bytes.buffer).setUint32(4 + PWG_OFFSETS.bytesPerLine, 65);
    await expectRenderError(render('bpl', bytes), 'RENDER_MALFORMED');
  });

  it('an unknown document-format is RENDER_UNSUPPORTED_FORMAT', async () => {
    const input = join(dir.path, 'x.bin');
    writeFileSync(input, valid);
    await expectRenderError(renderDocument({ inputPath: input, format: 'image/urf', outDir: join(dir.path, 'urf') }), 'RENDER_UNSUPPORTED_FORMAT');
  });
});
