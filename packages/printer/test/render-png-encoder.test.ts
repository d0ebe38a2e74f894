/**
 * Our PNG encoder (PNG spec / ISO/IEC 15948) against pngjs, an independent decoder that checks
 * chunk CRCs and the zlib stream: random grey and RGB images decode to exactly the samples written.
 * CRC-32 against the check value of the CRC catalogue and, where Node has it, zlib's crc32.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32 } from '../src/render/png/crc32.js';
import { PngWriter, readPngSize } from '../src/render/png/png-writer.js';
import { tempDir } from './render-helpers.js';

const dir = tempDir('png');
afterAll(() => dir.remove());

describe('CRC-32 (PNG §5.5, ISO 3309)', () => {
  it('has the catalogue check value for "123456789" and 0 for no bytes', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082); // the CRC every PNG ends with
  });

  it('chains: crc(a ‖ b) = crc(b, crc(a)); agrees with zlib.crc32 where Node has it', () => {
    const native = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        const joined = new Uint8Array([...a, ...b]);
        expect(crc32(b, crc32(a))).toBe(crc32(joined));
        if (native) expect(crc32(joined)).toBe(native(joined));
      }),
      { numRuns: 200 },
    );
  });
});

describe('PngWriter', () => {
  it('random grey and RGB images decode in pngjs to the samples written', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom('gray' as const, 'rgb' as const),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (width, height, color, seed) => {
          const channels = color === 'gray' ? 1 : 3;
          const samples = new Uint8Array(width * height * channels);
          let s = seed;
          for (let i = 0; i < samples.length; i++) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            samples[i] = i % 7 === 0 ? samples[Math.max(0, i - channels)]! : s >>> 24; // some runs, some noise
          }
          const path = join(dir.path, `r${n++}.png`);
          const png = PngWriter.create(path, width, height, color);
          for (let y = 0; y < height; y++) await png.writeRow(samples.subarray(y * width * channels, (y + 1) * width * channels));
          await png.finish();
          const bytes = readFileSync(path);
          expect(readPngSize(bytes)).toEqual({ width, height });
          const decoded = PNG.sync.read(bytes);
          expect([decoded.width, decoded.height]).toEqual([width, height]);
          for (let i = 0; i < width * height; i++) {
            const want = channels === 1 ? [samples[i]!, samples[i]!, samples[i]!] : [...samples.subarray(3 * i, 3 * i + 3)];
            const got = [decoded.data[4 * i]!, decoded.data[4 * i + 1]!, decoded.data[4 * i + 2]!];
            if (got.some((v, c) => v !== want[c])) expect(got, `pixel ${i} of ${width}x${height} ${color}`).toEqual(want);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a 4,000 × 3,000 RGB image streams through in bounded batches and decodes', async () => {
    const width = 4000;
    const height = 3000;
    const path = join(dir.path, 'big.png');
    const png = PngWriter.create(path, width, height, 'rgb');
    const row = new Uint8Array(width * 3);
    for (let y = 0; y < height; y++) {
      row.fill(y & 0xff);
      await png.writeRow(row);
    }
    await png.finish();
    const decoded = PNG.sync.read(readFileSync(path));
    expect(decoded.data[(2999 * width + 10) * 4]).toBe(2999 & 0xff);
  });

  it('refuses wrong sizes with RangeError naming what was expected', async () => {
    expect(() => PngWriter.create(join(dir.path, 'z.png'), 0, 5, 'gray')).toThrow(RangeError);
    const png = PngWriter.create(join(dir.path, 'e.png'), 4, 2, 'rgb');
    await expect(png.writeRow(new Uint8Array(4))).rejects.toThrow(/12 bytes/);
    await png.writeRow(new Uint8Array(12));
    await expect(png.finish()).rejects.toThrow(/2 rows/);
    png.abort();
  });
});
