/**
 * image/jpeg interoperability with libjpeg-turbo (an independent codec): JPEGs written by `cjpeg`
 * in its baseline, progressive, greyscale, 4:4:4, optimised-Huffman and restart-marker forms render
 * in our worker to what `djpeg` decodes from the same file (within IDCT/upsampling rounding).
 * Arithmetic-coded JPEG (T.81 Annex D), which jpeg-js does not decode, ends in a typed error.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenderError, renderDocument } from '../src/render/index.js';
import { readPng, tempDir } from './render-helpers.js';

const dir = tempDir('libjpeg');
afterAll(() => dir.remove());

const W = 97; // not a multiple of the 8/16-pixel MCU
const H = 61;
const source = join(dir.path, 'source.ppm');

beforeAll(() => {
  if (spawnSync('cjpeg', ['-version'], { stdio: 'ignore' }).error) {
    throw new Error('cjpeg/djpeg missing: apt-get install libjpeg-turbo-progs (the test set-up normally does)');
  }
  // A smooth gradient with two flat blocks: content JPEG keeps well, so decoders can be compared.
  const pixels = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const block = x > 60 && y > 30 ? [30, 160, 90] : x < 20 && y < 20 ? [200, 40, 40] : [(x * 255) / W, (y * 255) / H, 128];
      pixels.set(block.map(Math.round), (y * W + x) * 3);
    }
  }
  writeFileSync(source, Buffer.concat([Buffer.from(`P6\n${W} ${H}\n255\n`), pixels]));
});

/** Parses binary PNM (P5 grey / P6 RGB) as djpeg writes it. */
function readPnm(bytes: Buffer): { width: number; height: number; rgb: (x: number, y: number) => number[] } {
  const text = bytes.subarray(0, 64).toString('latin1');
  const match = /^(P[56])\s+(\d+)\s+(\d+)\s+255\s/.exec(text);
  if (!match) throw new Error('not a PNM djpeg output');
  const channels = match[1] === 'P5' ? 1 : 3;
  const width = Number(match[2]);
  const height = Number(match[3]);
  const data = bytes.subarray(match[0].length);
  return {
    width,
    height,
    rgb: (x, y) => {
      const i = (y * width + x) * channels;
      return channels === 1 ? [data[i]!, data[i]!, data[i]!] : [data[i]!, data[i + 1]!, data[i + 2]!];
    },
  };
}

const VARIANTS: Array<[string, string[]]> = [
  ['baseline 4:2:0', ['-quality', '92']],
  ['progressive', ['-quality', '92', '-progressive']],
  ['greyscale', ['-quality', '92', '-grayscale']],
  ['4:4:4 with optimised Huffman tables', ['-quality', '92', '-sample', '1x1', '-optimize']],
  ['restart markers every row', ['-quality', '92', '-restart', '1']],
];

describe('JPEG from libjpeg-turbo cjpeg, rendered by us, compared with djpeg', () => {
  for (const [name, args] of VARIANTS) {
    it(name, async () => {
      const file = join(dir.path, `${name.replace(/\W+/g, '-')}.jpg`);
      execFileSync('cjpeg', [...args, '-outfile', file, source]);
      // -nosmooth: replicate chroma samples as jpeg-js does, instead of libjpeg's triangular
      // ("fancy") upsampling, which differs by up to ~50 at sharp colour edges in 4:2:0 images.
      const reference = readPnm(execFileSync('djpeg', ['-pnm', '-nosmooth', file]));
      const outDir = join(dir.path, name.replace(/\W+/g, '-'));
      const result = await renderDocument({ inputPath: file, format: 'image/jpeg', outDir });
      const png = readPng(join(outDir, result.pages[0]!.file));
      expect([png.width, png.height]).toEqual([reference.width, reference.height]);
      let worst = 0;
      let total = 0;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const a = png.rgb(x, y);
          const b = reference.rgb(x, y);
          for (let c = 0; c < 3; c++) {
            const d = Math.abs(a[c]! - b[c]!);
            worst = Math.max(worst, d);
            total += d;
          }
        }
      }
      // Two conforming decoders differ by IDCT and chroma-upsampling rounding, not by content.
      expect(worst, `${name}: largest sample difference from djpeg`).toBeLessThanOrEqual(24);
      expect(total / (W * H * 3), `${name}: mean sample difference from djpeg`).toBeLessThan(2);
    });
  }

  it('arithmetic-coded JPEG (not decoded by jpeg-js) ends in a typed error', async () => {
    const file = join(dir.path, 'arith.jpg');
    execFileSync('cjpeg', ['-arithmetic', '-outfile', file, source]);
    expect(readFileSync(file).length).toBeGreaterThan(100);
    let caught: unknown;
    try {
      await renderDocument({ inputPath: file, format: 'image/jpeg', outDir: join(dir.path, 'arith') });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RenderError);
    expect(['RENDER_MALFORMED', 'RENDER_UNSUPPORTED_FORMAT']).toContain((caught as RenderError).code);
  });
});
