import { describe, expect, it } from 'vitest';
import { decodeMessage, request, responseStatus, validateRequest, keyword, text, integer, raw, GroupTag, uri, mime, naturalLanguage, charset, name } from '@trustnoone/ipp';
import type { IppMessage, ViolationCode } from '@trustnoone/ipp';
import { readVector } from './helpers.js';

const codes = (m: IppMessage) => validateRequest(m).map((v) => v.code);
const valid = () =>
  request('Print-Job', { requestId: 5 })
    .operation({ 'printer-uri': 'ipp://127.0.0.1:8631/ipp/print', 'requesting-user-name': 'anchor', 'job-name': 'j' })
    .job({ copies: 1, media: 'iso_a4_210x297mm', 'media-col': { 'media-size': { 'x-dimension': 21000, 'y-dimension': 29700 } } });

/** Replaces the operation group's attributes (keeping the others) to build malformed requests. */
function withOperation(m: IppMessage, f: (attrs: IppMessage['groups'][number]['attributes']) => IppMessage['groups'][number]['attributes']): IppMessage {
  return { ...m, groups: m.groups.map((g, i) => (i === 0 ? { ...g, attributes: f(g.attributes) } : g)) };
}

describe('RFC 8011 §4.1 request validation', () => {
  it('accepts the requests captured against CUPS and a builder-made Print-Job', () => {
    for (const name of ['gpa-all.req.bin', 'gpa-all-mcd.req.bin', 'cancel-job.req.bin']) expect(codes(decodeMessage(readVector(name)))).toEqual([]);
    expect(codes(valid().build())).toEqual([]);
    expect(responseStatus(validateRequest(valid().build()))).toBeUndefined();
  });

  it('§4.1.8 version: 3.0 → server-error-version-not-supported, reported first', () => {
    const violations = validateRequest({ ...valid().build(), version: { major: 3, minor: 0 }, requestId: 0 });
    expect(violations.map((v) => v.code)).toEqual(['version-not-supported', 'request-id-zero']);
    expect(responseStatus(violations)).toBe(0x0503);
    expect(codes({ ...valid().build(), version: { major: 1, minor: 0 } })).toEqual(['version-not-supported']);
    expect(validateRequest({ ...valid().build(), version: { major: 1, minor: 0 } }, { versions: ['1.0'] })).toEqual([]);
  });

  it('§4.1.1 request-id 0 → client-error-bad-request', () => {
    const v = validateRequest({ ...valid().build(), requestId: 0 });
    expect(v.map((x) => [x.code, x.status])).toEqual([['request-id-zero', 0x0400]]);
  });

  it('unsupported operation → server-error-operation-not-supported when the Printer lists its operations', () => {
    expect(validateRequest(valid().build(), { operations: [0x000b] }).map((v) => [v.code, v.status])).toEqual([['operation-not-supported', 0x0501]]);
  });

  it('§4.1.4 charset first and language second, in order', () => {
    const swapped = withOperation(valid().build(), (a) => [a[1]!, a[0]!, ...a.slice(2)]);
    expect(codes(swapped)).toEqual(['charset-not-first', 'language-not-second']);
    const missing = withOperation(valid().build(), (a) => a.slice(1));
    expect(codes(missing)).toContain('charset-not-first');
    const twoCharsets = withOperation(valid().build(), (a) => [{ name: 'attributes-charset', values: [...a[0]!.values, ...a[0]!.values] }, ...a.slice(1)]);
    expect(codes(twoCharsets)).toEqual(['charset-not-first']);
  });

  it('§4.1.4.1 charset other than utf-8 → client-error-charset-not-supported', () => {
    const m = request('Get-Printer-Attributes', { charset: 'iso-8859-1' }).operation({ 'printer-uri': 'ipp://h/p' }).build();
    expect(validateRequest(m).map((v) => [v.code, v.status])).toEqual([['charset-not-supported', 0x040d]]);
    expect(validateRequest(m, { charsets: ['utf-8', 'iso-8859-1'] })).toEqual([]);
  });

  it('§4.1.2 operation group first, no repeated group, no response-only group', () => {
    const m = valid().build();
    expect(codes({ ...m, groups: [m.groups[1]!, m.groups[0]!] })).toContain('operation-group-not-first');
    expect(codes({ ...m, groups: [...m.groups, m.groups[1]!] })).toEqual(['group-repeated']);
    expect(codes({ ...m, groups: [...m.groups, { tag: GroupTag.unsupported, attributes: [] }] })).toEqual(['group-not-allowed']);
  });

  const targets: [string, string, Record<string, unknown>, ViolationCode[]][] = [
    ['Print-Job without printer-uri', 'Print-Job', {}, ['missing-target']],
    ['Cancel-Job with printer-uri only', 'Cancel-Job', { 'printer-uri': 'ipp://h/p' }, ['missing-target']],
    ['Cancel-Job with printer-uri and job-id', 'Cancel-Job', { 'printer-uri': 'ipp://h/p', 'job-id': 3 }, []],
    ['Cancel-Job with job-uri', 'Cancel-Job', { 'job-uri': 'ipp://h/p/3' }, []],
    ['Get-System-Attributes without system-uri', 'Get-System-Attributes', { 'printer-uri': 'ipp://h/p' }, ['missing-target']],
    ['Get-Encrypted-Job-Attributes with printer-uri and job-id', 'Get-Encrypted-Job-Attributes', { 'printer-uri': 'ipp://h/p', 'job-id': 1 }, []],
  ];
  for (const [what, op, attrs, expected] of targets) {
    it(`§4.1.5 target: ${what}`, () => {
      expect(codes(request(op).operation(attrs as never).build())).toEqual(expected);
    });
  }

  it('§5.1 value syntaxes: wrong tag in the operation group → bad-request; in the job group → attributes-or-values-not-supported, flagged unsupported', () => {
    const m = valid().operation({ 'job-id': keyword('three') }).job({ sides: integer(2) }).build();
    const v = validateRequest(m);
    expect(v.map((x) => [x.code, x.attribute, x.status, x.unsupported ?? false])).toEqual([
      ['wrong-syntax', 'job-id', 0x0400, false],
      ['wrong-syntax', 'sides', 0x040b, true],
    ]);
  });

  it('1setOf where single-valued, integer ranges, text lengths, keyword lexical form, collection members', () => {
    const m = valid()
      .job({
        'job-priority': 101,
        'print-quality': [4, 5] as never, // deliberately 1setOf for a single-valued attribute
        'job-sheet-message': text('x'.repeat(1024)),
        'output-bin': keyword('Top Bin'),
        'page-ranges': [{ lower: 5, upper: 2 }],
      })
      .build();
    const withBadMember = valid().job({ 'media-col': { 'media-size': { 'x-dimension': -1 } } }).build();
    expect(validateRequest(m).map((x) => [x.code, x.attribute])).toEqual([
      ['out-of-range', 'job-priority'],
      ['not-single-valued', 'print-quality'],
      ['too-long', 'job-sheet-message'],
      ['wrong-syntax', 'output-bin'],
      ['out-of-range', 'page-ranges'],
    ]);
    expect(validateRequest(m).find((x) => x.code === 'too-long')!.status).toBe(0x0409);
    expect(validateRequest(withBadMember).map((x) => [x.code, x.attribute])).toEqual([
      ['attribute-repeated', 'media-col'],
      ['out-of-range', 'media-col.media-size.x-dimension'],
    ]);
  });

  it('values the decoder kept raw because they did not fit their syntax are malformed (bad-request)', () => {
    const m = valid().job({ 'job-priority': raw(0x21, new Uint8Array([0, 1])) }).build();
    expect(validateRequest(m).map((x) => [x.code, x.status])).toEqual([['malformed-value', 0x0400]]);
    const ext = valid().job({ 'x-ext': raw(0x7f, new Uint8Array([0x40, 0, 0, 1])) }).build();
    expect(validateRequest(ext)).toEqual([]);
  });

  it('§5.1.6–§5.1.10 lexical forms: uri, uriScheme, charset, naturalLanguage, mimeMediaType, and languages of text/name', () => {
    const m = request('Get-Printer-Attributes', { requestId: 2 })
      .operation({
        'printer-uri': uri('not a uri'),
        'document-format': mime('pdf'),
        'document-natural-language': naturalLanguage('en_US'),
        'document-charset': charset('UTF 8'),
        'requesting-user-name': name('Bob', 'en us'),
        'printer-geo-location': uri(`geo:${'1'.repeat(1100)}`),
      })
      .build();
    expect(validateRequest(m).map((v) => [v.code, v.attribute, v.status])).toEqual([
      ['wrong-syntax', 'printer-uri', 0x0400],
      ['wrong-syntax', 'document-format', 0x0400],
      ['wrong-syntax', 'document-natural-language', 0x0400],
      ['wrong-syntax', 'document-charset', 0x0400],
      ['wrong-syntax', 'requesting-user-name', 0x0400],
      ['too-long', 'printer-geo-location', 0x0409],
    ]);
    const ok = request('Get-Printer-Attributes')
      .operation({ 'printer-uri': 'ipps://h:631/ipp/print', 'document-format': 'image/pwg-raster', 'document-natural-language': 'zh-hant-tw', 'requesting-user-name': name('李', 'zh-cn') })
      .build();
    expect(validateRequest(ok)).toEqual([]);
  });

  it('§4.3.1 Send-Document needs last-document', () => {
    const m = request('Send-Document').operation({ 'printer-uri': 'ipp://h/p', 'job-id': 1 }).build();
    expect(validateRequest(m).map((v) => [v.code, v.attribute])).toEqual([['missing-attribute', 'last-document']]);
    const ok = request('Send-Document').operation({ 'printer-uri': 'ipp://h/p', 'job-id': 1, 'last-document': true }).build();
    expect(validateRequest(ok)).toEqual([]);
  });

  it('unregistered attributes are left to the Printer', () => {
    expect(codes(valid().job({ 'x-vendor-knob': 7 }).build())).toEqual([]);
  });

  it('§4.1.5 targets: Get-Printer-Resources is a Printer operation; vendor operations (CUPS-Get-Printers has no target) are not second-guessed', () => {
    const resources = request(0x0065).build();
    expect(validateRequest(resources).map((v) => [v.code, v.message])).toEqual([['missing-target', 'Get-Printer-Resources needs printer-uri in the operation group']]);
    expect(validateRequest(request(0x0065).operation({ 'printer-uri': 'ipp://h/p' }).build())).toEqual([]);
    expect(validateRequest(request(0x4002).build())).toEqual([]);
    // A registered System operation still needs its system-uri.
    expect(validateRequest(request(0x0063).build()).map((v) => v.code)).toEqual(['missing-target']);
  });
});

describe('the request builder', () => {
  it('takes any number of attributes in one call (no argument spreading onto the stack)', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => ({ name: `x-${i}`, values: [integer(i)] }));
    const m = request('Get-Printer-Attributes').operation(many).job(many).build();
    expect(m.groups[0]!.attributes).toHaveLength(2 + 200_000);
    expect(m.groups[1]!.attributes).toHaveLength(200_000);
  });
});
