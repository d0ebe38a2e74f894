/**
 * Property test (fast-check): the Infrastructure Printer's operations face output devices and
 * clients it cannot trust. Random INFRA / notification / TRUSTNOONE requests — right and wrong
 * devices, jobs, subscriptions, attribute syntaxes and groups — always get an IPP answer that is
 * not an internal error, promptly, and the server keeps serving.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, GroupTag, type IppAttribute, type IppMessage, type IppValue } from '@trustnoone/ipp';
import { buildOuterRequest } from '@trustnoone/profile';
import { attr } from '../src/attrs.js';
import { buildApp, type Intermediary } from '../src/index.js';
import { envelopeShaped } from './fixtures/client.js';

const DEVICE = `urn:uuid:${randomUUID()}`;
const OPS = [0x0016, 0x001b, 0x001c, 0x003f, 0x0041, 0x0042, 0x0043, 0x0045, 0x0046, 0x0047, 0x0048, 0x0049, 0x005f, 0x0068, 0x0069, 0x006a, 0x000a];
let inter: Intermediary;
let jobId = 1;

async function post(path: string, message: IppMessage, data: Uint8Array = new Uint8Array()): Promise<{ http: number; message: IppMessage | undefined; ms: number }> {
  const t = performance.now();
  const res = await inter.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/ipp' }, payload: Buffer.concat([encodeMessage(message), data]) });
  let decoded: IppMessage | undefined;
  try {
    decoded = decodeMessage(new Uint8Array(res.rawPayload));
  } catch {
    decoded = undefined;
  }
  return { http: res.statusCode, message: decoded, ms: performance.now() - t };
}

function req(code: number, path: string, ops: IppAttribute[], groups: IppMessage['groups'] = []): IppMessage {
  return {
    version: { major: 2, minor: 0 },
    code,
    requestId: 1,
    groups: [
      { tag: GroupTag.operation, attributes: [attr.charset('attributes-charset', 'utf-8'), attr.naturalLanguage('attributes-natural-language', 'en'), ...(path === '/ipp/system' ? [attr.uri('system-uri', 'ipp://localhost/ipp/system')] : []), attr.uri('printer-uri', `ipp://localhost${path === '/ipp/system' ? '/ipp/print' : path}`), ...ops] },
      ...groups,
    ],
  };
}

beforeAll(async () => {
  inter = buildApp({ stateDir: mkdtempSync(join(tmpdir(), 'tno-infra-prop-')), upstreams: [], infra: { allowAnonymousDevices: true, maxNotifyWaitMs: 30, encryptedAttributesTimeoutMs: 30 } });
  await inter.start();
  expect((await post('/ipp/system', req(0x005f, '/ipp/system', [attr.uri('output-device-uuid', DEVICE)]))).message?.code).toBe(0);
  expect((await post('/ipp/print', req(0x0049, '/ipp/print', [attr.uri('output-device-uuid', DEVICE)], [{ tag: GroupTag.printer, attributes: [attr.uri('printer-uuid', `urn:uuid:${randomUUID()}`)] }]))).message?.code).toBe(0);
  const job = await post('/ipp/print', buildOuterRequest({ operation: 'Print-Job', printerUri: 'ipp://localhost/ipp/print', requestId: 2, requestingUserName: 'alice' }), envelopeShaped(Buffer.alloc(100, 7)));
  expect(job.message?.code).toBe(0);
});
afterAll(async () => {
  await inter?.close();
});

const value: fc.Arbitrary<IppValue> = fc.oneof(
  fc.integer({ min: -5, max: 1 << 20 }).map((v) => ({ tag: 'integer' as const, value: v })),
  fc.integer({ min: 0, max: 20 }).map((v) => ({ tag: 'enum' as const, value: v })),
  fc.boolean().map((v) => ({ tag: 'boolean' as const, value: v })),
  fc.constantFrom('ippget', 'job-fetchable', 'fetchable', 'all', '', 'x'.repeat(300)).map((v) => ({ tag: 'keyword' as const, value: v })),
  fc.oneof(fc.constant(DEVICE), fc.constant('urn:uuid:zz'), fc.string({ maxLength: 60 })).map((v) => ({ tag: 'uri' as const, value: v })),
  fc.string({ maxLength: 80 }).map((v) => ({ tag: 'textWithoutLanguage' as const, value: v })),
  fc.constant({ tag: 'noValue' as const }),
);
const names = fc.constantFrom(
  'output-device-uuid',
  'job-id',
  'document-number',
  'which-jobs',
  'notify-subscription-ids',
  'notify-sequence-numbers',
  'notify-wait',
  'notify-subscription-id',
  'job-ids',
  'output-device-job-states',
  'encrypted-job-request-id',
  'fetch-status-code',
  'requesting-user-pkcs7-public-key',
  'requested-attributes',
  'limit',
);
const attribute: fc.Arbitrary<IppAttribute> = fc.record({ name: names, values: fc.array(value, { minLength: 1, maxLength: 4 }) });
const groupAttribute: fc.Arbitrary<IppAttribute> = fc.record({
  name: fc.constantFrom('notify-pull-method', 'notify-events', 'output-device-job-state', 'output-device-job-state-reasons', 'output-device-document-state', 'printer-uuid', 'printer-state-reasons'),
  values: fc.array(value, { minLength: 1, maxLength: 3 }),
});

describe('INFRA requests from untrusted peers', () => {
  it('always answer with an IPP status that is not an internal error, within bounded time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...OPS),
        fc.constantFrom('/ipp/print', '/ipp/system'),
        fc.boolean(),
        fc.boolean(),
        fc.array(attribute, { maxLength: 6 }),
        fc.array(fc.record({ tag: fc.constantFrom(GroupTag.job, GroupTag.printer, GroupTag.subscription, GroupTag.document), attributes: fc.array(groupAttribute, { maxLength: 4 }) }), { maxLength: 2 }),
        fc.uint8Array({ maxLength: 64 }),
        async (code, path, withDevice, withJob, ops, groups, data) => {
          const fixed = [...(withDevice ? [attr.uri('output-device-uuid', DEVICE)] : []), ...(withJob ? [attr.integer('job-id', jobId)] : [])];
          const res = await post(path, req(code, path, [...fixed, ...ops.filter((a) => !fixed.some((f) => f.name === a.name))], groups), data);
          expect(res.http).toBe(200);
          expect(res.message, 'an IPP response').toBeDefined();
          expect(res.message!.code, JSON.stringify({ code, ops, groups })).not.toBe(0x0500);
          expect(res.ms).toBeLessThan(2000);
          // A random Deregister-Output-Device may have removed the device: keep the deep paths reachable.
          if (code === 0x0046) await post('/ipp/system', req(0x005f, '/ipp/system', [attr.uri('output-device-uuid', DEVICE)]));
        },
      ),
      { numRuns: 600 },
    );
    // Still serving: a proper request works.
    const ok = await post('/ipp/print', req(0x000a, '/ipp/print', [attr.uri('output-device-uuid', DEVICE), attr.keyword('which-jobs', 'fetchable')]));
    expect(ok.message?.code).toBe(0);
  }, 120_000);
});
