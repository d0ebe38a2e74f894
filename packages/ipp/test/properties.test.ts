import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, IppError, messageFromJson, messageToJson, readIppMessage } from '@trustnoone/ipp';
import { message } from './arbitraries.js';
import { firstDifference, readVector, vectorNames } from './helpers.js';

/** Decodes, and accepts only success or an IppError: anything else (TypeError, RangeError, ...) fails the property. */
function decodeOrIppError(bytes: Uint8Array): ReturnType<typeof decodeMessage> | IppError {
  try {
    return decodeMessage(bytes);
  } catch (error) {
    if (error instanceof IppError) return error;
    throw error;
  }
}

/** A comparable form: bytes (Buffer or Uint8Array alike) as hex strings, undefined members dropped. */
function plain(m: unknown): unknown {
  if (m instanceof Uint8Array) return `bytes:${Buffer.from(m).toString('hex')}`;
  if (Array.isArray(m)) return m.map(plain);
  if (m !== null && typeof m === 'object') {
    return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined).map(([k, v]) => [k, plain(v)]));
  }
  return m;
}

describe('properties (fast-check)', () => {
  it('random valid messages: decode(encode(m)) equals m, and re-encoding is byte-identical', () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encodeMessage(m);
        const back = decodeMessage(bytes);
        expect(plain(back)).toEqual(plain(m));
        expect(firstDifference(encodeMessage(back), bytes)).toBe(-1);
      }),
      { numRuns: 400 },
    );
  });

  it('the JSON form is lossless: JSON.parse(JSON.stringify(toJson(m))) encodes to the same bytes', () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encodeMessage(m);
        const json = JSON.parse(JSON.stringify(messageToJson(decodeMessage(bytes)))) as unknown;
        expect(firstDifference(encodeMessage(messageFromJson(json)), bytes)).toBe(-1);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes after a valid header never throw anything but IppError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (tail, withHeader) => {
        const bytes = withHeader ? Buffer.concat([Buffer.from('0200000b0000000101', 'hex'), tail]) : tail;
        decodeOrIppError(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  const corpus = vectorNames().map((n) => readVector(n));
  const mutation = fc.record({
    source: fc.integer({ min: 0, max: corpus.length - 1 }),
    edits: fc.array(fc.record({ at: fc.nat(), kind: fc.constantFrom('set', 'insert', 'delete', 'truncate'), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
  });

  it('mutated captures: only IppError, and whatever still decodes re-encodes byte-identically (lossless)', () => {
    let decoded = 0;
    fc.assert(
      fc.property(mutation, ({ source, edits }) => {
        let bytes = Buffer.from(corpus[source]!);
        for (const { at, kind, byte } of edits) {
          const i = at % Math.max(bytes.length, 1);
          if (kind === 'set') bytes[i] = byte;
          else if (kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
          else if (kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
          else bytes = bytes.subarray(0, i);
        }
        const result = decodeOrIppError(bytes);
        if (result instanceof IppError) {
          expect(result.offset).toBeGreaterThanOrEqual(0);
          expect(result.offset).toBeLessThanOrEqual(bytes.length);
          return;
        }
        decoded++;
        expect(firstDifference(encodeMessage(result), bytes)).toBe(-1);
      }),
      { numRuns: 2000 },
    );
    expect(decoded).toBeGreaterThan(50); // the lossless half of the property was exercised
  });

  it('the streaming reader on mutated captures: settles (never hangs), rejecting only with IppError', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, fc.integer({ min: 1, max: 700 }), async ({ source, edits }, chunk) => {
        let bytes = Buffer.from(corpus[source]!);
        for (const { at, kind, byte } of edits) {
          const i = at % Math.max(bytes.length, 1);
          if (kind === 'set') bytes[i] = byte;
          else if (kind === 'truncate') bytes = bytes.subarray(0, i);
          else if (kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
          else bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
        }
        const parts: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([
          readIppMessage(Readable.from(parts)).then(
            async ({ data }) => {
              for await (const _ of data) void _;
              return 'ok';
            },
            (error: unknown) => (error instanceof IppError ? 'ipp-error' : error),
          ),
          new Promise((resolve) => {
            timer = setTimeout(() => resolve('hung'), 2000);
          }),
        ]);
        clearTimeout(timer);
        expect(['ok', 'ipp-error']).toContain(outcome);
      }),
      { numRuns: 300 },
    );
  });

  it('the streaming reader agrees with decodeMessage on random messages split at random points', async () => {
    await fc.assert(
      fc.asyncProperty(message, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), async (m, sizes) => {
        const bytes = Buffer.from(encodeMessage(m));
        const parts: Buffer[] = [];
        for (let i = 0, k = 0; i < bytes.length; k++) {
          const n = sizes[k % sizes.length]!;
          parts.push(bytes.subarray(i, i + n));
          i += n;
        }
        const { message: head, data } = await readIppMessage(Readable.from(parts));
        const rest: Buffer[] = [];
        for await (const chunk of data) rest.push(chunk as Buffer);
        const whole = decodeMessage(bytes);
        const { data: wholeData, ...wholeHead } = whole;
        expect(plain(head)).toEqual(plain(wholeHead));
        expect(Buffer.concat(rest).equals(Buffer.from(wholeData ?? new Uint8Array()))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
