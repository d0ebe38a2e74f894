/**
 * Everything the client reads from a printer or relay is untrusted: printer attributes, job
 * status, the advertised certificate. fast-check properties: no input makes these functions throw
 * anything but a ClientError (or return nonsense types).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GroupTag, type IppAttribute, type IppMessage, type IppValue } from '@trustnoone/ipp';
import { ClientError, decideTrust, jobTemplateAttributes, printerInfoFrom, TrustStore } from '@trustnoone/client';

const value: fc.Arbitrary<IppValue> = fc.oneof(
  fc.record({ tag: fc.constantFrom('keyword', 'uri', 'textWithoutLanguage', 'nameWithoutLanguage', 'mimeMediaType' as const), value: fc.string({ maxLength: 40 }) }),
  fc.record({ tag: fc.constantFrom('integer', 'enum' as const), value: fc.integer() }),
  fc.record({ tag: fc.constant('boolean' as const), value: fc.boolean() }),
  fc.record({ tag: fc.constant('rangeOfInteger' as const), value: fc.record({ lower: fc.integer(), upper: fc.integer() }) }),
  fc.record({ tag: fc.constant('resolution' as const), value: fc.record({ x: fc.nat(), y: fc.nat(), units: fc.constantFrom(3 as const, 4 as const) }) }),
  fc.record({ tag: fc.constantFrom('noValue', 'unknown' as const) }),
  fc.record({ tag: fc.constant('octetString' as const), value: fc.uint8Array({ maxLength: 8 }) }),
) as fc.Arbitrary<IppValue>;

const names = fc.constantFrom(
  'printer-uuid',
  'printer-pkcs7-public-key',
  'document-format-supported',
  'pkcs7-document-format-supported',
  'operations-supported',
  'copies-supported',
  'copies-default',
  'sides-supported',
  'print-quality-supported',
  'media-supported',
  'page-ranges-supported',
  'printer-resolution-supported',
  'x-supported',
);
const attribute: fc.Arbitrary<IppAttribute> = fc.record({ name: names, values: fc.array(value, { maxLength: 4 }) });

function response(attrs: IppAttribute[]): IppMessage {
  return { version: { major: 2, minor: 0 }, code: 0, requestId: 1, groups: [{ tag: GroupTag.printer, attributes: attrs }] };
}

const request = fc.dictionary(
  fc.constantFrom('copies', 'sides', 'print-quality', 'media', 'page-ranges', 'printer-resolution', 'x', 'Bad Name'),
  fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 })),
  { maxKeys: 4 },
);

describe('untrusted printer attributes (fast-check)', () => {
  it('printerInfoFrom reads any attribute set without throwing', () => {
    fc.assert(
      fc.property(fc.array(attribute, { maxLength: 16 }), (attrs) => {
        const info = printerInfoFrom('ipp://127.0.0.1/ipp/print', response(attrs));
        expect(typeof info.trustnoone).toBe('boolean');
        if (info.printerUuid !== undefined) expect(info.printerUuid).toMatch(/^urn:uuid:/);
      }),
      { numRuns: 400 },
    );
  });

  it('jobTemplateAttributes either types the request or throws a ClientError', () => {
    fc.assert(
      fc.property(fc.array(attribute, { maxLength: 16 }), request, (attrs, req) => {
        const info = printerInfoFrom('ipp://127.0.0.1/ipp/print', response(attrs));
        try {
          const out = jobTemplateAttributes(req, info);
          expect(out.map((a) => a.name)).toEqual(Object.keys(req));
        } catch (err) {
          if (!(err instanceof ClientError)) throw err;
        }
      }),
      { numRuns: 400 },
    );
  });

  it('decideTrust refuses any non-certificate text with a ClientError and pins nothing', async () => {
    const storeDir = await mkdtemp(join(tmpdir(), 'tno-prop-'));
    const store = new TrustStore(storeDir);
    const pemish = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.base64String({ maxLength: 400 }).map((b) => `-----BEGIN CERTIFICATE-----\n${b}\n-----END CERTIFICATE-----\n`),
    );
    await fc.assert(
      fc.asyncProperty(pemish, async (text) => {
        await expect(decideTrust('ipp://127.0.0.1/ipp/print', 'urn:uuid:00000000-0000-4000-8000-000000000000', text, { store, firstUse: 'accept' })).rejects.toBeInstanceOf(ClientError);
      }),
      { numRuns: 200 },
    );
    expect(await store.pins()).toEqual({});
    await rm(storeDir, { recursive: true, force: true });
  });
});
