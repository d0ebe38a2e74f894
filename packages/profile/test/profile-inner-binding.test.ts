import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GroupTag, type IppAttribute, type IppMessage, IppStatus } from '@trustnoone/ipp';
import {
  buildInnerRequest,
  checkBinding,
  MemoryReplayCache,
  newJobNonce,
  parseInnerRequest,
  ProfileError,
  type InnerRequestOptions,
  type ProfileErrorCode,
} from '@trustnoone/profile';

const PRINTER = 'urn:uuid:0f3c2a7e-1b2d-4c5e-8f90-112233445566';
const OTHER = 'urn:uuid:99999999-1b2d-4c5e-8f90-112233445566';
const copies: IppAttribute = { name: 'copies', values: [{ tag: 'integer', value: 2 }] };

function printJob(over: Partial<InnerRequestOptions> = {}): IppMessage {
  return buildInnerRequest({
    operation: 'Print-Job',
    printerUri: 'ipp://127.0.0.1:8632/ipp/print',
    requestingUserName: 'alice',
    printerUuid: PRINTER,
    jobUuid: newJobNonce(),
    documentFormat: 'application/pdf',
    jobName: 'Quarterly salaries',
    documentName: 'salaries.pdf',
    jobAttributes: [copies],
    ...over,
  } as InnerRequestOptions);
}

function sendDocument(jobUuid: string, documentNumber: number, lastDocument: boolean): IppMessage {
  return buildInnerRequest({
    operation: 'Send-Document',
    printerUri: 'ipp://127.0.0.1:8632/ipp/print',
    printerUuid: PRINTER,
    jobUuid,
    documentNumber,
    lastDocument,
    documentFormat: 'image/pwg-raster',
  });
}

async function expectCode(p: Promise<unknown> | (() => unknown), code: ProfileErrorCode): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    expect((err as ProfileError).code).toBe(code);
    expect((err as ProfileError).ippStatus).toBe(IppStatus.clientErrorDocumentSecurityError);
    return;
  }
  throw new Error(`expected ProfileError ${code}`);
}

function mutateOps(m: IppMessage, f: (ops: IppAttribute[]) => IppAttribute[]): IppMessage {
  return { ...m, groups: m.groups.map((g) => (g.tag === GroupTag.operation ? { ...g, attributes: f([...g.attributes]) } : g)) };
}

describe('docs/spec-notes.md §2 inner request: real attributes plus binding fields', () => {
  it('round-trips a Print-Job through build and parse', () => {
    const nonce = newJobNonce();
    const m = printJob({ jobUuid: nonce });
    const inner = parseInnerRequest(m);
    expect(inner).toMatchObject({
      operation: 'Print-Job',
      printerUuid: PRINTER,
      jobUuid: nonce,
      documentNumber: 1,
      lastDocument: true,
      documentFormat: 'application/pdf',
      jobName: 'Quarterly salaries',
      documentName: 'salaries.pdf',
      requestingUserName: 'alice',
    });
    expect(inner.jobAttributes).toEqual([copies]);
    expect(m.groups[0]!.attributes.slice(0, 2).map((a) => a.name)).toEqual(['attributes-charset', 'attributes-natural-language']);
  });

  it('makes a fresh urn:uuid nonce every time', () => {
    const seen = new Set(Array.from({ length: 200 }, () => newJobNonce()));
    expect(seen.size).toBe(200);
    for (const n of seen) expect(n).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
  });

  it('refuses to build a nested or unbound request', () => {
    expect(() => printJob({ documentFormat: 'application/pkcs7-mime' })).toThrow(RangeError);
    expect(() => printJob({ printerUuid: 'printer-1' })).toThrow(RangeError);
    expect(() => printJob({ operationAttributes: [{ name: 'job-uuid', values: [{ tag: 'uri', value: OTHER }] }] })).toThrow(RangeError);
    expect(() => sendDocument(newJobNonce(), 0, true)).toThrow(RangeError);
  });

  it('parses Send-Document with its document-number and last-document', () => {
    const nonce = newJobNonce();
    expect(parseInnerRequest(sendDocument(nonce, 3, false))).toMatchObject({ operation: 'Send-Document', documentNumber: 3, lastDocument: false, jobUuid: nonce });
  });

  it('refuses malformed inner requests with INNER_MALFORMED', async () => {
    const good = printJob();
    const cases: Record<string, IppMessage> = {
      'wrong operation': { ...good, code: 0x000b },
      'IPP 1.0': { ...good, version: { major: 1, minor: 0 } },
      'no printer-uuid': mutateOps(good, (o) => o.filter((a) => a.name !== 'printer-uuid')),
      'no job-uuid': mutateOps(good, (o) => o.filter((a) => a.name !== 'job-uuid')),
      'job-uuid not urn:uuid': mutateOps(good, (o) => o.map((a) => (a.name === 'job-uuid' ? { name: a.name, values: [{ tag: 'uri', value: 'http://x/' }] } : a))),
      'printer-uuid as text': mutateOps(good, (o) => o.map((a) => (a.name === 'printer-uuid' ? { name: a.name, values: [{ tag: 'textWithoutLanguage', value: PRINTER }] } : a))),
      'two printer-uuid': mutateOps(good, (o) => [...o, { name: 'printer-uuid', values: [{ tag: 'uri', value: OTHER }] }]),
      'printer-uuid 1setOf': mutateOps(good, (o) =>
        o.map((a) => (a.name === 'printer-uuid' ? { name: a.name, values: [...a.values, { tag: 'uri', value: OTHER }] } : a)),
      ),
      'charset not first': mutateOps(good, (o) => [o[1]!, o[0]!, ...o.slice(2)]),
      'no document-format': mutateOps(good, (o) => o.filter((a) => a.name !== 'document-format')),
      'Print-Job as document 2': mutateOps(good, (o) => o.map((a) => (a.name === 'document-number' ? { name: a.name, values: [{ tag: 'integer', value: 2 }] } : a))),
      'last-document as keyword': mutateOps(good, (o) => o.map((a) => (a.name === 'last-document' ? { name: a.name, values: [{ tag: 'keyword', value: 'true' }] } : a))),
      'printer group': { ...good, groups: [...good.groups, { tag: GroupTag.printer, attributes: [] }] },
      'two operation groups': { ...good, groups: [good.groups[0]!, good.groups[0]!] },
      'Send-Document without document-number': mutateOps(sendDocument(newJobNonce(), 1, true), (o) => o.filter((a) => a.name !== 'document-number')),
    };
    for (const [label, m] of Object.entries(cases)) {
      try {
        parseInnerRequest(m);
        throw new Error(`accepted: ${label}`);
      } catch (err) {
        expect(err, label).toBeInstanceOf(ProfileError);
        expect((err as ProfileError).code, label).toBe('INNER_MALFORMED');
      }
    }
  });

  it('refuses an inner document that is itself an envelope or IPP message (INNER_NESTED)', async () => {
    for (const f of ['application/pkcs7-mime', 'APPLICATION/IPP']) {
      const m = mutateOps(printJob(), (o) => o.map((a) => (a.name === 'document-format' ? { name: a.name, values: [{ tag: 'mimeMediaType', value: f }] } : a)));
      await expectCode(() => parseInnerRequest(m), 'INNER_NESTED');
    }
  });

  it('never throws anything but ProfileError on arbitrary operation attributes (fast-check)', () => {
    const value = fc.oneof(
      fc.record({ tag: fc.constantFrom('uri', 'keyword', 'textWithoutLanguage', 'mimeMediaType', 'nameWithoutLanguage' as const), value: fc.string() }),
      fc.record({ tag: fc.constant('integer' as const), value: fc.integer() }),
      fc.record({ tag: fc.constant('boolean' as const), value: fc.boolean() }),
      fc.record({ tag: fc.constant('noValue' as const) }),
    );
    const names = fc.constantFrom('printer-uuid', 'job-uuid', 'document-number', 'last-document', 'document-format', 'job-name', 'attributes-charset', 'x');
    fc.assert(
      fc.property(fc.array(fc.record({ name: names, values: fc.array(value, { maxLength: 3 }) }), { maxLength: 12 }), fc.boolean(), (ops, send) => {
        const m = { version: { major: 2, minor: 0 }, code: send ? 6 : 2, requestId: 1, groups: [{ tag: GroupTag.operation, attributes: ops as IppAttribute[] }] };
        try {
          parseInnerRequest(m);
        } catch (err) {
          if (!(err instanceof ProfileError)) throw err;
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('docs/spec-notes.md §2 binding checks (printer side)', () => {
  it('accepts a fresh job for this printer and records its nonce once', async () => {
    const replay = new MemoryReplayCache();
    const inner = parseInnerRequest(printJob());
    const r = await checkBinding(inner, { operation: 'Print-Job', printerUuid: PRINTER.toUpperCase().replace('URN:UUID', 'urn:uuid'), expectedDocumentNumber: 1, replay });
    expect(r.jobNonce).toBe(inner.jobUuid);
    expect(r.lastDocument).toBe(true);
    expect(replay.size).toBe(1);
  });

  it('refuses a job redirected to another printer (BINDING_WRONG_PRINTER), without burning its nonce', async () => {
    const replay = new MemoryReplayCache();
    const inner = parseInnerRequest(printJob());
    await expectCode(checkBinding(inner, { operation: 'Print-Job', printerUuid: OTHER, expectedDocumentNumber: 1, replay }), 'BINDING_WRONG_PRINTER');
    expect(replay.size).toBe(0);
  });

  it('refuses a replayed envelope (BINDING_REPLAYED), also when both copies arrive at once', async () => {
    const replay = new MemoryReplayCache();
    const inner = parseInnerRequest(printJob());
    const opts = { operation: 'Print-Job' as const, printerUuid: PRINTER, expectedDocumentNumber: 1, replay };
    const results = await Promise.allSettled([checkBinding(inner, opts), checkBinding(inner, opts)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await expectCode(checkBinding(inner, opts), 'BINDING_REPLAYED');
  });

  it('lets a relay carry a whole job in either outer operation, but an outer Print-Job only a whole job', async () => {
    // Print-Job resubmitted upstream as Create-Job + Send-Document(last-document=true): accepted.
    const pj = parseInnerRequest(printJob());
    const r = await checkBinding(pj, { operation: 'Send-Document', printerUuid: PRINTER, expectedDocumentNumber: 1, outerLastDocument: true, replay: new MemoryReplayCache() });
    expect(r.lastDocument).toBe(true);
    // ... but not as the first of several documents.
    await expectCode(
      checkBinding(parseInnerRequest(printJob()), { operation: 'Send-Document', printerUuid: PRINTER, expectedDocumentNumber: 1, outerLastDocument: false, replay: new MemoryReplayCache() }),
      'BINDING_LAST_DOCUMENT',
    );
    // A one-document Create-Job job resubmitted as Print-Job: accepted.
    const whole = parseInnerRequest(sendDocument(newJobNonce(), 1, true));
    await checkBinding(whole, { operation: 'Print-Job', printerUuid: PRINTER, expectedDocumentNumber: 1, replay: new MemoryReplayCache() });
    // The first document of a longer job passed off as a whole Print-Job (truncation): refused.
    const partial = parseInnerRequest(sendDocument(newJobNonce(), 1, false));
    await expectCode(checkBinding(partial, { operation: 'Print-Job', printerUuid: PRINTER, expectedDocumentNumber: 1, replay: new MemoryReplayCache() }), 'BINDING_OPERATION_MISMATCH');
  });

  it('ties every document of a multi-document job to its nonce and order', async () => {
    const replay = new MemoryReplayCache();
    const nonce = newJobNonce();
    const d1 = parseInnerRequest(sendDocument(nonce, 1, false));
    const r1 = await checkBinding(d1, { operation: 'Send-Document', printerUuid: PRINTER, expectedDocumentNumber: 1, outerLastDocument: false, replay });
    const d2 = parseInnerRequest(sendDocument(nonce, 2, true));
    const base = { operation: 'Send-Document' as const, printerUuid: PRINTER, jobNonce: r1.jobNonce, replay };
    // A document of another job spliced in:
    await expectCode(checkBinding(parseInnerRequest(sendDocument(newJobNonce(), 2, true)), { ...base, expectedDocumentNumber: 2 }), 'BINDING_WRONG_JOB');
    // Out of order (document 2 arriving first, or document 1 again):
    await expectCode(checkBinding(d2, { ...base, jobNonce: r1.jobNonce, expectedDocumentNumber: 3 }), 'BINDING_DOCUMENT_ORDER');
    await expectCode(checkBinding(d1, { ...base, expectedDocumentNumber: 2 }), 'BINDING_DOCUMENT_ORDER');
    // The relay claiming "last" for a document that was sealed as not last, or the reverse:
    await expectCode(checkBinding(d2, { ...base, expectedDocumentNumber: 2, outerLastDocument: false }), 'BINDING_LAST_DOCUMENT');
    const r2 = await checkBinding(d2, { ...base, expectedDocumentNumber: 2, outerLastDocument: true });
    expect(r2.lastDocument).toBe(true);
    expect(r2.replayKey).toBeUndefined();
    // The whole job replayed into a new Create-Job fails at its first document:
    await expectCode(checkBinding(d1, { operation: 'Send-Document', printerUuid: PRINTER, expectedDocumentNumber: 1, replay }), 'BINDING_REPLAYED');
  });

  it('rejects inconsistent expectations from the caller as a programming error', async () => {
    const inner = parseInnerRequest(printJob());
    await expect(checkBinding(inner, { operation: 'Print-Job', printerUuid: PRINTER, expectedDocumentNumber: 2, replay: new MemoryReplayCache() })).rejects.toThrow(RangeError);
  });
});
