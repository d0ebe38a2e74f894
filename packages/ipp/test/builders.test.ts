import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  encodeMessage,
  findAttribute,
  findMember,
  getInteger,
  getString,
  getStrings,
  keyword,
  name,
  request,
  response,
  text,
  uri,
  mime,
  enumOf,
  range,
  resolution,
  dateTime,
  dateOf,
  noValue,
  IppError,
} from '@trustnoone/ipp';
import { firstDifference, readVector } from './helpers.js';

describe('request builder: plain values take their tag from the registry', () => {
  const message = request('Print-Job', { requestId: 42 })
    .operation({
      'printer-uri': 'ipp://localhost:8631/ipp/print',
      'requesting-user-name': 'anchor',
      'job-name': 'report',
      'document-format': 'application/pdf',
      'ipp-attribute-fidelity': true,
      'document-name': undefined, // skipped
    })
    .job({
      copies: 2,
      sides: 'two-sided-long-edge',
      media: 'iso_a4_210x297mm',
      finishings: ['staple-top-left', 'punch-dual-left'],
      'print-quality': 5,
      'page-ranges': [{ lower: 1, upper: 3 }, range(7, 9)],
      'media-col': { 'media-size': { 'x-dimension': 21000, 'y-dimension': 29700 }, 'media-type': 'stationery', 'media-source': 'tray-1' },
      'printer-resolution': resolution(600),
      'x-vendor-thing': 'vendor-keyword',
      'x-vendor-text': 'Hello, World',
    })
    .data(new Uint8Array([0x25, 0x50, 0x44, 0x46]))
    .build();

  it('header and the operation group start with charset then language (RFC 8011 §4.1.4)', () => {
    expect(message.code).toBe(0x0002);
    expect(message.requestId).toBe(42);
    expect(message.version).toEqual({ major: 2, minor: 0 });
    expect(message.groups[0]!.attributes.slice(0, 2)).toEqual([
      { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
      { name: 'attributes-natural-language', values: [{ tag: 'naturalLanguage', value: 'en' }] },
    ]);
  });

  it('chooses uri, name, mimeMediaType, boolean for registered operation attributes', () => {
    const tags = Object.fromEntries(message.groups[0]!.attributes.map((a) => [a.name, a.values.map((v) => v.tag)]));
    expect(tags).toEqual({
      'attributes-charset': ['charset'],
      'attributes-natural-language': ['naturalLanguage'],
      'printer-uri': ['uri'],
      'requesting-user-name': ['nameWithoutLanguage'],
      'job-name': ['nameWithoutLanguage'],
      'document-format': ['mimeMediaType'],
      'ipp-attribute-fidelity': ['boolean'],
    });
  });

  it('chooses integer, keyword, enum (by keyword or number), rangeOfInteger and collections for Job Template attributes', () => {
    expect(findAttribute(message, 'job', 'copies')!.values).toEqual([{ tag: 'integer', value: 2 }]);
    expect(findAttribute(message, 'job', 'sides')!.values).toEqual([{ tag: 'keyword', value: 'two-sided-long-edge' }]);
    expect(findAttribute(message, 'job', 'media')!.values).toEqual([{ tag: 'keyword', value: 'iso_a4_210x297mm' }]);
    expect(findAttribute(message, 'job', 'finishings')!.values).toEqual([enumOf(20), enumOf(74)]);
    expect(findAttribute(message, 'job', 'print-quality')!.values).toEqual([enumOf(5)]);
    expect(findAttribute(message, 'job', 'page-ranges')!.values).toEqual([range(1, 3), range(7, 9)]);
    const mediaCol = findAttribute(message, 'job', 'media-col')!.values[0]!;
    const size = findMember(mediaCol, 'media-size')!.values[0]!;
    expect(findMember(size, 'x-dimension')!.values).toEqual([{ tag: 'integer', value: 21000 }]);
    expect(findMember(mediaCol, 'media-type')!.values).toEqual([keyword('stationery')]);
    expect(findAttribute(message, 'job', 'x-vendor-thing')!.values).toEqual([keyword('vendor-keyword')]);
    expect(findAttribute(message, 'job', 'x-vendor-text')!.values).toEqual([text('Hello, World')]);
  });

  it('encodes, decodes back to the same message and keeps the document', () => {
    const bytes = encodeMessage(message);
    const decoded = decodeMessage(bytes);
    expect(Buffer.from(decoded.data!).toString()).toBe('%PDF');
    expect(firstDifference(encodeMessage(decoded), bytes)).toBe(-1);
    expect(getInteger(decoded, 'job', 'copies')).toBe(2);
    expect(getStrings(decoded, 'operation', 'printer-uri')).toEqual(['ipp://localhost:8631/ipp/print']);
  });

  it('explicit helpers override the registry', () => {
    const m = request('Print-Job')
      .operation({ 'job-name': name('Bericht', 'de'), 'document-format': mime('image/pwg-raster'), 'printer-uri': uri('ipps://h/p') })
      .job({ media: name('Custom Paper'), 'job-hold-until': [keyword('indefinite'), noValue()] })
      .build();
    expect(findAttribute(m, 'operation', 'job-name')!.values).toEqual([{ tag: 'nameWithLanguage', value: 'Bericht', language: 'de' }]);
    expect(findAttribute(m, 'job', 'media')!.values).toEqual([{ tag: 'nameWithoutLanguage', value: 'Custom Paper' }]);
    expect(findAttribute(m, 'job', 'job-hold-until')!.values.map((v) => v.tag)).toEqual(['keyword', 'noValue']);
  });

  it('refuses an unknown operation and a string where the registry wants a number', () => {
    expect(() => request('Print-Everything')).toThrowError(IppError);
    // The typed input already refuses this at compile time (checked by `tsc -p tsconfig.test.json`) ...
    // @ts-expect-error copies is a number
    const typed = () => request('Print-Job').job({ copies: 'two' });
    expect(typed).toThrowError(IppError);
    // ... and plain JS callers get a run-time IppError.
    const untyped: Record<string, string> = { copies: 'two' };
    expect(() => request('Print-Job').job(untyped)).toThrowError(/copies.*integer/);
  });

  it('options set version, request-id, charset and language', () => {
    const m = request(0x000b, { requestId: 9, version: { major: 1, minor: 1 }, language: 'fr-ca' }).build();
    expect(m).toMatchObject({ code: 0x000b, requestId: 9, version: { major: 1, minor: 1 } });
    expect(getString(m, 'operation', 'attributes-natural-language')).toBe('fr-ca');
  });
});

describe('response builder', () => {
  it('rebuilds the print-job.resp.bin capture byte for byte from registry-typed plain values', () => {
    const capture = decodeMessage(readVector('print-job.resp.bin'));
    const job = capture.groups[1]!.attributes;
    const get = (n: string) => job.find((a) => a.name === n)!.values[0]!;
    const built = response('successful-ok', { requestId: capture.requestId, version: capture.version })
      .job({
        'job-id': (get('job-id') as { value: number }).value,
        'job-uri': (get('job-uri') as { value: string }).value,
        'job-state': (get('job-state') as { value: number }).value,
        'job-state-message': get('job-state-message'),
        'job-state-reasons': job.find((a) => a.name === 'job-state-reasons')!.values.map((v) => (v as { value: string }).value),
      })
      .build();
    // The capture's operation group also carries status-message when CUPS adds one; compare the job group and header.
    expect(built.code).toBe(capture.code);
    expect(built.groups[1]).toEqual(capture.groups[1]);
  });

  it('Get-Jobs style: one job group per job with newGroup', () => {
    const m = response('successful-ok', { requestId: 3 }).newGroup('job', { 'job-id': 1 }).newGroup('job', { 'job-id': 2 }).build();
    expect(m.groups.map((g) => g.tag)).toEqual([1, 2, 2]);
  });
});

describe('dateTime helpers', () => {
  it('round-trips a Date through the wire form with an offset', () => {
    const when = new Date(Date.UTC(2026, 10, 22, 4, 5, 6, 700));
    const v = dateTime(when, -570);
    expect(v).toEqual({
      tag: 'dateTime',
      value: { year: 2026, month: 11, day: 21, hours: 18, minutes: 35, seconds: 6, deciSeconds: 7, utcDirection: '-', utcHours: 9, utcMinutes: 30 },
    });
    if (v.tag === 'dateTime') expect(dateOf(v.value).getTime()).toBe(when.getTime());
  });
});
