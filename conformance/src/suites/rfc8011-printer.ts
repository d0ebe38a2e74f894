/**
 * RFC 8011 §4.2.5 Get-Printer-Attributes and §5.4 the Printer Description attributes every IPP
 * Printer MUST support. One test per attribute, so a report reads like the RFC's table.
 */
import { getBoolean, getStrings, IppOperation } from '@trustnoone/ipp';
import { expectAttribute, expectStatus } from '../expect.js';
import { ConformanceFailure, defineSuite, defineTest, type Level, type TestDefinition } from '../model.js';
import { printerAttributeTest, type AttributeExpectation } from './printer-attribute-test.js';
import { BOTH } from './shared.js';

const attributeTest = (name: string, syntax: string, section: string, level: Level = 'REQUIRED', extra?: AttributeExpectation): TestDefinition =>
  printerAttributeTest({ suite: 'rfc8011-printer', name, syntax, section, level, ...(extra ? { extra } : {}) });

export const rfc8011Printer = defineSuite({
  id: 'rfc8011-printer',
  title: 'Printer Description attributes',
  spec: 'RFC 8011',
  tests: [
    defineTest({
      id: 'rfc8011-printer.get-printer-attributes',
      provides: ['ipp', 'print-job', 'validate-job', 'create-job', 'pwg-raster', 'multiple-documents'],
      title: 'Get-Printer-Attributes succeeds with charset and language first in the operation group',
      level: 'REQUIRED',
      section: '§4.2.5, §4.1.4.2',
      roles: BOTH,
      async run(t) {
        const response = await t.printerAttributes();
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(response);
        const ops = response.groups[0];
        if (ops?.tag !== 0x01) throw new ConformanceFailure('the first group of the response is not the operation-attributes group');
        if (ops.attributes[0]?.name !== 'attributes-charset' || ops.attributes[1]?.name !== 'attributes-natural-language') {
          throw new ConformanceFailure(`operation group starts with ${ops.attributes.slice(0, 2).map((a) => a.name).join(', ')}; RFC 8011 §4.1.4.2 wants attributes-charset then attributes-natural-language`);
        }
        expectAttribute('attributes-charset').inGroup('operation').ofSyntax('charset').withValue('utf-8').in(response);
        t.provide('ipp');
        if ((await t.supportsOperation('Print-Job'))) t.provide('print-job');
        if ((await t.supportsOperation('Validate-Job'))) t.provide('validate-job');
        if ((await t.supportsOperation('Create-Job')) && (await t.supportsOperation('Send-Document'))) t.provide('create-job');
        if (getStrings(response, 'printer', 'document-format-supported').includes('image/pwg-raster')) t.provide('pwg-raster');
        if (getBoolean(response, 'printer', 'multiple-document-jobs-supported') === true) t.provide('multiple-documents');
      },
    }),
    defineTest({
      id: 'rfc8011-printer.requested-attributes',
      title: 'requested-attributes limits the response to the attributes asked for',
      level: 'REQUIRED',
      section: '§4.2.5.1',
      roles: BOTH,
      requires: ['ipp'],
      async run(t) {
        const { message } = await t.send(t.request('Get-Printer-Attributes', { operation: [{ name: 'requested-attributes', values: [{ tag: 'keyword', value: 'printer-name' }] }] }));
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
        expectAttribute('printer-name').inGroup('printer').ofSyntax('name(127)').in(message);
        expectAttribute('operations-supported').inGroup('printer').absentFrom(message);
      },
    }),
    attributeTest('printer-uri-supported', '1setOf uri', '§5.4.1', 'REQUIRED', (e) =>
      e.where('no more than 1023 octets each', (a) => a.values.every((v) => 'value' in v && typeof v.value === 'string' && v.value.length <= 1023)),
    ),
    attributeTest('uri-authentication-supported', '1setOf keyword', '§5.4.2'),
    attributeTest('uri-security-supported', '1setOf keyword', '§5.4.3'),
    attributeTest('printer-name', 'name(127)', '§5.4.4'),
    attributeTest('printer-location', 'text(127)', '§5.4.5', 'RECOMMENDED'),
    attributeTest('printer-info', 'text(127)', '§5.4.6', 'RECOMMENDED'),
    attributeTest('printer-make-and-model', 'text(127)', '§5.4.9', 'RECOMMENDED'),
    attributeTest('printer-state', 'enum', '§5.4.11', 'REQUIRED', (e) => e.where('idle (3), processing (4) or stopped (5)', (a) => a.values.every((v) => v.tag === 'enum' && v.value >= 3 && v.value <= 5))),
    attributeTest('printer-state-reasons', '1setOf keyword', '§5.4.12'),
    attributeTest('ipp-versions-supported', '1setOf keyword', '§5.4.14', 'REQUIRED', (e) => e.containing('1.1')),
    attributeTest('operations-supported', '1setOf enum', '§5.4.15', 'REQUIRED', (e) =>
      // §5.4.15: Print-Job, Validate-Job, Cancel-Job, Get-Job-Attributes, Get-Jobs, Get-Printer-Attributes
      e.containing(IppOperation.printJob, IppOperation.validateJob, IppOperation.cancelJob, IppOperation.getJobAttributes, IppOperation.getJobs, IppOperation.getPrinterAttributes),
    ),
    attributeTest('charset-configured', 'charset', '§5.4.17'),
    attributeTest('charset-supported', '1setOf charset', '§5.4.18', 'REQUIRED', (e) => e.containing('utf-8')),
    attributeTest('natural-language-configured', 'naturalLanguage', '§5.4.19'),
    attributeTest('generated-natural-language-supported', '1setOf naturalLanguage', '§5.4.20'),
    attributeTest('document-format-default', 'mimeMediaType', '§5.4.21'),
    attributeTest('document-format-supported', '1setOf mimeMediaType', '§5.4.22'),
    attributeTest('printer-is-accepting-jobs', 'boolean', '§5.4.23'),
    attributeTest('queued-job-count', 'integer(0:MAX)', '§5.4.24'),
    attributeTest('pdl-override-supported', 'keyword', '§5.4.28'),
    attributeTest('printer-up-time', 'integer(1:MAX)', '§5.4.29'),
    attributeTest('compression-supported', '1setOf keyword', '§5.4.32', 'REQUIRED', (e) => e.containing('none')),
    defineTest({
      id: 'rfc8011-printer.uri-arrays-align',
      title: 'uri-security-supported and uri-authentication-supported have one value per printer-uri-supported',
      level: 'REQUIRED',
      section: '§5.4.2, §5.4.3',
      roles: BOTH,
      requires: ['ipp'],
      async run(t) {
        const attrs = await t.printerAttributes();
        const n = getStrings(attrs, 'printer', 'printer-uri-supported').length;
        for (const name of ['uri-security-supported', 'uri-authentication-supported']) {
          const m = getStrings(attrs, 'printer', name).length;
          if (m !== n) throw new ConformanceFailure(`${name} has ${m} values, printer-uri-supported has ${n}`);
        }
      },
    }),
  ],
});
