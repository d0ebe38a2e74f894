import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeMessage, IppError } from '@trustnoone/ipp';
import { field, int32, requestWith } from './helpers.js';

/**
 * Bounded slow test: decode time must grow linearly with input size for the shapes a hostile
 * client would pick. Each shape is decoded at n and 8n, repeating the small one 8 times as often so
 * both runs cover the same bytes; CPU time (not wall time, the machine is shared) per byte must
 * stay within 4× between the two. A quadratic decoder would be 8× slower per byte at 8n.
 */

const LIMITS = { limits: { maxMessageBytes: 64 * 1024 * 1024, maxAttributes: 10_000_000 } };

function decodeOnce(bytes: Buffer): void {
  try {
    decodeMessage(bytes, LIMITS);
  } catch (error) {
    if (!(error instanceof IppError)) throw error;
  }
}

/** CPU microseconds for `repeat` decodes; the best of 5 tries, the least disturbed by GC and other processes. */
function cpuTime(bytes: Buffer, repeat: number): number {
  let best = Infinity;
  for (let attempt = 0; attempt < 5; attempt++) {
    const start = process.cpuUsage();
    for (let i = 0; i < repeat; i++) decodeOnce(bytes);
    const used = process.cpuUsage(start);
    best = Math.min(best, used.user + used.system);
  }
  return best;
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
      const small = make(2000);
      const large = make(16000);
      cpuTime(small, 8); // warm up the JIT on this shape
      cpuTime(large, 1);
      const perByteSmall = cpuTime(small, 8) / (8 * small.length);
      const perByteLarge = cpuTime(large, 1) / large.length;
      expect(large.length / small.length).toBeGreaterThan(6);
      // linear: ≈ 1; quadratic: ≈ 8
      expect(perByteLarge / perByteSmall).toBeLessThan(4);
    });
  }
});
