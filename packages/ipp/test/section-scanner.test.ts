/**
 * The exported SectionScanner (issue 14 item 2: codec knowledge stays in the codec): it finds the
 * end of the attribute section (RFC 8010 §3.1) across any chunking, so callers outside the codec
 * (the printer's inner-request splitter) need no framing walk of their own.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, IppError, SectionScanner } from '@trustnoone/ipp';
import { field, int32, readVector, requestWith } from './helpers.js';

function scanInChunks(bytes: Uint8Array, size: number, scanner = new SectionScanner()): number {
  for (let base = 0; base < bytes.length; base += size) {
    if (scanner.feed(bytes.subarray(base, base + size), base)) return scanner.end;
  }
  return -1;
}

describe('SectionScanner (RFC 8010 §3.1 framing) exported by @trustnoone/ipp', () => {
  const section = requestWith(field(0x21, 'copies', int32(2)), field(0x44, 'sides', 'two-sided-long-edge'));
  const withDocument = Buffer.concat([section, Buffer.from('%PDF-1.7 \x03\x03\x03 document bytes')]);

  for (const size of [1, 3, 8, 64, 1 << 20]) {
    it(`ends the section just after end-of-attributes-tag with ${size}-byte chunks`, () => {
      expect(scanInChunks(withDocument, size)).toBe(section.length);
    });
  }

  it('finds the end of a large real capture, fed byte by byte', () => {
    const bytes = readVector('gpa-all-mcd.resp.bin');
    expect(scanInChunks(bytes, 1)).toBe(bytes.length);
  });

  it('reports an incomplete section as not ended', () => {
    expect(scanInChunks(section.subarray(0, section.length - 1), 5)).toBe(-1);
  });

  it('throws IppError message-too-large past its byte limit, name-too-long and value-too-long past theirs', () => {
    const small = new SectionScanner({ ...DEFAULT_LIMITS, maxMessageBytes: 20 });
    expect(() => scanInChunks(withDocument, 4, small)).toThrowError(expect.objectContaining({ code: 'IPP_MESSAGE_TOO_LARGE' }));
    const longName = requestWith(field(0x44, 'x'.repeat(300), 'v'));
    expect(() => scanInChunks(longName, 16)).toThrowError(IppError);
    expect(() => scanInChunks(longName, 16)).toThrowError(expect.objectContaining({ code: 'IPP_NAME_TOO_LONG' }));
    const longValue = requestWith(field(0x41, 'text', 'y'.repeat(40)));
    expect(() => scanInChunks(longValue, 16, new SectionScanner({ ...DEFAULT_LIMITS, maxValueLength: 32 }))).toThrowError(expect.objectContaining({ code: 'IPP_VALUE_TOO_LONG' }));
  });
});
