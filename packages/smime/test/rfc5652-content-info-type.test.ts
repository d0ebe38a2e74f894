/**
 * contentInfoType (RFC 5652 §3), exported so that callers tell a CMS object from other data
 * without knowing DER (issue 14 item 2: the printer's PIN-layer check used to hard-code the bytes
 * of id-ct-authEnvelopedData). Every length form of the outer SEQUENCE, truncated heads, and the
 * magic of every format the printer renders.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTENT_INFO_HEAD_BYTES, contentInfoType, OID } from '@trustnoone/smime';

const vector = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../../vectors/cms/${name}`, import.meta.url)));

// 06 0B 2A 86 48 86 F7 0D 01 09 10 01 17 is id-ct-authEnvelopedData; 06 09 ... 07 02 id-signedData.
const AUTH_ENVELOPED = [0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17];
const SIGNED = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
const lengthForms: Record<string, number[]> = {
  indefinite: [0x30, 0x80],
  short: [0x30, 0x7f],
  'long, 1 octet': [0x30, 0x81, 0xc8],
  'long, 2 octets': [0x30, 0x82, 0x10, 0x00],
  'long, 4 octets': [0x30, 0x84, 0x40, 0x00, 0x00, 0x00],
};

describe('contentInfoType: the content type a ContentInfo declares (RFC 5652 §3)', () => {
  for (const [form, header] of Object.entries(lengthForms)) {
    it(`reads id-ct-authEnvelopedData and id-signedData behind a SEQUENCE with the ${form} length form`, () => {
      expect(contentInfoType(Uint8Array.from([...header, ...AUTH_ENVELOPED, 0xa0, 0x80]))).toBe(OID.authEnvelopedData);
      expect(contentInfoType(Uint8Array.from([...header, ...SIGNED, 0xa0]))).toBe(OID.signedData);
    });
  }

  it('reads the envelopes of vectors/cms from their first CONTENT_INFO_HEAD_BYTES bytes', () => {
    expect(contentInfoType(vector('auth-enveloped-p256-aes256gcm.der').subarray(0, CONTENT_INFO_HEAD_BYTES))).toBe(OID.authEnvelopedData);
    expect(contentInfoType(vector('enveloped-p256-aes256cbc.der').subarray(0, CONTENT_INFO_HEAD_BYTES))).toBe(OID.envelopedData);
  });

  it('says undefined for a head cut inside the OID, and for an empty one', () => {
    const head = Uint8Array.from([0x30, 0x80, ...AUTH_ENVELOPED]);
    for (let n = 0; n < head.length; n++) expect(contentInfoType(head.subarray(0, n)), `cut at ${n}`).toBeUndefined();
  });

  it('says undefined for what the printer renders and for other DER', () => {
    const te = new TextEncoder();
    const heads: Record<string, Uint8Array> = {
      pdf: te.encode('%PDF-1.7\n%\xe2\xe3'),
      jpeg: Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46),
      'pwg raster': te.encode('RaS2PwgRaster\0'),
      text: te.encode('Hello, printer\n'),
      'SEQUENCE of an INTEGER': Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00),
      'SET, not SEQUENCE': Uint8Array.from([0x31, 0x80, ...AUTH_ENVELOPED]),
      'primitive 0x10 tag': Uint8Array.from([0x10, 0x0d, ...AUTH_ENVELOPED]),
      'reserved length octet': Uint8Array.from([0x30, 0xff, ...AUTH_ENVELOPED]),
    };
    for (const [what, head] of Object.entries(heads)) expect(contentInfoType(head), what).toBeUndefined();
  });
});
