import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, encodeHeader, encodeMessage } from '@trustnoone/ipp';
import { resetEncodeCache } from '../src/encode-cache.js';
import { message } from './arbitraries.js';
import { firstDifference, readVector, vectorNames } from './helpers.js';
import { referenceEncode } from './reference-encoder.js';

/**
 * The encoder is tuned for speed (one pass into a shared slab, cached names as 32-bit words,
 * numeric dispatch); tuning must never change a byte. Its output is compared with a plain encoder
 * written field by field from RFC 8010 §3 (reference-encoder.ts) on arbitrary messages and on
 * every capture, with the string cache warm, cold and off.
 */

function expectSameBytes(ours: Uint8Array, reference: Uint8Array, what: string): void {
  const at = firstDifference(ours, reference);
  expect(at, `${what}: first differing offset ${at} (ours ${ours.length} octets, reference ${reference.length})`).toBe(-1);
}

describe('RFC 8010 §3 encoder output equals a plain reference encoder', () => {
  afterEach(() => resetEncodeCache());

  it('arbitrary messages: encodeMessage and encodeHeader equal the reference, byte for byte', () => {
    fc.assert(
      fc.property(message, (m) => {
        const reference = referenceEncode(m);
        expectSameBytes(encodeMessage(m), reference, 'encodeMessage');
        expectSameBytes(encodeMessage(m), reference, 'encodeMessage again (cache warm)');
        const header = referenceEncode({ ...m, data: undefined });
        expectSameBytes(encodeHeader(m), header, 'encodeHeader');
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary messages with the string cache off: equal to the reference', () => {
    resetEncodeCache(0);
    fc.assert(fc.property(message, (m) => expectSameBytes(encodeMessage(m), referenceEncode(m), 'cache off')), { numRuns: 100 });
  });

  it('every capture: decoded and re-encoded, equal to the reference and to the capture', () => {
    for (const name of vectorNames()) {
      const bytes = readVector(name);
      const m = decodeMessage(bytes);
      expectSameBytes(referenceEncode(m), bytes, `${name} (reference)`);
      expectSameBytes(encodeMessage(m), referenceEncode(m), name);
    }
  });

  it('the reference encoder is itself checked: a hand-annotated Get-Printer-Attributes request', () => {
    const m = decodeMessage(
      Buffer.from(
        '0200' + '000b' + '00000007' + // version 2.0, Get-Printer-Attributes, request-id 7
          '01' + // operation-attributes-tag
          '47' + '0012' + Buffer.from('attributes-charset').toString('hex') + '0005' + Buffer.from('utf-8').toString('hex') +
          '44' + '0014' + Buffer.from('requested-attributes').toString('hex') + '0003' + Buffer.from('all').toString('hex') +
          '44' + '0000' + '0009' + Buffer.from('media-col').toString('hex') + // an additional value: empty name
          '03', // end-of-attributes-tag
        'hex',
      ),
    );
    expect(referenceEncode(m).toString('hex')).toBe(
      '0200000b0000000701' +
        '47' + '0012' + Buffer.from('attributes-charset').toString('hex') + '0005' + Buffer.from('utf-8').toString('hex') +
        '44' + '0014' + Buffer.from('requested-attributes').toString('hex') + '0003' + Buffer.from('all').toString('hex') +
        '44' + '0000' + '0009' + Buffer.from('media-col').toString('hex') +
        '03',
    );
  });
});
