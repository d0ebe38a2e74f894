import { describe, expect, it } from 'vitest';
import {
  GroupTag,
  OPERATION_RULES,
  boolean,
  noValue,
  keyword,
  operationCode,
  operationName,
  operationTarget,
  request,
  text,
  unsupportedAttributes,
  validateOperation,
  validateRequest,
  type AttributesInput,
  type IppMessage,
} from '@trustnoone/ipp';

/**
 * RFC 8011 §4.1.5, §4.2-4.3 and the operation definitions of RFC 3380/3995/3996, PWG
 * 5100.11/.13/.18/.22 and TRUSTNOONE, written out here independently of operations/required.ts:
 * for each operation a correct request and the attributes whose absence must be refused.
 */
const PRINTER = 'ipp://127.0.0.1:8631/ipp/print';
const SYSTEM = 'ipp://127.0.0.1:8631/ipp/system';
const JOB_URI = `${PRINTER}/7`;
const DEVICE = 'urn:uuid:4b8a1c5e-0d3f-4a61-9f2b-6c1e2d3f4a5b';
const CERT = [text('-----BEGIN CERTIFICATE-----'), text('MIIB'), text('-----END CERTIFICATE-----')];

interface Case {
  /** Operation attributes after charset/language, in a valid request. */
  readonly attrs: AttributesInput;
  /** Attributes each of which, dropped, must be refused with bad-request naming it. */
  readonly required: readonly string[];
  /** Job operations may name the job by job-uri instead of printer-uri + job-id. */
  readonly jobUri?: boolean;
  readonly job?: AttributesInput;
}

const printerOp: Case = { attrs: { 'printer-uri': PRINTER, 'requesting-user-name': 'anchor' }, required: ['printer-uri'] };
const jobOp = (extra: AttributesInput = {}, required: readonly string[] = []): Case => ({
  attrs: { 'printer-uri': PRINTER, 'job-id': 7, 'requesting-user-name': 'anchor', ...extra },
  required: ['printer-uri', 'job-id', ...required],
  jobUri: true,
});
const infraOp = (extra: AttributesInput = {}, required: readonly string[] = []): Case => ({
  attrs: { 'printer-uri': PRINTER, 'output-device-uuid': DEVICE, ...extra },
  required: ['printer-uri', 'output-device-uuid', ...required],
});

const CASES: Record<string, Case> = {
  'Print-Job': { attrs: { 'printer-uri': PRINTER, 'requesting-user-name': 'anchor', 'job-name': 'j', 'document-format': 'application/pdf' }, required: ['printer-uri'] },
  'Print-URI': { attrs: { 'printer-uri': PRINTER, 'document-uri': 'http://127.0.0.1/doc.pdf' }, required: ['printer-uri', 'document-uri'] },
  'Validate-Job': printerOp,
  'Create-Job': printerOp,
  'Send-Document': jobOp({ 'last-document': true }, ['last-document']),
  'Send-URI': jobOp({ 'document-uri': 'http://127.0.0.1/doc.pdf', 'last-document': false }, ['document-uri', 'last-document']),
  'Cancel-Job': jobOp(),
  'Get-Job-Attributes': jobOp({ 'requested-attributes': ['job-state', 'job-state-reasons'] }),
  'Get-Jobs': { attrs: { 'printer-uri': PRINTER, 'which-jobs': 'completed', limit: 10, 'my-jobs': true }, required: ['printer-uri'] },
  'Get-Printer-Attributes': { attrs: { 'printer-uri': PRINTER, 'requested-attributes': ['all', 'media-col-database'] }, required: ['printer-uri'] },
  'Hold-Job': jobOp(),
  'Release-Job': jobOp(),
  'Restart-Job': jobOp(),
  'Pause-Printer': printerOp,
  'Resume-Printer': printerOp,
  'Purge-Jobs': printerOp,
  'Set-Job-Attributes': { ...jobOp(), job: { 'job-priority': 60 } },
  'Create-Job-Subscriptions': { attrs: { 'printer-uri': PRINTER, 'notify-job-id': 7 }, required: ['printer-uri', 'notify-job-id'] },
  'Get-Notifications': { attrs: { 'printer-uri': PRINTER, 'notify-subscription-ids': [3, 4], 'notify-wait': boolean(true) }, required: ['printer-uri', 'notify-subscription-ids'] },
  'Cancel-Jobs': { attrs: { 'printer-uri': PRINTER, 'job-ids': [1, 2] }, required: ['printer-uri'] },
  'Cancel-My-Jobs': printerOp,
  'Close-Job': jobOp(),
  'Identify-Printer': { attrs: { 'printer-uri': PRINTER, 'identify-actions': ['display', 'sound'] }, required: ['printer-uri'] },
  'Acknowledge-Document': infraOp({ 'job-id': 7, 'document-number': 1 }, ['job-id', 'document-number']),
  'Acknowledge-Identify-Printer': infraOp(),
  'Acknowledge-Job': infraOp({ 'job-id': 7 }, ['job-id']),
  'Fetch-Document': infraOp({ 'job-id': 7, 'document-number': 1 }, ['job-id', 'document-number']),
  'Fetch-Job': infraOp({ 'job-id': 7 }, ['job-id']),
  'Get-Output-Device-Attributes': infraOp(),
  'Update-Active-Jobs': infraOp({ 'job-ids': [7, 8], 'output-device-job-states': [5, 3] }),
  'Deregister-Output-Device': infraOp(),
  'Update-Document-Status': infraOp({ 'job-id': 7, 'document-number': 1 }, ['job-id', 'document-number']),
  'Update-Job-Status': infraOp({ 'job-id': 7 }, ['job-id']),
  'Update-Output-Device-Attributes': infraOp(),
  'Register-Output-Device': { attrs: { 'system-uri': SYSTEM, 'printer-uri': PRINTER, 'output-device-uuid': DEVICE }, required: ['system-uri', 'output-device-uuid'] },
  'Acknowledge-Encrypted-Job-Attributes': infraOp({ 'encrypted-job-request-id': 9 }, ['encrypted-job-request-id']),
  'Fetch-Encrypted-Job-Attributes': infraOp(),
  'Get-Encrypted-Job-Attributes': jobOp({ 'requested-attributes': ['job-name', 'copies'], 'requesting-user-pkcs7-public-key': CERT }, ['requesting-user-pkcs7-public-key']),
};

function build(op: string, attrs: AttributesInput, job?: AttributesInput): IppMessage {
  const b = request(op, { requestId: 3 }).operation(attrs);
  if (job !== undefined) b.job(job);
  return b.build();
}

function without(attrs: AttributesInput, name: string): AttributesInput {
  return Object.fromEntries(Object.entries(attrs).filter(([k]) => k !== name));
}

const summary = (m: IppMessage) => validateOperation(m).map((v) => [v.code, v.status, v.attribute]);

describe('per-operation request rules', () => {
  it('cover every operation the brief names, and nothing here is left untested', () => {
    const tested = Object.keys(CASES).map((n) => operationCode(n));
    expect(tested).not.toContain(undefined);
    expect([...OPERATION_RULES.keys()].map((c) => operationName(c)).sort()).toEqual(Object.keys(CASES).sort());
  });

  describe.each(Object.entries(CASES))('%s', (op, c) => {
    it('a correct request passes, alone and with the registry checks', () => {
      const m = build(op, c.attrs, c.job);
      expect(validateOperation(m)).toEqual([]);
      expect(validateRequest(m, { operationRules: true })).toEqual([]);
    });

    it.each(c.required)('without %s: client-error-bad-request naming it', (name) => {
      const m = build(op, without(c.attrs, name), c.job);
      const found = validateOperation(m);
      expect(found.length).toBeGreaterThan(0);
      expect(found[0]!.status).toBe(0x0400);
      expect(found.some((v) => v.attribute === name && v.message.includes(name))).toBe(true);
      expect(validateRequest(m, { operationRules: true })[0]?.status).toBe(0x0400);
    });

    if (c.jobUri === true) {
      it('job-uri alone also names the job (RFC 8011 §4.1.5)', () => {
        const attrs = { 'job-uri': JOB_URI, ...without(without(c.attrs, 'printer-uri'), 'job-id') };
        expect(validateOperation(build(op, attrs, c.job))).toEqual([]);
      });
      it('neither form: missing-target naming job-uri', () => {
        const m = build(op, without(without(c.attrs, 'printer-uri'), 'job-id'), c.job);
        expect(summary(m)[0]).toEqual(['missing-target', 0x0400, 'job-uri']);
      });
    }
  });

  it('requesting-user-name is RECOMMENDED, not REQUIRED', () => {
    expect(validateOperation(build('Print-Job', { 'printer-uri': PRINTER }))).toEqual([]);
    expect(validateOperation(build('Cancel-Job', { 'printer-uri': PRINTER, 'job-id': 1 }))).toEqual([]);
  });

  it('an out-of-band value does not name a target or fill a required attribute', () => {
    expect(summary(build('Print-Job', { 'printer-uri': noValue() }))).toEqual([['missing-target', 0x0400, 'printer-uri']]);
    expect(summary(build('Send-Document', { 'printer-uri': PRINTER, 'job-id': 2, 'last-document': noValue() }))).toEqual([['missing-attribute', 0x0400, 'last-document']]);
  });

  it('unknown and vendor operations pass through: the Printer answers operation-not-supported itself', () => {
    const bare = (code: number): IppMessage => request(code, { requestId: 1 }).build();
    expect(validateOperation(bare(0x7777))).toEqual([]);
    expect(validateOperation(bare(0x4002))).toEqual([]); // CUPS-Get-Printers has no printer-uri
    expect(validateOperation(bare(0x0013))).toEqual([]); // Set-Printer-Attributes: no rule yet
  });

  it('Create-Job-Subscriptions targets the printer and names its job by notify-job-id (RFC 3995)', () => {
    expect(operationTarget(0x0017)).toBe('printer');
    expect(validateRequest(build('Create-Job-Subscriptions', { 'printer-uri': PRINTER, 'notify-job-id': 3 }))).toEqual([]);
  });

  it('operationTarget: the table decides where it has a rule, the older lists elsewhere', () => {
    const expected: Record<number, string> = {
      0x0002: 'printer', 0x0006: 'job', 0x0014: 'job', 0x0016: 'printer-or-system', 0x0017: 'printer', 0x001c: 'printer-or-system',
      0x0033: 'job', 0x003a: 'job', 0x004a: 'job', 0x004c: 'system', 0x005b: 'system', 0x005f: 'system',
      // PWG 5100.18: INFRA operations name the Infrastructure Printer; job-id is a REQUIRED attribute.
      0x003f: 'printer', 0x0041: 'printer', 0x0043: 'printer', 0x0048: 'printer', 0x0045: 'printer',
      0x0068: 'printer', 0x0069: 'printer', 0x006a: 'job', 0x0065: 'printer',
    };
    expect(Object.fromEntries(Object.keys(expected).map((c) => [c, operationTarget(Number(c))]))).toEqual(expected);
    // Vendor operations (CUPS-Get-Printers 0x4002) define their own targets.
    expect(operationTarget(0x4002)).toBeUndefined();
  });

  it('Set-Job-Attributes without a Job Attributes group is a bad request', () => {
    expect(summary(build('Set-Job-Attributes', { 'printer-uri': PRINTER, 'job-id': 7 }))).toEqual([['missing-group', 0x0400, undefined]]);
    expect(validateOperation(build('Set-Job-Attributes', { 'printer-uri': PRINTER, 'job-id': 7 }))[0]!.group).toBe(GroupTag.job);
  });

  it('Update-Active-Jobs: job-ids and output-device-job-states only together, value for value', () => {
    const base = { 'printer-uri': PRINTER, 'output-device-uuid': DEVICE };
    expect(validateOperation(build('Update-Active-Jobs', base))).toEqual([]);
    expect(summary(build('Update-Active-Jobs', { ...base, 'job-ids': [1] }))).toEqual([['missing-attribute', 0x0400, 'output-device-job-states']]);
    expect(summary(build('Update-Active-Jobs', { ...base, 'output-device-job-states': [5] }))).toEqual([['missing-attribute', 0x0400, 'job-ids']]);
    expect(summary(build('Update-Active-Jobs', { ...base, 'job-ids': [1, 2], 'output-device-job-states': [5] }))).toEqual([['unpaired-values', 0x0400, 'output-device-job-states']]);
  });

  it('single-valued operation attributes: two values are a bad request, reported once with the registry checks', () => {
    const m = build('Get-Job-Attributes', { 'printer-uri': PRINTER, 'job-id': [7, 8] });
    expect(summary(m)).toEqual([['not-single-valued', 0x0400, 'job-id']]);
    expect(validateRequest(m, { operationRules: true }).map((v) => [v.code, v.attribute])).toEqual([['not-single-valued', 'job-id']]);
    // Unregistered in the IANA registry, single-valued by the INFRA/TRUSTNOONE definitions.
    expect(summary(build('Fetch-Encrypted-Job-Attributes', { 'printer-uri': PRINTER, 'output-device-uuid': DEVICE, 'encrypted-job-request-id': [1, 2] }))).toEqual([
      ['not-single-valued', 0x0400, 'encrypted-job-request-id'],
    ]);
  });

  it('which-jobs outside its defined values: attributes-or-values-not-supported, echoed in the Unsupported Attributes group', () => {
    const m = build('Get-Jobs', { 'printer-uri': PRINTER, 'which-jobs': keyword('finished') });
    const found = validateOperation(m);
    expect(found.map((v) => [v.code, v.status, v.attribute])).toEqual([['value-not-supported', 0x040b, 'which-jobs']]);
    expect(unsupportedAttributes(found)).toEqual([{ name: 'which-jobs', values: [{ tag: 'keyword', value: 'finished' }] }]);
    expect(validateOperation(build('Get-Jobs', { 'printer-uri': PRINTER, 'which-jobs': 'fetchable' }))).toEqual([]);
    // A Printer supporting fewer values passes its which-jobs-supported.
    const narrow = validateOperation(build('Get-Jobs', { 'printer-uri': PRINTER, 'which-jobs': 'fetchable' }), { supportedValues: { 'which-jobs': ['completed', 'not-completed'] } });
    expect(narrow.map((v) => v.status)).toEqual([0x040b]);
  });

  it('an unknown compression: client-error-compression-not-supported, echoed', () => {
    const found = validateOperation(build('Print-Job', { 'printer-uri': PRINTER, compression: keyword('brotli') }));
    expect(found.map((v) => [v.code, v.status])).toEqual([['value-not-supported', 0x040f]]);
    expect(unsupportedAttributes(found)).toEqual([{ name: 'compression', values: [{ tag: 'keyword', value: 'brotli' }] }]);
    expect(validateOperation(build('Print-Job', { 'printer-uri': PRINTER, compression: 'gzip' }))).toEqual([]);
  });

  it('unsupportedAttributes merges findings per attribute and ignores those with nothing to echo', () => {
    const m = build('Get-Jobs', { 'which-jobs': [keyword('x'), keyword('y')] });
    const found = validateOperation(m);
    expect(found.map((v) => v.code)).toEqual(['missing-target', 'not-single-valued', 'value-not-supported']);
    expect(unsupportedAttributes(found)).toEqual([{ name: 'which-jobs', values: [keyword('x'), keyword('y')] }]);
  });

  it('Template attribute values the registry refuses are echoed too, each with only its refused values', () => {
    const m = request('Print-Job', { requestId: 3 })
      .operation([
        { name: 'printer-uri', values: [{ tag: 'uri', value: PRINTER }] },
        { name: 'job-name', values: [{ tag: 'nameWithoutLanguage', value: 'a' }, { tag: 'nameWithoutLanguage', value: 'b' }] },
      ])
      .job({ copies: [{ tag: 'integer', value: 0 }], 'number-up': [{ tag: 'integer', value: 1 }, { tag: 'keyword', value: 'two' }] })
      .build();
    const found = validateRequest(m, { operationRules: true });
    expect(found.map((v) => [v.code, v.status, v.attribute])).toEqual([
      ['not-single-valued', 0x0400, 'job-name'],
      ['out-of-range', 0x040b, 'copies'],
      ['not-single-valued', 0x040b, 'number-up'],
      ['wrong-syntax', 0x040b, 'number-up'],
    ]);
    // job-name is an operation attribute: a bad request, nothing to echo. number-up is echoed
    // whole (two values for a single-valued attribute), its bad value once.
    expect(unsupportedAttributes(found)).toEqual([
      { name: 'copies', values: [{ tag: 'integer', value: 0 }] },
      { name: 'number-up', values: [{ tag: 'integer', value: 1 }, { tag: 'keyword', value: 'two' }] },
    ]);
  });

  it('validateRequest without operationRules keeps its target-only check', () => {
    const m = build('Fetch-Job', { 'printer-uri': PRINTER });
    expect(validateRequest(m)).toEqual([]);
    expect(validateRequest(m, { operationRules: true }).map((v) => v.attribute)).toEqual(['output-device-uuid', 'job-id']);
  });

  it('last-document with a boolean other than true is still present', () => {
    expect(validateOperation(build('Send-Document', { 'printer-uri': PRINTER, 'job-id': 1, 'last-document': boolean(false) }))).toEqual([]);
  });
});
