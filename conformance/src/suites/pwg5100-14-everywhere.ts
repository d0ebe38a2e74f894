/**
 * PWG 5100.14 (IPP Everywhere) §5.1 required operations and §5.2 required Printer attributes,
 * as the IPP Everywhere self-certification checks them. A TRUSTNOONE printer is an IPP Everywhere
 * printer whose documents travel sealed; the formats it renders then appear in
 * pkcs7-document-format-supported rather than (only) document-format-supported.
 */
import { getStrings, operationCode } from '@trustnoone/ipp';
import { expectAttribute } from '../expect.js';
import { ConformanceFailure, defineSuite, defineTest, type Level, type TestDefinition } from '../model.js';
import { pwg5100_14Operations } from './pwg5100-14-operations.js';
import { printerAttributeTest, type AttributeExpectation } from './printer-attribute-test.js';
import { BOTH } from './shared.js';

const OPERATIONS = [
  'Print-Job',
  'Validate-Job',
  'Create-Job',
  'Send-Document',
  'Cancel-Job',
  'Get-Job-Attributes',
  'Get-Jobs',
  'Get-Printer-Attributes',
  'Cancel-My-Jobs',
  'Close-Job',
  'Identify-Printer',
] as const;

const attributeTest = (name: string, syntax: string, level: Level = 'REQUIRED', extra?: AttributeExpectation): TestDefinition =>
  printerAttributeTest({ suite: 'pwg5100-14', name, syntax, section: '§5.2', level, ...(extra ? { extra } : {}) });

/** The formats a printer renders: document-format-supported, plus those it accepts sealed. */
async function renderedFormats(t: Parameters<TestDefinition['run']>[0]): Promise<string[]> {
  const attrs = await t.printerAttributes();
  return [...getStrings(attrs, 'printer', 'document-format-supported'), ...getStrings(attrs, 'printer', 'pkcs7-document-format-supported')];
}

export const pwg5100_14 = defineSuite({
  id: 'pwg5100-14',
  title: 'IPP Everywhere',
  spec: 'PWG 5100.14',
  tests: [
    defineTest({
      id: 'pwg5100-14.ipp-2.0',
      title: 'ipp-versions-supported includes 2.0',
      level: 'REQUIRED',
      section: '§5.2',
      roles: BOTH,
      requires: ['ipp'],
      async run(t) {
        expectAttribute('ipp-versions-supported').inGroup('printer').ofSyntax('1setOf keyword').containing('2.0').in(await t.printerAttributes());
      },
    }),
    ...OPERATIONS.map((op) =>
      defineTest({
        id: `pwg5100-14.operation.${op.toLowerCase()}`,
        title: `operations-supported includes ${op}`,
        level: 'REQUIRED',
        section: '§5.1',
        roles: BOTH,
        requires: ['ipp'],
        async run(t) {
          expectAttribute('operations-supported').inGroup('printer').ofSyntax('1setOf enum').containing(operationCode(op)!).in(await t.printerAttributes());
        },
      }),
    ),
    defineTest({
      id: 'pwg5100-14.format.pwg-raster',
      title: 'image/pwg-raster is a supported document format (in clear or sealed)',
      level: 'REQUIRED',
      section: '§4.2, §5.2',
      roles: BOTH,
      requires: ['ipp'],
      async run(t) {
        const formats = await renderedFormats(t);
        if (!formats.includes('image/pwg-raster')) throw new ConformanceFailure(`image/pwg-raster is in neither document-format-supported nor pkcs7-document-format-supported (${formats.join(', ')})`);
      },
    }),
    defineTest({
      id: 'pwg5100-14.format.jpeg',
      title: 'image/jpeg is a supported document format (required of colour printers)',
      level: 'RECOMMENDED',
      section: '§4.2, §5.2',
      roles: BOTH,
      requires: ['ipp'],
      async run(t) {
        const formats = await renderedFormats(t);
        if (!formats.includes('image/jpeg')) throw new ConformanceFailure(`image/jpeg is not supported (${formats.join(', ')})`);
      },
    }),
    defineTest({
      id: 'pwg5100-14.printer-uuid',
      provides: ['printer-uuid'],
      title: 'printer-uuid is a urn:uuid: URI',
      level: 'REQUIRED',
      section: '§5.2 (PWG 5100.13 §6.6.3)',
      roles: BOTH,
      requires: ['ipp'],
      async run(t) {
        const a = expectAttribute('printer-uuid')
          .inGroup('printer')
          .ofSyntax('uri(45)')
          .where('a urn:uuid: URI (RFC 4122)', (x) => x.values.every((v) => v.tag === 'uri' && /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v.value)))
          .in(await t.printerAttributes());
        t.remember('printer-uuid', (a.values[0] as { value: string }).value.toLowerCase());
        t.provide('printer-uuid');
      },
    }),
    attributeTest('pwg-raster-document-resolution-supported', '1setOf resolution'),
    attributeTest('pwg-raster-document-type-supported', '1setOf keyword', 'REQUIRED', (e) => e.containing('sgray_8')),
    defineTest({
      id: 'pwg5100-14.pwg-raster-document-sheet-back',
      title: 'pwg-raster-document-sheet-back is keyword (when two-sided printing is supported)',
      level: 'REQUIRED',
      section: '§5.2',
      roles: BOTH,
      requires: ['ipp'],
      async run(t) {
        const attrs = await t.printerAttributes();
        if (!getStrings(attrs, 'printer', 'sides-supported').some((s) => s.startsWith('two-sided'))) t.skip('sides-supported offers no two-sided printing');
        expectAttribute('pwg-raster-document-sheet-back').inGroup('printer').ofSyntax('keyword').in(attrs);
      },
    }),
    attributeTest('media-default', 'keyword | name(MAX)'),
    attributeTest('media-supported', '1setOf (keyword | name(MAX))'),
    attributeTest('media-col-default', 'collection'),
    attributeTest('media-col-supported', '1setOf keyword'),
    attributeTest('media-ready', '1setOf (keyword | name(MAX))', 'RECOMMENDED'),
    attributeTest('media-col-ready', '1setOf collection', 'RECOMMENDED'),
    attributeTest('copies-default', 'integer(1:MAX)'),
    attributeTest('copies-supported', 'rangeOfInteger(1:MAX)'),
    attributeTest('sides-default', 'keyword'),
    attributeTest('sides-supported', '1setOf keyword', 'REQUIRED', (e) => e.containing('one-sided')),
    attributeTest('print-quality-default', 'enum'),
    attributeTest('print-quality-supported', '1setOf enum'),
    attributeTest('printer-resolution-default', 'resolution'),
    attributeTest('printer-resolution-supported', '1setOf resolution'),
    attributeTest('color-supported', 'boolean'),
    attributeTest('print-color-mode-default', 'keyword'),
    attributeTest('print-color-mode-supported', '1setOf keyword'),
    attributeTest('output-bin-default', 'keyword | name(MAX)', 'RECOMMENDED'),
    attributeTest('job-creation-attributes-supported', '1setOf keyword'),
    attributeTest('multiple-operation-time-out', 'integer(1:MAX)'),
    attributeTest('printer-more-info', 'uri', 'RECOMMENDED'),
    attributeTest('printer-device-id', 'text(1023)', 'RECOMMENDED'),
    attributeTest('printer-geo-location', 'uri | unknown', 'RECOMMENDED'),
    attributeTest('printer-current-time', 'dateTime', 'RECOMMENDED'),
    attributeTest('printer-config-change-time', 'integer(1:MAX)', 'RECOMMENDED'),
    attributeTest('printer-state-change-time', 'integer(1:MAX)', 'RECOMMENDED'),
    attributeTest('identify-actions-supported', '1setOf keyword', 'RECOMMENDED'),
    attributeTest('which-jobs-supported', '1setOf keyword', 'RECOMMENDED'),
    ...pwg5100_14Operations,
  ],
});
