// The DNS-SD TXT record comes from the Get-Printer-Attributes view and respects RFC 6763 §6.1:
// every key=value string fits in 255 bytes, lists are cut between values, never inside one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IppAttribute } from '@trustnoone/ipp';
import { ippTxtRecord } from '@trustnoone/ipp-http';

const text = (name: string, ...values: string[]): IppAttribute => ({ name, values: values.map((value) => ({ tag: 'textWithoutLanguage', value })) });
const kw = (name: string, ...values: string[]): IppAttribute => ({ name, values: values.map((value) => ({ tag: 'keyword', value })) });
const mime = (name: string, ...values: string[]): IppAttribute => ({ name, values: values.map((value) => ({ tag: 'mimeMediaType', value })) });

describe('ippTxtRecord', () => {
  it('maps the printer attributes to the IPP Everywhere keys, and tno=1 only with printer-pkcs7-public-key', () => {
    const attrs: IppAttribute[] = [
      text('printer-make-and-model', 'Example Model 1'),
      { name: 'printer-uuid', values: [{ tag: 'uri', value: 'urn:uuid:0b8f1d6e-3f6c-4b9e-9d2a-7d6f4c1b2a90' }] },
      mime('document-format-supported', 'application/octet-stream', 'application/pdf', 'application/pkcs7-mime'),
      kw('sides-supported', 'one-sided', 'two-sided-long-edge'),
      { name: 'color-supported', values: [{ tag: 'boolean', value: false }] },
      text('printer-pkcs7-public-key', '-----BEGIN CERTIFICATE-----', 'MIIB', '-----END CERTIFICATE-----'),
    ];
    const txt = Object.fromEntries(ippTxtRecord(attrs, { resourcePath: 'ipp/print', adminUrl: 'https://p.example/', tls: true }));
    expect(txt).toMatchObject({ rp: 'ipp/print', ty: 'Example Model 1', UUID: '0b8f1d6e-3f6c-4b9e-9d2a-7d6f4c1b2a90', pdl: 'application/pdf,application/pkcs7-mime', Duplex: 'T', Color: 'F', TLS: '1.2', tno: '1' });
    const plain = Object.fromEntries(ippTxtRecord(attrs.slice(0, -1), { resourcePath: 'ipp/print', adminUrl: 'http://p/', tls: false }));
    expect(plain.tno).toBeUndefined();
    expect(plain.TLS).toBeUndefined();
  });

  it('every string stays within 255 bytes whatever the attributes say', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), fc.array(fc.string({ minLength: 1, maxLength: 80 }), { maxLength: 40 }), (model, formats) => {
        const record = ippTxtRecord([text('printer-make-and-model', model), mime('document-format-supported', ...formats)], { resourcePath: 'ipp/print', adminUrl: 'http://x/', tls: false });
        for (const [k, v] of record) expect(Buffer.byteLength(`${k}=${v}`)).toBeLessThanOrEqual(255);
        const pdl = record.find(([k]) => k === 'pdl')![1];
        // a prefix of the formats, in order, cut between values
        const all = formats.filter((f) => f !== 'application/octet-stream').join(',');
        expect(all.startsWith(pdl)).toBe(true);
        expect(pdl === all || all[pdl.length] === ',' || pdl === '').toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
