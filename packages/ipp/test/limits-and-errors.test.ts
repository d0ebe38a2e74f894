import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, IppError, DEFAULT_LIMITS } from '@trustnoone/ipp';
import type { IppErrorCode, IppMessage } from '@trustnoone/ipp';
import { field, hex, int32, readVector, requestWith } from './helpers.js';

function decodeError(bytes: Uint8Array, options?: Parameters<typeof decodeMessage>[1]): IppError {
  try {
    decodeMessage(bytes, options);
  } catch (error) {
    expect(error).toBeInstanceOf(IppError);
    return error as IppError;
  }
  throw new Error('decoded without error');
}

describe('malformed input yields a typed IppError with code, offset and IPP status', () => {
  it('every strict prefix of every capture is "truncated" at the end of the input', () => {
    for (const name of ['gpa-all-mcd.resp.bin', 'synthetic-edge.resp.bin', 'cancel-job.req.bin']) {
      const bytes = readVector(name);
      for (let n = 0; n < bytes.length; n++) {
        const error = decodeError(bytes.subarray(0, n));
        expect(error.code).toBe('IPP_TRUNCATED');
        expect(error.offset).toBeLessThanOrEqual(n);
        expect(error.status).toBe(0x0400);
      }
    }
  });

  const cases: [string, Buffer, IppErrorCode, number][] = [
    ['a value before any group tag', Buffer.concat([hex('0200 000b 00000001'), field(0x21, 'a', int32(1)), hex('03')]), 'IPP_VALUE_OUTSIDE_GROUP', 8],
    ['an additional value with no attribute', Buffer.concat([hex('0200 000b 00000001 01'), field(0x21, '', int32(1)), hex('03')]), 'IPP_MISSING_NAME', 9],
  ];
  for (const [what, bytes, code, offset] of cases) {
    it(`${what} → ${code} at offset ${offset}`, () => {
      const error = decodeError(bytes);
      expect(error.code).toBe(code);
      expect(error.offset).toBe(offset);
      expect(error.message).toContain(`offset ${offset}`);
    });
  }
});

describe('limits (defaults for a printer on an open network, each configurable)', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxMessageBytes: 4 * 1024 * 1024, maxAttributes: 20_000, maxValueLength: 32_767, maxNameLength: 255, maxCollectionDepth: 16 });
  });

  it('maxValueLength: a value-length over the limit is refused before reading it', () => {
    const bytes = requestWith(field(0x41, 'job-name', 'x'.repeat(40_000)));
    const error = decodeError(bytes);
    expect(error.code).toBe('IPP_VALUE_TOO_LONG');
    expect(error.status).toBe(0x0409);
    expect(decodeError(requestWith(field(0x41, 'n', 'x'.repeat(101))), { limits: { maxValueLength: 100 } }).code).toBe('IPP_VALUE_TOO_LONG');
    expect(() => decodeMessage(requestWith(field(0x41, 'n', 'x'.repeat(100))), { limits: { maxValueLength: 100 } })).not.toThrow();
  });

  it('maxNameLength: names and collection member names', () => {
    expect(decodeError(requestWith(field(0x21, 'n'.repeat(256), int32(1)))).code).toBe('IPP_NAME_TOO_LONG');
    const member = requestWith(field(0x34, 'c'), field(0x4a, '', 'm'.repeat(256)), field(0x21, '', int32(1)), field(0x37, ''));
    expect(decodeError(member).code).toBe('IPP_NAME_TOO_LONG');
    expect(() => decodeMessage(requestWith(field(0x21, 'n'.repeat(255), int32(1))))).not.toThrow();
  });

  it('maxAttributes counts collection members too', () => {
    const attrs = Array.from({ length: 8 }, (_, i) => field(0x21, `a${i}`, int32(i)));
    expect(() => decodeMessage(requestWith(...attrs), { limits: { maxAttributes: 10 } })).not.toThrow(); // 2 + 8
    expect(decodeError(requestWith(...attrs, field(0x21, 'z', int32(0))), { limits: { maxAttributes: 10 } }).code).toBe('IPP_TOO_MANY_ATTRIBUTES');
    const members = requestWith(field(0x34, 'c'), ...Array.from({ length: 8 }, (_, i) => [field(0x4a, '', `m${i}`), field(0x21, '', int32(i))]).flat(), field(0x37, ''));
    const error = decodeError(members, { limits: { maxAttributes: 10 } });
    expect(error.code).toBe('IPP_TOO_MANY_ATTRIBUTES');
    expect(error.status).toBe(0x0408);
  });

  it('maxMessageBytes bounds the attribute section but not the document after it', () => {
    const bytes = readVector('gpa-all-mcd.resp.bin');
    const error = decodeError(bytes, { limits: { maxMessageBytes: 4096 } });
    expect(error.code).toBe('IPP_MESSAGE_TOO_LARGE');
    expect(error.status).toBe(0x0408);
    const withDocument = Buffer.concat([requestWith(), Buffer.alloc(100_000)]);
    expect(decodeMessage(withDocument, { limits: { maxMessageBytes: 1000 } }).data).toHaveLength(100_000);
  });
});

describe('the encoder refuses messages it cannot represent (IppError bad-value / value-too-long)', () => {
  const base: IppMessage = { version: { major: 2, minor: 0 }, code: 2, requestId: 1, groups: [] };
  const withValue = (value: unknown, name = 'a'): IppMessage => ({ ...base, groups: [{ tag: 1, attributes: [{ name, values: [value as never] }] }] });
  const cases: [string, IppMessage, IppErrorCode][] = [
    ['request-id above 2^32-1', { ...base, requestId: 2 ** 32 }, 'IPP_BAD_VALUE'],
    ['a fractional integer', withValue({ tag: 'integer', value: 1.5 }), 'IPP_BAD_VALUE'],
    ['an integer beyond 32 bits', withValue({ tag: 'integer', value: 2 ** 31 }), 'IPP_BAD_VALUE'],
    ['resolution units 7', withValue({ tag: 'resolution', value: { x: 1, y: 1, units: 7 } }), 'IPP_BAD_VALUE'],
    ['an empty name', withValue({ tag: 'integer', value: 1 }, ''), 'IPP_BAD_VALUE'],
    ['a name outside latin1', withValue({ tag: 'integer', value: 1 }, 'naïve→'), 'IPP_BAD_VALUE'],
    ['an attribute with no values', { ...base, groups: [{ tag: 1, attributes: [{ name: 'a', values: [] }] }] }, 'IPP_BAD_VALUE'],
    ['end-of-attributes as a group tag', { ...base, groups: [{ tag: 3, attributes: [] }] }, 'IPP_BAD_VALUE'],
    ['a raw endCollection', withValue({ tag: 'raw', code: 0x37, value: new Uint8Array() }), 'IPP_BAD_VALUE'],
    ['a 40,000-octet text', withValue({ tag: 'textWithoutLanguage', value: 'x'.repeat(40_000) }), 'IPP_VALUE_TOO_LONG'],
    ['memberAttrName as a member value', withValue({ tag: 'collection', value: [{ name: 'm', values: [{ tag: 'memberAttrName', value: 'x' }] }] }), 'IPP_BAD_VALUE'],
  ];
  for (const [what, message, code] of cases) {
    it(what, () => {
      expect(() => encodeMessage(message)).toThrowError(expect.objectContaining({ name: 'IppError', code }));
    });
  }

  it('a dateTime octet field (RFC 2579 DateAndTime) outside 0..255, fractional or not a number, naming the field', () => {
    const date = { year: 2026, month: 12, day: 7, hours: 8, minutes: 5, seconds: 1, deciSeconds: 0, utcDirection: '+', utcHours: 0, utcMinutes: 0 };
    expect(() => encodeMessage(withValue({ tag: 'dateTime', value: date }))).not.toThrow();
    for (const field of ['month', 'day', 'hours', 'minutes', 'seconds', 'deciSeconds', 'utcHours', 'utcMinutes']) {
      for (const bad of [256, -1, 1.5, '3', 3n, undefined]) {
        expect(() => encodeMessage(withValue({ tag: 'dateTime', value: { ...date, [field]: bad } })), `${field} = ${String(bad)}`).toThrowError(
          expect.objectContaining({ name: 'IppError', code: 'IPP_BAD_VALUE', message: expect.stringContaining(`dateTime ${field}`) }),
        );
      }
    }
  });
});
