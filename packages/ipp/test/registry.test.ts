import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  attributeSyntax,
  decodeMessage,
  enumName,
  enumValue,
  GroupTag,
  IppEnum,
  IppOperation,
  IppStatus,
  ValueTag,
  memberSyntax,
  operationCode,
  operationName,
  parseSyntax,
  registeredAttributes,
  statusCode,
  statusName,
  tagsOf,
} from '@trustnoone/ipp';
import type { IppAttribute } from '@trustnoone/ipp';
import { CONSTANTS_PATH, GENERATED_PATH, generateConstantsSource, generateRegistrySource, constantName } from '../registry/generate.js';
import { readVector } from './helpers.js';

describe('registry data → generated.ts', () => {
  it('the checked-in generated file is what the generator produces from the data files', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(generateRegistrySource());
  });
  it('the checked-in named constants (constants.ts) are what the generator produces, so they cannot drift', () => {
    expect(readFileSync(CONSTANTS_PATH, 'utf8')).toBe(generateConstantsSource());
  });
  it('every named operation and status constant is the registered code of its name, both ways', () => {
    expect(Object.keys(IppOperation).length).toBeGreaterThan(100);
    for (const [key, code] of Object.entries(IppOperation)) expect(constantName(operationName(code)), key).toBe(key);
    for (const [key, code] of Object.entries(IppStatus)) expect(constantName(statusName(code)), key).toBe(key);
    expect(IppOperation.getEncryptedJobAttributes).toBe(operationCode('Get-Encrypted-Job-Attributes'));
    expect(IppStatus.clientErrorDocumentSecurityError).toBe(statusCode('client-error-document-security-error'));
    expect(IppEnum.jobState.pendingHeld).toBe(enumValue('job-state', 'pending-held'));
    expect(IppEnum.printerState.idle).toBe(enumValue('printer-state', 'idle'));
    expect(ValueTag.memberAttrName).toBe(0x4a);
    expect(GroupTag.endOfAttributes).toBe(0x03);
  });
  it('covers the RFC 8011, INFRA, System Service, EPX and TRUSTNOONE names', () => {
    expect(registeredAttributes().length).toBeGreaterThan(700);
    expect(operationName(0x006a)).toBe('Get-Encrypted-Job-Attributes');
    expect(operationName(0x0043)).toBe('Fetch-Job'); // INFRA
    expect(operationName(0x005b)).toBe('Get-System-Attributes'); // System Service
    expect(operationName(0x0038)).toBe('Cancel-Jobs'); // EPX
    expect(attributeSyntax('printer-pkcs7-public-key')?.text).toBe('1setOf text(MAX)');
    expect(attributeSyntax('encrypted-job-request-id', 'operation')?.alternatives).toEqual([{ type: 'integer', min: 1, max: 0x7fffffff }]);
  });
});

describe('lookups in pairs that fall back to the number', () => {
  it('operations', () => {
    expect(operationCode('Print-Job')).toBe(2);
    expect(operationName(2)).toBe('Print-Job');
    expect(operationName(0x7777)).toBe('0x7777');
    expect(operationCode('0x7777')).toBe(0x7777);
    expect(operationCode('No-Such-Operation')).toBeUndefined();
  });
  it('status codes (RFC 8011 §13.1, PWG 5100.13)', () => {
    expect(statusName(0)).toBe('successful-ok');
    expect(statusCode('client-error-request-value-too-long')).toBe(0x0409);
    expect(statusCode('client-error-document-security-error')).toBe(0x041a);
    expect(statusName(0x04ff)).toBe('0x04ff');
  });
  it('enums', () => {
    expect(enumName('printer-state', 3)).toBe('idle');
    expect(enumValue('finishings', 'staple-top-left')).toBe(20);
    expect(enumName('operations-supported', 0x000b)).toBe('Get-Printer-Attributes');
    expect(enumName('printer-state', 42)).toBe('42');
  });
  it('collection members, through aliases', () => {
    expect(memberSyntax(['media-col', 'media-size'], 'x-dimension')?.alternatives.map((a) => a.type)).toEqual(['integer', 'rangeOfInteger']);
    expect(memberSyntax(['media-col-database', 'media-size'], 'y-dimension')).toBeDefined();
    expect(memberSyntax(['job-sheets-col', 'media-col'], 'media-type')?.text).toBe('keyword | name(MAX)');
    expect(memberSyntax(['media-col'], 'no-such-member')).toBeUndefined();
  });
});

describe('parseSyntax', () => {
  it('reads the registry notation', () => {
    expect(parseSyntax('1setOf (type2 keyword | name(MAX))')).toEqual({
      text: '1setOf (keyword | name(MAX))',
      setOf: true,
      alternatives: [{ type: 'keyword' }, { type: 'name', max: 255 }],
    });
    expect(parseSyntax('integer(MIN:MAX)').alternatives[0]).toEqual({ type: 'integer', min: -0x80000000, max: 0x7fffffff });
    expect(parseSyntax('text(1023)').alternatives[0]).toEqual({ type: 'text', max: 1023 });
    expect(() => parseSyntax('integer(1:MAX) | bogus')).toThrow();
    expect(tagsOf('name')).toEqual(['nameWithoutLanguage', 'nameWithLanguage']);
  });
});

describe('the registry agrees with what CUPS ippeveprinter sends', () => {
  /** Checks each captured attribute's value tags are allowed by its registered syntax. */
  function check(attribute: IppAttribute, path: string[], group: number, problems: string[]): void {
    const syntax = path.length === 0 ? attributeSyntax(attribute.name, group) : memberSyntax(path, attribute.name);
    if (syntax === undefined) return;
    const allowed = new Set(syntax.alternatives.flatMap((a) => tagsOf(a.type)));
    for (const v of attribute.values) {
      if (!allowed.has(v.tag) && !['unknown', 'noValue', 'unsupported'].includes(v.tag)) problems.push(`${[...path, attribute.name].join('.')}: ${v.tag} not in ${syntax.text}`);
      if (v.tag === 'collection') for (const m of v.value) check(m, [...path, attribute.name], group, problems);
    }
    if (!syntax.setOf && attribute.values.length > 1) problems.push(`${attribute.name}: ${attribute.values.length} values for ${syntax.text}`);
  }
  for (const name of ['gpa-all-mcd.resp.bin', 'gpa-all.resp.bin', 'print-job.resp.bin']) {
    it(name, () => {
      const message = decodeMessage(readVector(name));
      const problems: string[] = [];
      let known = 0;
      for (const g of message.groups) {
        for (const a of g.attributes) {
          if (attributeSyntax(a.name, g.tag) !== undefined) known++;
          check(a, [], g.tag, problems);
        }
      }
      expect(problems).toEqual([]);
      expect(known).toBeGreaterThan(name.startsWith('gpa') ? 80 : 4);
    });
  }
});
