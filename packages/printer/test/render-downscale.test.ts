/**
 * The preview box filter: for random images, factors and runs of repeated rows (as PWG line
 * repeats deliver them), the streamed, weighted downscaler equals a direct mean over each block.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoxDownscaler, downscaleFactor, previewFactors } from '../src/render/downscale.js';

/** Reference: mean of each fx × fy block (smaller at the right and bottom edges), rounded. */
function reference(rows: Uint8Array[], width: number, channels: number, fx: number, fy: number): number[][] {
  const out: number[][] = [];
  for (let by = 0; by < rows.length; by += fy) {
    const line: number[] = [];
    for (let bx = 0; bx < width; bx += fx) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        let n = 0;
        for (let y = by; y < Math.min(rows.length, by + fy); y++) {
          for (let x = bx; x < Math.min(width, bx + fx); x++) {
            sum += rows[y]![x * channels + c]!;
            n++;
          }
        }
        line.push(Math.round(sum / n));
      }
    }
    out.push(line);
  }
  return out;
}

describe('BoxDownscaler', () => {
  it('equals the block mean, with repeated rows pushed once with a weight', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 23 }),
        fc.constantFrom(1 as const, 3 as const),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 2 ** 31 })), { minLength: 1, maxLength: 8 }),
        async (width, channels, fx, fy, runs) => {
          const distinct = runs.map(([, seed]) => {
            const row = new Uint8Array(width * channels);
            let s = seed;
            for (let i = 0; i < row.length; i++) row[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
            return row;
          });
          const rows = runs.flatMap(([count], i) => Array.from({ length: count }, () => distinct[i]!));
          const got: number[][] = [];
          const scaler = new BoxDownscaler(width, rows.length, channels, fx, fy, async (row) => {
            got.push([...row]);
          });
          for (const [i, [count]] of runs.entries()) await scaler.push(distinct[i]!, count);
          expect(got).toEqual(reference(rows, width, channels, fx, fy));
          expect([scaler.outWidth, scaler.outHeight]).toEqual([Math.ceil(width / fx), Math.ceil(rows.length / fy)]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses more rows than the image has', async () => {
    const scaler = new BoxDownscaler(2, 3, 1, 2, 2, async () => {});
    await scaler.push(new Uint8Array(2), 2);
    await expect(scaler.push(new Uint8Array(2), 2)).rejects.toThrow(RangeError);
  });

  it('uses one physical preview resolution for both axes, so roll media keep their shape', () => {
    expect(previewFactors(2550, 3300, 300, 300, 150, 4000)).toEqual({ fx: 2, fy: 2 }); // Letter at 300 dpi
    expect(previewFactors(400, 200, 600, 300, 150, 4000)).toEqual({ fx: 4, fy: 2 }); // 600 × 300 dpi
    expect(previewFactors(450, 60_000, 150, 150, 150, 4000)).toEqual({ fx: 15, fy: 15 }); // 3 in × 400 in roll
    expect(previewFactors(100, 100, 72, 72, 150, 4000)).toEqual({ fx: 1, fy: 1 }); // never upscales
  });

  it('picks the smallest integer factor meeting both the preview dpi and the side limit', () => {
    expect(downscaleFactor(2550, 300, 150, 4000)).toBe(2);
    expect(downscaleFactor(7200, 600, 150, 4000)).toBe(4);
    expect(downscaleFactor(1275, 150, 150, 4000)).toBe(1);
    expect(downscaleFactor(20_000, 100, 150, 4000)).toBe(5); // side-limited
    expect(downscaleFactor(1000, 72, 150, 4000)).toBe(1); // never upscales
  });
});
