/**
 * Issue 20: the PNG encoder writes a row equal to the one before it without filtering it byte by
 * byte (blank paper). Images made of runs of repeated rows, a row reused in place (as the
 * downscaler passes its one output buffer) and distinct rows between them decode in pngjs, an
 * independent decoder, to exactly the samples written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { PngWriter } from '../src/render/png/png-writer.js';
import { tempDir } from './render-helpers.js';

const dir = tempDir('png-repeats');
afterAll(() => dir.remove());

describe('PngWriter with repeated rows', () => {
  it('runs of identical rows, one buffer rewritten in place between runs, decode to the samples written', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom('gray' as const, 'rgb' as const),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 2 ** 31 })), { minLength: 1, maxLength: 10 }),
        async (width, color, runs) => {
          const channels = color === 'gray' ? 1 : 3;
          const height = runs.reduce((h, [count]) => h + count, 0);
          const path = join(dir.path, `${n++}.png`);
          const png = PngWriter.create(path, width, height, color);
          const buffer = new Uint8Array(width * channels); // reused, as BoxDownscaler does
          const expected: number[] = [];
          for (const [count, seed] of runs) {
            let s = seed;
            // Seed 0 repeats the previous run's content: the row equals the previous one across runs too.
            if (seed !== 0) for (let i = 0; i < buffer.length; i++) buffer[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
            for (let k = 0; k < count; k++) {
              await png.writeRow(buffer);
              expected.push(...buffer);
            }
          }
          await png.finish();
          const decoded = PNG.sync.read(readFileSync(path));
          const got: number[] = [];
          for (let p = 0; p < width * height; p++) for (let c = 0; c < channels; c++) got.push(decoded.data[p * 4 + c]!);
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });
});
