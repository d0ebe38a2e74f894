/**
 * image/jpeg (ITU-T T.81 / JFIF) through renderDocument(): images made by jpeg-js's encoder render
 * to the colours they hold; truncated, mislabelled and oversized JPEGs end in typed errors.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDocument, writePwgRaster } from '../src/render/index.js';
import { expectRenderError, readPng, tempDir } from './render-helpers.js';

const dir = tempDir('jpeg');
afterAll(() => dir.remove());

function makeJpeg(width: number, height: number, color: (x: number, y: number) => [number, number, number]): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = color(x, y);
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return jpeg.encode({ width, height, data }, 95).data;
}

const RED: [number, number, number] = [220, 30, 40];
const BLUE: [number, number, number] = [20, 40, 200];
const halves = (x: number): [number, number, number] => (x < 32 ? RED : BLUE);

function close(actual: number[], expected: number[], tolerance: number): boolean {
  return actual.every((v, i) => Math.abs(v - expected[i]!) <= tolerance);
}

/** Offset of the SOF0 frame header's height field (T.81 §B.2.2: FF C0, Lf, P, Y, X). */
function sofSizeOffset(bytes: Uint8Array): number {
  for (let i = 2; i + 9 < bytes.length; i++) if (bytes[i] === 0xff && bytes[i + 1] === 0xc0) return i + 5;
  throw new Error('no SOF0');
}

const render = (name: string, bytes: Uint8Array, extra: Partial<Parameters<typeof renderDocument>[0]> = {}) => {
  const input = join(dir.path, `${name}.jpg`);
  writeFileSync(input, bytes);
  return renderDocument({ inputPath: input, format: 'image/jpeg', outDir: join(dir.path, name), ...extra });
};

describe('image/jpeg rendered to PNG', () => {
  it('a 64 × 48 two-colour JPEG renders at full size with its colours (within JPEG loss)', async () => {
    const result = await render('halves', makeJpeg(64, 48, halves));
    expect(result.pageCount).toBe(1);
    const png = readPng(join(dir.path, 'halves', result.pages[0]!.file));
    expect([png.width, png.height, png.colorType]).toEqual([64, 48, 2]);
    for (const [x, y] of [[4, 4], [20, 40], [40, 10], [60, 44]] as const) {
      const want = x < 32 ? RED : BLUE;
      expect(close(png.rgb(x, y), want, 12), `(${x},${y}) ${png.rgb(x, y)} vs ${want}`).toBe(true);
    }
  });

  it('a 2,600-pixel-wide photo is downscaled 2:1 to fit the 17 in × 150 dpi preview side', async () => {
    const result = await render('wide', makeJpeg(2600, 40, (x) => (x < 1300 ? [0, 0, 0] : [255, 255, 255])));
    const png = readPng(join(dir.path, 'wide', result.pages[0]!.file));
    expect([png.width, png.height]).toEqual([1300, 20]);
    expect(close(png.rgb(100, 10), [0, 0, 0], 8)).toBe(true);
    expect(close(png.rgb(1200, 10), [255, 255, 255], 8)).toBe(true);
  });

  it('print-color-mode=monochrome gives a grey PNG', async () => {
    const result = await render('mono', makeJpeg(64, 48, halves), { attributes: { printColorMode: 'monochrome' } });
    const png = readPng(join(dir.path, 'mono', result.pages[0]!.file));
    expect(png.colorType).toBe(0);
    const luma = (RED[0] * 77 + RED[1] * 150 + RED[2] * 29 + 128) >> 8; // BT.601 weights
    expect(close(png.rgb(4, 4), [luma, luma, luma], 12), `${png.rgb(4, 4)} vs ${luma}`).toBe(true);
  });
});

describe('image/jpeg hostile and broken input ends in a typed error', () => {
  const valid = makeJpeg(64, 48, halves);

  it('a JPEG cut in its scan data is RENDER_MALFORMED', async () => {
    await expectRenderError(render('truncated', valid.subarray(0, Math.floor(valid.length * 0.6))), 'RENDER_MALFORMED');
  });

  it('a JPEG cut in its headers is RENDER_MALFORMED', async () => {
    await expectRenderError(render('cut-header', valid.subarray(0, 30)), 'RENDER_MALFORMED');
  });

  it('a frame header declaring 65,535 × 65,535 pixels is RENDER_LIMIT_EXCEEDED before decoding', async () => {
    const bytes = Buffer.from(valid);
    const at = sofSizeOffset(bytes);
    bytes.writeUInt16BE(65535, at);
    bytes.writeUInt16BE(65535, at + 2);
    await expectRenderError(render('huge', bytes), 'RENDER_LIMIT_EXCEEDED');
  });

  it("jpeg-js's own memory limit, set from memoryMb, is RENDER_LIMIT_EXCEEDED", async () => {
    const bytes = Buffer.from(valid);
    const at = sofSizeOffset(bytes);
    bytes.writeUInt16BE(4000, at);
    bytes.writeUInt16BE(4000, at + 2);
    await expectRenderError(render('memory', bytes, { limits: { memoryMb: 64 } }), 'RENDER_LIMIT_EXCEEDED');
  });

  it('PWG Raster labelled image/jpeg is RENDER_MALFORMED', async () => {
    const pwg = writePwgRaster({ pages: 1, width: 8, height: 8, colorSpace: 'sgray', bitsPerColor: 8 });
    await expectRenderError(render('mislabelled', pwg), 'RENDER_MALFORMED');
  });
});
