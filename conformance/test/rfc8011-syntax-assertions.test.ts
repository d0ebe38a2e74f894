/**
 * The assertions the suites are written in: RFC 8011 §5.1 syntaxes as the registry writes them,
 * checked value by value, with messages that name attribute, group, expectation and value.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSyntax, type IppMessage, type IppValue } from '@trustnoone/ipp';
import { ConformanceFailure, expectAttribute, expectStatus, syntaxProblem } from '@trustnoone/conformance';

const msg = (attrs: { name: string; values: IppValue[] }[], code = 0): IppMessage => ({
  version: { major: 2, minor: 0 },
  code,
  requestId: 1,
  groups: [
    { tag: 1, attributes: [{ name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] }, { name: 'status-message', values: [{ tag: 'textWithoutLanguage', value: 'why' }] }] },
    { tag: 4, attributes: attrs },
  ],
});
const kw = (value: string): IppValue => ({ tag: 'keyword', value });

describe('syntaxProblem (RFC 8011 §5.1)', () => {
  const cases: [string, IppValue, string, boolean][] = [
    ['keyword', kw('one-sided'), 'keyword', true],
    ['keyword with a leading digit (ipp-versions-supported)', kw('2.0'), '1setOf keyword', true],
    ['keyword with upper case', kw('One'), 'keyword', false],
    ['name for keyword | name', { tag: 'nameWithoutLanguage', value: 'Custom' }, '1setOf (keyword | name(MAX))', true],
    ['nameWithLanguage for name', { tag: 'nameWithLanguage', value: 'x', language: 'en' }, 'name(127)', true],
    ['text over its bound', { tag: 'textWithoutLanguage', value: 'x'.repeat(128) }, 'text(127)', false],
    ['text bound counts UTF-8 octets', { tag: 'textWithoutLanguage', value: 'é'.repeat(64) }, 'text(127)', false],
    ['integer below range', { tag: 'integer', value: 0 }, 'integer(1:MAX)', false],
    ['integer in range', { tag: 'integer', value: 1 }, 'integer(1:MAX)', true],
    ['enum 0', { tag: 'enum', value: 0 }, 'enum', false],
    ['wrong tag', { tag: 'integer', value: 3 }, 'enum', false],
    ['unknown out-of-band', { tag: 'unknown' }, 'uri', true],
    ['no-value where allowed', { tag: 'noValue' }, 'integer(MIN:MAX) | no-value', true],
    ['no-value where not allowed', { tag: 'noValue' }, 'integer(MIN:MAX)', false],
    ['relative uri', { tag: 'uri', value: '/ipp/print' }, 'uri', false],
    ['upper-case charset', { tag: 'charset', value: 'UTF-8' }, 'charset', false],
    ['language tag', { tag: 'naturalLanguage', value: 'en-us' }, 'naturalLanguage', true],
    ['mime type', { tag: 'mimeMediaType', value: 'image/pwg-raster' }, 'mimeMediaType', true],
    ['not a mime type', { tag: 'mimeMediaType', value: 'pwg-raster' }, 'mimeMediaType', false],
    ['empty range', { tag: 'rangeOfInteger', value: { lower: 5, upper: 1 } }, 'rangeOfInteger(1:MAX)', false],
  ];
  it.each(cases)('%s', (_name, value, syntax, ok) => {
    expect(syntaxProblem(value, parseSyntax(syntax)) === undefined).toBe(ok);
  });

  it('never throws, whatever the value', () => {
    const syntaxes = ['keyword', 'text(MAX)', '1setOf (keyword | name(MAX))', 'integer(1:MAX)', 'uri', 'charset', 'mimeMediaType', 'octetString(10)'].map(parseSyntax);
    const value = fc.oneof(
      fc.record({ tag: fc.constantFrom('keyword', 'uri', 'charset', 'naturalLanguage', 'mimeMediaType', 'textWithoutLanguage', 'nameWithoutLanguage'), value: fc.string() }),
      fc.record({ tag: fc.constantFrom('integer', 'enum'), value: fc.integer() }),
      fc.record({ tag: fc.constant('octetString'), value: fc.uint8Array() }),
    ) as fc.Arbitrary<IppValue>;
    fc.assert(fc.property(value, fc.constantFrom(...syntaxes), (v, s) => {
      const p = syntaxProblem(v, s);
      return p === undefined || typeof p === 'string';
    }));
  });
});

describe('expectAttribute / expectStatus', () => {
  const m = msg([
    { name: 'printer-name', values: [{ tag: 'nameWithoutLanguage', value: 'P' }] },
    { name: 'sides-supported', values: [kw('one-sided'), kw('two-sided-long-edge')] },
  ]);

  it('pass when the attribute matches', () => {
    expect(expectAttribute('printer-name').inGroup('printer').ofSyntax('name(127)').withValue('P').in(m).name).toBe('printer-name');
    expectAttribute('sides-supported').ofSyntax('1setOf keyword').containing('one-sided').in(m);
  });

  it('fail with the attribute, group and what was expected', () => {
    const fail = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(ConformanceFailure);
        return (err as Error).message;
      }
      throw new Error('did not fail');
    };
    expect(fail(() => expectAttribute('printer-uuid').in(m))).toBe('printer-uuid (printer group): missing');
    expect(fail(() => expectAttribute('sides-supported').ofSyntax('keyword').in(m))).toBe('sides-supported (printer group): expected a single value, got 2');
    expect(fail(() => expectAttribute('printer-name').ofSyntax('keyword').in(m))).toBe('printer-name (printer group): value 1 has tag nameWithoutLanguage (expected keyword)');
    expect(fail(() => expectAttribute('sides-supported').oneSetOf().containing('two-sided-short-edge').in(m))).toMatch(/does not include "two-sided-short-edge"/);
    expect(fail(() => expectAttribute('printer-name').inGroup('job').in(m))).toBe('printer-name (job group): missing');
    expect(fail(() => expectAttribute('printer-name').absentFrom(m))).toBe('printer-name (printer group): must not be returned');
    expect(fail(() => expectAttribute('printer-name').where('an odd name', () => false).in(m))).toBe('printer-name (printer group): expected an odd name, got "P"');
    expect(fail(() => expectStatus('client-error-bad-request').of(msg([], 0x0400 + 0x1a)))).toBe(
      'expected status client-error-bad-request, got client-error-document-security-error (0x041a): "why"',
    );
  });

  it('refuse unknown status names when the test is written', () => {
    expect(() => expectStatus('client-error-bad-reqest' as 'client-error-bad-request')).toThrow(RangeError);
  });
});
