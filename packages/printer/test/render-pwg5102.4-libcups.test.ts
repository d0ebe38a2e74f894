/**
 * PWG 5102.4 interoperability with libcups (CUPS's raster stream code, an independent
 * implementation): files from our writePwgRaster() decode in libcups to exactly the rows we meant,
 * and files compressed by libcups render in our worker to exactly the pixels they hold.
 * The peer is test/fixtures/pwg-libcups.c, compiled here against the system's libcups.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPwgPattern, renderDocument, writePwgRaster, type PwgColorSpace } from '../src/render/index.js';
import { readPng, tempDir } from './render-helpers.js';

const dir = tempDir('libcups');
const peer = join(dir.path, 'pwg-libcups');
afterAll(() => dir.remove());

beforeAll(() => {
  const source = fileURLToPath(new URL('./fixtures/pwg-libcups.c', import.meta.url));
  const config = spawnSync('cups-config', ['--cflags', '--libs'], { encoding: 'utf8' });
  if (config.status !== 0) throw new Error('cups-config missing: apt-get install libcups2-dev (the test set-up normally does)');
  const flags = config.stdout.split(/\s+/).filter(Boolean);
  execFileSync('gcc', ['-O1', '-o', peer, source, ...flags], { stdio: 'pipe' });
});

const CS_CODE: Record<PwgColorSpace, number> = { black: 3, cmyk: 6, sgray: 18, srgb: 19, 'adobe-rgb': 20 };
const CHANNELS: Record<PwgColorSpace, number> = { black: 1, cmyk: 4, sgray: 1, srgb: 3, 'adobe-rgb': 3 };

/** Packs the rows of one page the plain way (no compression): what a decoder must give back. */
function rawRows(colorSpace: PwgColorSpace, bits: 1 | 8 | 16, width: number, height: number, page: number): Uint8Array {
  const pixel = defaultPwgPattern({ width, height, colorSpace, bitsPerColor: bits });
  const bpl = Math.ceil((width * bits * CHANNELS[colorSpace]) / 8);
  const out = new Uint8Array(bpl * height);
  for (let y = 0; y < height; y++) {
    let at = y * bpl;
    for (let x = 0; x < width; x++) {
      const values = pixel(x, y, page);
      if (bits === 1) {
        if (values[0]) out[y * bpl + (x >> 3)]! |= 0x80 >> (x & 7);
        continue;
      }
      for (const v of values) {
        if (bits === 16) {
          out[at++] = v >> 8;
          out[at++] = v & 0xff;
        } else out[at++] = v;
      }
    }
  }
  return out;
}

const TYPES: Array<[PwgColorSpace, 1 | 8 | 16]> = [
  ['black', 1],
  ['black', 8],
  ['sgray', 8],
  ['sgray', 16],
  ['srgb', 8],
  ['srgb', 16],
  ['cmyk', 8],
];

describe('our PWG Raster writer, decoded by libcups', () => {
  for (const [colorSpace, bits] of TYPES) {
    for (const whiteFill of [false, true]) {
      it(`${colorSpace}_${bits}${whiteFill ? ' with the white-fill code' : ''}: libcups reads back every row`, () => {
        const width = 61; // odd, so 1-bit rows end mid-byte
        const height = 37;
        const file = join(dir.path, `ours-${colorSpace}-${bits}-${whiteFill}.pwg`);
        const bytes = writePwgRaster({ pages: 2, width, height, colorSpace, bitsPerColor: bits, whiteFill });
        writeFileSync(file, bytes);
        const out = execFileSync(peer, ['read', file], { maxBuffer: 16 * 1024 * 1024 });
        let at = 0;
        for (let page = 0; page < 2; page++) {
          const nl = out.indexOf(0x0a, at);
          const fields = out.subarray(at, nl).toString().split(' ').map(Number);
          const bpl = Math.ceil((width * bits * CHANNELS[colorSpace]) / 8);
          expect(fields, `page ${page + 1} header as libcups sees it`).toEqual([width, height, bits, bits * CHANNELS[colorSpace], bpl, CS_CODE[colorSpace]]);
          at = nl + 1;
          const rows = out.subarray(at, at + bpl * height);
          const expected = rawRows(colorSpace, bits, width, height, page);
          const first = rows.findIndex((b, i) => b !== expected[i]);
          expect(first, `first differing byte of page ${page + 1} (row ${Math.floor(first / bpl)})`).toBe(-1);
          at += bpl * height;
        }
        expect(at).toBe(out.length);
      });
    }
  }
});

/** Mirror of pattern_byte() in fixtures/pwg-libcups.c. */
function patternByte(page: number, y: number, i: number): number {
  if (Math.floor(i / 16) % 2 === 0) return (Math.floor(y / 2) * 5 + page * 40) & 0xff;
  return (i * 7 + Math.floor(y / 2) * 3 + page * 11) & 0xff;
}

/** The preview RGB of pixel x of row y, from the raw bytes libcups compressed. */
function expectedPixel(colorSpace: PwgColorSpace, bits: 1 | 8 | 16, page: number, y: number, x: number): [number, number, number] {
  if (bits === 1) {
    const bit = (patternByte(page, y, x >> 3) >> (7 - (x & 7))) & 1;
    const v = colorSpace === 'black' ? (bit ? 0 : 255) : bit ? 255 : 0;
    return [v, v, v];
  }
  const step = bits / 8;
  const n = CHANNELS[colorSpace];
  // cupsRasterWritePixels takes 16-bit samples in host byte order and writes them big-endian
  // (PWG 5102.4 §4.4), so on a little-endian host the high byte of a sample is the second one given.
  const high = step === 2 && endianness() === 'LE' ? 1 : 0;
  const sample = (c: number): number => patternByte(page, y, (x * n + c) * step + high);
  if (colorSpace === 'black') return [255 - sample(0), 255 - sample(0), 255 - sample(0)];
  if (colorSpace === 'sgray') return [sample(0), sample(0), sample(0)];
  if (colorSpace === 'cmyk') {
    const k = sample(3);
    const f = (v: number): number => Math.round(((255 - v) * (255 - k)) / 255);
    return [f(sample(0)), f(sample(1)), f(sample(2))];
  }
  return [sample(0), sample(1), sample(2)];
}

describe('PWG Raster compressed by libcups, rendered by our worker', () => {
  for (const [colorSpace, bits] of TYPES) {
    it(`${colorSpace}_${bits}: every preview pixel equals the pixel libcups was given`, async () => {
      const width = 70;
      const height = 30;
      const file = join(dir.path, `cups-${colorSpace}-${bits}.pwg`);
      execFileSync(peer, ['write', file, String(width), String(height), String(CS_CODE[colorSpace]), String(bits), '2']);
      const outDir = join(dir.path, `cups-${colorSpace}-${bits}`);
      const result = await renderDocument({ inputPath: file, format: 'image/pwg-raster', outDir });
      expect(result.pageCount).toBe(2);
      for (let page = 0; page < 2; page++) {
        const png = readPng(join(outDir, result.pages[page]!.file));
        expect([png.width, png.height]).toEqual([width, height]);
        const mismatches: string[] = [];
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            const want = expectedPixel(colorSpace, bits, page, y, x);
            const got = png.rgb(x, y);
            if (got.some((v, c) => v !== want[c])) mismatches.push(`(${x},${y}) ${got} != ${want}`);
          }
        }
        expect(mismatches.slice(0, 5), `page ${page + 1}`).toEqual([]);
      }
    });
  }
});
