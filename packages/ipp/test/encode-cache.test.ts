import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, encodeHeader, encodeMessage, IppError } from '@trustnoone/ipp';
import type { IppMessage } from '@trustnoone/ipp';
import { resetEncodeCache } from '../src/encode-cache.js';
import { message } from './arbitraries.js';
import { readVector, vectorNames } from './helpers.js';

/**
 * The encoder keeps the encoded form of names and keyword-like values in a bounded cache
 * (src/encode-cache.ts). Its contents must never show in the output: the bytes are the same with
 * the cache off, cold, warm, or so small that it is emptied on nearly every string.
 */

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The encoding of `m` with the cache off, cold, warm (twice), and at 1 and 7 entries. */
function encodings(m: IppMessage): string[] {
  const out: string[] = [];
  resetEncodeCache(0);
  out.push(hex(encodeMessage(m)));
  resetEncodeCache();
  out.push(hex(encodeMessage(m)), hex(encodeMessage(m)));
  resetEncodeCache(1);
  out.push(hex(encodeMessage(m)), hex(encodeMessage(m)));
  resetEncodeCache(7);
  out.push(hex(encodeMessage(m)), hex(encodeMessage(m)));
  return out;
}

function ippErrorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof IppError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('encoder string cache', () => {
  afterEach(() => resetEncodeCache());

  it('random messages: output is the same with the cache off, cold, warm and nearly always evicting', () => {
    fc.assert(
      fc.property(message, (m) => {
        const all = encodings(m);
        for (const e of all) expect(e).toBe(all[0]);
      }),
      { numRuns: 300 },
    );
  });

  it('random message sequences through one small cache: each encodes as it does with the cache off', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 2, maxLength: 6 }), fc.integer({ min: 1, max: 40 }), (ms, size) => {
        resetEncodeCache(0);
        const expected = ms.map((m) => hex(encodeMessage(m)));
        resetEncodeCache(size);
        for (let round = 0; round < 2; round++) ms.forEach((m, i) => expect(hex(encodeMessage(m))).toBe(expected[i]));
      }),
      { numRuns: 100 },
    );
  });

  it('every vector re-encodes byte-identically whatever the cache size', () => {
    for (const name of vectorNames()) {
      const bytes = readVector(name);
      const m = decodeMessage(bytes);
      const header = bytes.subarray(0, bytes.length - (m.data?.length ?? 0));
      for (const size of [0, 1, 7, 4096]) {
        resetEncodeCache(size);
        for (let i = 0; i < 2; i++) {
          expect(hex(encodeMessage(m)), `${name}, cache ${size}`).toBe(hex(bytes));
          expect(hex(encodeHeader(m)), `${name}, cache ${size}`).toBe(hex(header));
        }
      }
    }
  });

  it('a string cached as a value is still checked and written as a name: latin1, non-empty, nothing above 0xFF', () => {
    const op = (name: string, value: string): IppMessage => ({
      version: { major: 2, minor: 0 },
      code: 0x000b,
      requestId: 1,
      groups: [{ tag: 0x01, attributes: [{ name: 'a', values: [{ tag: 'keyword', value }] }, { name, values: [{ tag: 'keyword', value: 'x' }] }] }],
    });
    for (const size of [0, 4096]) {
      resetEncodeCache(size);
      // 'ä' is U+00E4: one octet in a name (latin1), two in a keyword value (UTF-8).
      const bytes = Buffer.from(encodeMessage(op('media-ä', 'media-ä')));
      expect(bytes.includes(Buffer.from([0x00, 0x07, ...Buffer.from('media-', 'latin1'), 0xe4]))).toBe(true);
      expect(bytes.includes(Buffer.from([0x00, 0x08, ...Buffer.from('media-ä', 'utf8')]))).toBe(true);
      expect(ippErrorCode(() => encodeMessage(op('', '')))).toBe('IPP_BAD_VALUE');
      expect(ippErrorCode(() => encodeMessage(op('media-€', 'media-€')))).toBe('IPP_BAD_VALUE');
      expect(ippErrorCode(() => encodeMessage(op('x'.repeat(0x8000), 'x')))).toBe('IPP_NAME_TOO_LONG');
    }
  });

  it('a non-string value with a keyword tag is refused even when its text is cached', () => {
    resetEncodeCache();
    const m = (value: unknown): IppMessage =>
      ({ version: { major: 2, minor: 0 }, code: 0, requestId: 1, groups: [{ tag: 0x01, attributes: [{ name: 'k', values: [{ tag: 'keyword', value }] }] }] }) as IppMessage;
    encodeMessage(m('one'));
    expect(ippErrorCode(() => encodeMessage(m(1)))).toBe('IPP_BAD_VALUE');
    expect(ippErrorCode(() => encodeMessage(m(new String('one'))))).toBe('IPP_BAD_VALUE');
  });
});
