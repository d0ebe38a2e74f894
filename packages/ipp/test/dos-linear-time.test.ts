import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeMessage, IppError } from '@trustnoone/ipp';
import { field, int32, requestWith } from './helpers.js';

/**
 * Bounded slow test: decode time must grow linearly with input size for the shapes a hostile
 * client would pick. Each shape is decoded at n and 8n; the time ratio must stay well below the
 * 64 a quadratic decoder would show (we allow 4× the size ratio for noise on a shared 2-core machine).
 */

/** The fastest of several runs: the least disturbed by GC and other processes. */
function fastest(xs: number[]): number {
  return Math.min(...xs);
}

function timeDecode(bytes: Buffer): number {
  const runs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = process.hrtime.bigint();
    try {
      decodeMessage(bytes, { limits: { maxMessageBytes: 64 * 1024 * 1024, maxAttributes: 10_000_000 } });
    } catch (error) {
      if (!(error instanceof IppError)) throw error;
    }
    runs.push(Number(process.hrtime.bigint() - t));
  }
  return fastest(runs);
}

const shapes: Record<string, (n: number) => Buffer> = {
  'many one-value attributes': (n) => requestWith(...Array.from({ length: n }, (_, i) => field(0x21, `a${i}`, int32(i)))),
  'one attribute with many additional values': (n) => requestWith(field(0x44, 'k', 'v'), ...Array.from({ length: n }, () => field(0x44, '', 'v'))),
  'one collection with many members': (n) =>
    requestWith(field(0x34, 'c'), ...Array.from({ length: n }, (_, i) => [field(0x4a, '', `m${i}`), field(0x21, '', int32(i))]).flat(), field(0x37, '')),
  'many collections nested to the depth limit': (n) => {
    // members and ends of one collection nested 16 deep, after its begCollection
    const inner: Buffer[] = [];
    for (let d = 1; d < 16; d++) inner.push(field(0x4a, '', 'm'), field(0x34, ''));
    for (let d = 0; d < 16; d++) inner.push(field(0x37, ''));
    const tail = Buffer.concat(inner);
    return requestWith(...Array.from({ length: Math.max(1, Math.floor(n / 32)) }, (_, i) => Buffer.concat([field(0x34, `c${i}`), tail])));
  },
  'long non-ASCII texts': (n) => requestWith(...Array.from({ length: Math.max(1, Math.floor(n / 50)) }, (_, i) => field(0x41, `t${i}`, 'é'.repeat(2000)))),
  'truncated at the very end': (n) => requestWith(...Array.from({ length: n }, (_, i) => field(0x21, `a${i}`, int32(i)))).subarray(0, -1),
};

describe('decode time is linear in input size (bounded DoS check)', () => {
  for (const [shape, make] of Object.entries(shapes)) {
    it(shape, () => {
      const small = make(4000);
      const large = make(32000);
      timeDecode(small); // warm up the JIT on this shape
      timeDecode(large);
      const ratio = timeDecode(large) / timeDecode(small);
      const sizeRatio = large.length / small.length;
      expect(sizeRatio).toBeGreaterThan(6);
      // linear: ratio ≈ sizeRatio (~8); quadratic: ≈ sizeRatio² (~64)
      expect(ratio).toBeLessThan(sizeRatio * 4);
    });
  }
});
