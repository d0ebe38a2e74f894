import { describe, expect, it } from 'vitest';
import { GroupTag, type IppMessage, IppOperation, IppStatus } from '@trustnoone/ipp';
import {
  buildOuterRequest,
  checkOuterRequest,
  findCleartextJobTemplate,
  isCleartextAllowed,
  NEUTRAL_JOB_NAME,
  PKCS7_MIME,
} from '@trustnoone/profile';

const uri = 'ipp://127.0.0.1:8632/ipp/print';

function opNames(m: IppMessage): string[] {
  return m.groups.filter((g) => g.tag === GroupTag.operation).flatMap((g) => g.attributes.map((a) => a.name));
}

function withAttr(m: IppMessage, tag: number, name: string): IppMessage {
  const extra = { name, values: [{ tag: 'integer' as const, value: 2 }] };
  const groups = m.groups.some((g) => g.tag === tag)
    ? m.groups.map((g) => (g.tag === tag ? { ...g, attributes: [...g.attributes, extra] } : g))
    : [...m.groups, { tag, attributes: [extra] }];
  return { ...m, groups };
}

describe('docs/spec-notes.md §2 outer request: routing attributes only', () => {
  it('Print-Job carries charset, language, printer-uri, user, a neutral job-name and the sealed formats', () => {
    const m = buildOuterRequest({ operation: 'Print-Job', printerUri: uri, requestId: 7, requestingUserName: 'alice' });
    expect(m.code).toBe(IppOperation.printJob);
    expect(m.requestId).toBe(7);
    expect(opNames(m)).toEqual([
      'attributes-charset',
      'attributes-natural-language',
      'printer-uri',
      'requesting-user-name',
      'job-name',
      'document-format',
      'encrypted-job-request-format',
    ]);
    const ops = m.groups[0]!.attributes;
    expect(ops.find((a) => a.name === 'job-name')!.values[0]).toEqual({ tag: 'nameWithoutLanguage', value: NEUTRAL_JOB_NAME });
    expect(ops.find((a) => a.name === 'document-format')!.values[0]).toEqual({ tag: 'mimeMediaType', value: PKCS7_MIME });
    expect(ops.find((a) => a.name === 'encrypted-job-request-format')!.values[0]).toEqual({ tag: 'mimeMediaType', value: 'application/ipp' });
    expect(m.groups).toHaveLength(1);
    expect(checkOuterRequest(m)).toEqual([]);
  });

  it('Create-Job carries no document-format and no Job Template attribute', () => {
    const m = buildOuterRequest({ operation: 'Create-Job', printerUri: uri, requestId: 1 });
    expect(opNames(m)).toEqual(['attributes-charset', 'attributes-natural-language', 'printer-uri', 'job-name']);
    expect(checkOuterRequest(m)).toEqual([]);
  });

  it('Send-Document names its job and whether it is the last document', () => {
    const m = buildOuterRequest({ operation: 'Send-Document', printerUri: uri, requestId: 3, jobId: 12, lastDocument: false });
    expect(m.code).toBe(IppOperation.sendDocument);
    expect(opNames(m)).toEqual([
      'attributes-charset',
      'attributes-natural-language',
      'printer-uri',
      'job-id',
      'last-document',
      'document-format',
      'encrypted-job-request-format',
    ]);
    expect(checkOuterRequest(m)).toEqual([]);
    expect(() => buildOuterRequest({ operation: 'Send-Document', printerUri: uri, requestId: 3, jobId: 0, lastDocument: true })).toThrow(RangeError);
  });
});

describe('docs/spec-notes.md §2 cleartext rules (intermediary policy)', () => {
  it('allows routing attributes and refuses what describes the job', () => {
    for (const name of ['attributes-charset', 'attributes-natural-language', 'printer-uri', 'requesting-user-name', 'job-name', 'document-format']) {
      expect(isCleartextAllowed(name, 'Print-Job'), name).toBe(true);
    }
    for (const name of ['document-name', 'job-password', 'copies', 'media', 'compression', 'ipp-attribute-fidelity', 'job-uuid', 'printer-uuid']) {
      expect(isCleartextAllowed(name, 'Print-Job'), name).toBe(false);
    }
    expect(isCleartextAllowed('job-id', 'Send-Document')).toBe(true);
    expect(isCleartextAllowed('job-id', 'Print-Job')).toBe(false);
    expect(isCleartextAllowed('document-format', 'Create-Job')).toBe(false);
  });

  it('finds Job Template attributes in the job group, document group and operation group', () => {
    const base = buildOuterRequest({ operation: 'Print-Job', printerUri: uri, requestId: 1 });
    expect(findCleartextJobTemplate(withAttr(base, GroupTag.job, 'copies'))).toEqual([{ name: 'copies', group: GroupTag.job }]);
    expect(findCleartextJobTemplate(withAttr(base, GroupTag.document, 'copies'))).toEqual([{ name: 'copies', group: GroupTag.document }]);
    expect(findCleartextJobTemplate(withAttr(base, GroupTag.operation, 'document-name'))).toEqual([
      { name: 'document-name', group: GroupTag.operation },
    ]);
    const create = buildOuterRequest({ operation: 'Create-Job', printerUri: uri, requestId: 1 });
    expect(findCleartextJobTemplate(withAttr(create, GroupTag.job, 'sides')).map((v) => v.name)).toEqual(['sides']);
  });

  it('does not apply to operations that submit no job', () => {
    const gpa: IppMessage = {
      version: { major: 2, minor: 0 },
      code: IppOperation.getPrinterAttributes,
      requestId: 1,
      groups: [{ tag: GroupTag.operation, attributes: [{ name: 'requested-attributes', values: [{ tag: 'keyword', value: 'all' }] }] }],
    };
    expect(findCleartextJobTemplate(gpa)).toEqual([]);
    expect(checkOuterRequest(gpa)).toEqual([]);
  });

  it('refuses a cleartext document with document-format-not-supported and a leaked attribute with attributes-or-values-not-supported', () => {
    const base = buildOuterRequest({ operation: 'Print-Job', printerUri: uri, requestId: 1 });
    const plain: IppMessage = {
      ...base,
      groups: [
        {
          tag: GroupTag.operation,
          attributes: base.groups[0]!.attributes.map((a) =>
            a.name === 'document-format' ? { name: a.name, values: [{ tag: 'mimeMediaType' as const, value: 'application/pdf' }] } : a,
          ),
        },
      ],
    };
    const v = checkOuterRequest(withAttr(plain, GroupTag.job, 'copies'));
    expect(v.map((x) => [x.attribute, x.status])).toEqual([
      ['document-format', IppStatus.clientErrorDocumentFormatNotSupported],
      ['copies', IppStatus.clientErrorAttributesOrValuesNotSupported],
    ]);
    expect(v[0]!.message).toContain('application/pdf');
  });

  it('refuses a missing document-format and a sealed content other than application/ipp', () => {
    const base = buildOuterRequest({ operation: 'Print-Job', printerUri: uri, requestId: 1 });
    const attrs = base.groups[0]!.attributes;
    const noFormat = { ...base, groups: [{ tag: GroupTag.operation, attributes: attrs.filter((a) => a.name !== 'document-format') }] };
    expect(checkOuterRequest(noFormat).map((x) => x.attribute)).toEqual(['document-format']);
    const otherInner = {
      ...base,
      groups: [
        {
          tag: GroupTag.operation,
          attributes: attrs.map((a) =>
            a.name === 'encrypted-job-request-format' ? { name: a.name, values: [{ tag: 'mimeMediaType' as const, value: 'application/pdf' }] } : a,
          ),
        },
      ],
    };
    expect(checkOuterRequest(otherInner).map((x) => x.attribute)).toEqual(['encrypted-job-request-format']);
  });
});
