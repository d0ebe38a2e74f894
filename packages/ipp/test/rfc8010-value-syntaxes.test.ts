import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, GroupTag } from '@trustnoone/ipp';
import type { IppMessage, IppValue } from '@trustnoone/ipp';
import { field, firstDifference, hex, int32, requestWith } from './helpers.js';

function onlyExtra(message: IppMessage) {
  return message.groups[0]!.attributes.slice(2);
}

function roundTrip(bytes: Buffer): IppMessage {
  const message = decodeMessage(bytes);
  expect(firstDifference(encodeMessage(message), bytes)).toBe(-1);
  return message;
}

describe('RFC 8010 §3.9 value syntaxes decode to typed values and re-encode byte for byte', () => {
  const cases: [string, Buffer, IppValue][] = [
    ['integer', field(0x21, 'copies', int32(-7)), { tag: 'integer', value: -7 }],
    ['boolean true', field(0x22, 'b', hex('01')), { tag: 'boolean', value: true }],
    ['boolean false', field(0x22, 'b', hex('00')), { tag: 'boolean', value: false }],
    ['enum', field(0x23, 'e', int32(0x4001)), { tag: 'enum', value: 0x4001 }],
    ['octetString', field(0x30, 'o', hex('00ff80')), { tag: 'octetString', value: new Uint8Array([0, 0xff, 0x80]) }],
    [
      'dateTime with negative offset',
      field(0x31, 'd', hex('07e8 02 1d 17 3b 3c 09 2d 09 1e')),
      { tag: 'dateTime', value: { year: 2024, month: 2, day: 29, hours: 23, minutes: 59, seconds: 60, deciSeconds: 9, utcDirection: '-', utcHours: 9, utcMinutes: 30 } },
    ],
    ['resolution', field(0x32, 'r', Buffer.concat([int32(600), int32(1200), hex('03')])), { tag: 'resolution', value: { x: 600, y: 1200, units: 3 } }],
    ['rangeOfInteger', field(0x33, 'p', Buffer.concat([int32(-5), int32(9)])), { tag: 'rangeOfInteger', value: { lower: -5, upper: 9 } }],
    ['textWithLanguage', field(0x35, 't', hex('0002 6465 0003 c3a4 62')), { tag: 'textWithLanguage', value: 'äb', language: 'de' }],
    ['nameWithLanguage', field(0x36, 'n', hex('0002 6a61 0003 e38386')), { tag: 'nameWithLanguage', value: 'テ', language: 'ja' }],
    ['textWithoutLanguage', field(0x41, 't', 'héllo'), { tag: 'textWithoutLanguage', value: 'héllo' }],
    ['nameWithoutLanguage', field(0x42, 'n', 'bob'), { tag: 'nameWithoutLanguage', value: 'bob' }],
    ['keyword', field(0x44, 'k', 'one-sided'), { tag: 'keyword', value: 'one-sided' }],
    ['uri', field(0x45, 'u', 'ipp://h/p'), { tag: 'uri', value: 'ipp://h/p' }],
    ['uriScheme', field(0x46, 'u', 'ipps'), { tag: 'uriScheme', value: 'ipps' }],
    ['charset', field(0x47, 'c', 'utf-8'), { tag: 'charset', value: 'utf-8' }],
    ['naturalLanguage', field(0x48, 'l', 'en-us'), { tag: 'naturalLanguage', value: 'en-us' }],
    ['mimeMediaType', field(0x49, 'm', 'application/pdf'), { tag: 'mimeMediaType', value: 'application/pdf' }],
    ['memberAttrName outside a collection', field(0x4a, 'a', 'media-size'), { tag: 'memberAttrName', value: 'media-size' }],
    ['unsupported out-of-band', field(0x10, 'x'), { tag: 'unsupported' }],
    ['default out-of-band', field(0x11, 'x'), { tag: 'default' }],
    ['unknown out-of-band', field(0x12, 'x'), { tag: 'unknown' }],
    ['no-value out-of-band', field(0x13, 'x'), { tag: 'noValue' }],
    ['not-settable out-of-band', field(0x15, 'x'), { tag: 'notSettable' }],
    ['delete-attribute out-of-band', field(0x16, 'x'), { tag: 'deleteAttribute' }],
    ['admin-define out-of-band', field(0x17, 'x'), { tag: 'adminDefine' }],
    ['out-of-band with stray bytes kept', field(0x13, 'x', hex('beef')), { tag: 'noValue', value: new Uint8Array([0xbe, 0xef]) }],
    ['extension tag 0x7F with its 4-octet real tag', field(0x7f, 'x', hex('40000001 cafe')), { tag: 'raw', code: 0x7f, value: new Uint8Array([0x40, 0, 0, 1, 0xca, 0xfe]) }],
    ['unassigned tag 0x4b', field(0x4b, 'x', 'v'), { tag: 'raw', code: 0x4b, value: new Uint8Array([0x76]) }],
    ['unassigned tag 0x14 (reserved out-of-band)', field(0x14, 'x'), { tag: 'raw', code: 0x14, value: new Uint8Array() }],
  ];
  for (const [what, bytes, value] of cases) {
    it(what, () => {
      const message = roundTrip(requestWith(bytes));
      expect(onlyExtra(message)[0]!.values).toEqual([value]);
    });
  }
});

describe('values whose bytes do not fit their syntax are kept raw (lossless), not rejected or altered', () => {
  const cases: [string, Buffer][] = [
    ['integer of 2 octets', field(0x21, 'i', hex('0001'))],
    ['boolean 0x02', field(0x22, 'b', hex('02'))],
    ['dateTime of 10 octets', field(0x31, 'd', hex('07e8021d173b3c092d09'))],
    ['dateTime with direction byte "x"', field(0x31, 'd', hex('07e8021d173b3c0978091e'))],
    ['resolution units 5', field(0x32, 'r', Buffer.concat([int32(1), int32(1), hex('05')]))],
    ['textWithLanguage with inconsistent inner lengths', field(0x35, 't', hex('0002 6465 0009 41'))],
    ['text that is not UTF-8', field(0x41, 't', hex('41 ff 42'))],
    ['keyword with a lone continuation byte', field(0x44, 'k', hex('80'))],
  ];
  for (const [what, bytes] of cases) {
    it(what, () => {
      const message = roundTrip(requestWith(bytes));
      const v = onlyExtra(message)[0]!.values[0]!;
      expect(v.tag).toBe('raw');
      if (v.tag === 'raw') expect(v.code).toBe(bytes[0]);
    });
  }
  it('a text holding U+FFFD itself stays a string', () => {
    const message = roundTrip(requestWith(field(0x41, 't', 'a\uFFFDb')));
    expect(onlyExtra(message)[0]!.values[0]).toEqual({ tag: 'textWithoutLanguage', value: 'a\uFFFDb' });
  });
});

describe('RFC 8010 §3.1.3 1setOf: additional values keep their own tags', () => {
  it('mixed tags in one attribute survive (libcups keeps only one tag per attribute)', () => {
    const bytes = requestWith(field(0x44, 'media', 'iso_a4_210x297mm'), field(0x42, '', 'My Custom Size'), field(0x13, ''), field(0x21, '', int32(3)));
    const message = roundTrip(bytes);
    expect(onlyExtra(message)[0]).toEqual({
      name: 'media',
      values: [
        { tag: 'keyword', value: 'iso_a4_210x297mm' },
        { tag: 'nameWithoutLanguage', value: 'My Custom Size' },
        { tag: 'noValue' },
        { tag: 'integer', value: 3 },
      ],
    });
  });
});

describe('RFC 8010 §3.5.1 delimiter tags', () => {
  it('keeps every registered group tag and unknown ones, repeated groups in order', () => {
    const groups = [0x02, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x00, 0x02];
    const bytes = Buffer.concat([hex('0200 000b 00000001'), ...groups.flatMap((g, i) => [hex(g.toString(16).padStart(2, '0')), field(0x21, `a${i}`, int32(i))]), hex('03')]);
    const message = roundTrip(bytes);
    expect(message.groups.map((g) => g.tag)).toEqual(groups);
    expect(GroupTag.system).toBe(0x0a);
  });
  it('keeps an empty group', () => {
    const message = roundTrip(hex('0101 0002 00000009 01 04 03'));
    expect(message.groups).toEqual([
      { tag: 1, attributes: [] },
      { tag: 4, attributes: [] },
    ]);
    expect(message.version).toEqual({ major: 1, minor: 1 });
    expect(message.requestId).toBe(9);
  });
  it('exposes the bytes after end-of-attributes as data, without copying', () => {
    const bytes = Buffer.concat([requestWith(), Buffer.from('%PDF-1.7 ...')]);
    const message = decodeMessage(bytes);
    expect(Buffer.from(message.data!).toString()).toBe('%PDF-1.7 ...');
    expect(message.data!.buffer).toBe(bytes.buffer);
    expect(firstDifference(encodeMessage(message), bytes)).toBe(-1);
  });
});

describe('encoder buffer management', () => {
  it('round-trips a 300 KB message (grows past the shared scratch buffer) and stays correct afterwards', () => {
    const many = Array.from({ length: 6000 }, (_, i) => field(i % 2 ? 0x41 : 0x31, `attribute-number-${i}`, i % 2 ? 'ü'.repeat(20) : Buffer.from('07e8021d173b3c092d091e', 'hex')));
    const big = requestWith(...many);
    expect(big.length).toBeGreaterThan(300_000);
    expect(firstDifference(encodeMessage(decodeMessage(big)), big)).toBe(-1);
    const small = requestWith(field(0x21, 'copies', int32(1)));
    const encoded = encodeMessage(decodeMessage(small));
    expect(firstDifference(encoded, small)).toBe(-1);
    // results are independent copies, not views of a reused buffer
    const again = encodeMessage(decodeMessage(requestWith(field(0x21, 'copies', int32(9)))));
    expect(firstDifference(encoded, small)).toBe(-1);
    expect(again).not.toBe(encoded);
  });
});
