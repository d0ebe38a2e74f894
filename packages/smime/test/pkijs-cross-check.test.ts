// A second independent reader: PKI.js parses and verifies what we write (certificates and an
// ECDSA SignedData), beside the OpenSSL interop tests.
import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { open, sealToBytes } from '@trustnoone/smime';
import { createTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
  pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] }));
});

const ab = (u: Uint8Array): ArrayBuffer => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;

describe('PKI.js reads our output', () => {
  it('certificates issued by our P-256 CA verify (RSA, P-256, P-384 subjects)', async () => {
    const ca = pkijs.Certificate.fromBER(ab(pki.ca.certificate.der));
    for (const k of ['rsa', 'p256', 'p384'] as const) {
      const cert = pkijs.Certificate.fromBER(ab(pki.ids[k].certificate.der));
      expect(await cert.verify(ca), k).toBe(true);
      expect(Buffer.from(cert.serialNumber.valueBlock.valueHexView).equals(Buffer.from(pki.ids[k].certificate.serialNumber))).toBe(true);
    }
  });

  it('our ECDSA P-256 SignedData (decrypted by us with innerContentInfo false) verifies in PKI.js', async () => {
    const content = Buffer.from('checked by PKI.js '.repeat(500));
    const s = pki.ids.p256;
    const env = await sealToBytes(content, { recipients: [pki.ids.p256.certificate], signer: { certificate: s.certificate, privateKey: s.privateKey } });
    const { plaintext } = await open(env, { privateKey: pki.ids.p256.privateKey, innerContentInfo: false });
    const ci = pkijs.ContentInfo.fromBER(ab(plaintext));
    expect(ci.contentType).toBe('1.2.840.113549.1.7.2');
    const sd = new pkijs.SignedData({ schema: ci.content });
    const ok = await sd.verify({ signer: 0, checkChain: false, extendedMode: false });
    expect(ok).toBe(true);
    // and the same check fails on altered content, so the assertion above can fail
    const bad = Buffer.from(plaintext);
    bad[bad.indexOf(Buffer.from('checked by'))] ^= 0x01;
    const badSd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(ab(bad)).content });
    const verdict = await badSd.verify({ signer: 0, checkChain: false, extendedMode: false }).catch(() => false);
    expect(verdict).toBe(false);
  });
});
