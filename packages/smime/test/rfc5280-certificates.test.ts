// Certificates and keys (RFC 5280, RFC 7468, RFC 5958/5915): parsing, generation, fingerprints,
// the printer's urn:uuid, and the PEM-lines form of `printer-pkcs7-public-key` (docs/spec-notes.md §1).
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  certificateToPem,
  certificateUuids,
  CmsErrorCode,
  createCertificateAuthority,
  createIdentity,
  formatFingerprint,
  joinPemLines,
  loadPrivateKey,
  parseCertificate,
  parseCertificates,
  pemLines,
} from '@trustnoone/smime';

const ca = createCertificateAuthority({ commonName: 'unit CA', organization: 'trustnoone', algorithm: 'ed25519' });
const uuid = '6A0F1C3E-8B1E-4D2B-9B55-0F2B7C1E9A10';
const printer = createIdentity({ commonName: 'printer', algorithm: 'x25519', ca, printerUuid: uuid, dnsNames: ['printer.local'] });

describe('PEM lines for 1setOf text attributes', () => {
  it('splits into non-empty lines and joins back to the same certificate', () => {
    const pem = certificateToPem(printer.certificate);
    const values = pemLines(pem);
    expect(values[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(values.at(-1)).toBe('-----END CERTIFICATE-----');
    expect(values.every((v) => v.length > 0 && v.length <= 64)).toBe(true);
    expect(joinPemLines(values)).toBe(pem);
    expect(parseCertificate(joinPemLines(values)).fingerprint).toBe(printer.certificate.fingerprint);
  });

  it('tolerates CRLF and blank lines on the way in', () => {
    const pem = certificateToPem(printer.certificate).replace(/\n/g, '\r\n\r\n');
    expect(joinPemLines(pemLines(pem))).toBe(certificateToPem(printer.certificate));
  });
});

describe('generated certificates', () => {
  it('name the printer by urn:uuid (lowercase) and carry the fields CMS needs', () => {
    const c = printer.certificate;
    expect(certificateUuids(c)).toEqual([uuid.toLowerCase()]);
    expect(c.keyKind).toBe('x25519');
    expect(c.subjectText).toBe('CN=printer');
    expect(c.issuerText).toBe('O=trustnoone, CN=unit CA');
    expect(c.subjectKeyIdentifier).toHaveLength(20);
    expect(c.authorityKeyIdentifier).toEqual(ca.certificate.subjectKeyIdentifier);
    expect(c.isCA).toBe(false);
    expect(ca.certificate.isCA).toBe(true);
    expect(c.notAfter.getTime()).toBeGreaterThan(Date.now());
  });

  it('formats the SHA-256 fingerprint for people', () => {
    const f = formatFingerprint(printer.certificate.fingerprint);
    expect(f).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('parses a PEM bundle into all its certificates', () => {
    const bundle = certificateToPem(printer.certificate) + certificateToPem(ca.certificate);
    expect(parseCertificates(bundle).map((c) => c.subjectText)).toEqual(['CN=printer', 'O=trustnoone, CN=unit CA']);
  });

  it('refuses to self-sign an X25519 certificate', () => {
    expect(() => createIdentity({ commonName: 'x', algorithm: 'x25519' })).toThrowError(expect.objectContaining({ code: CmsErrorCode.badOptions }) as Error);
  });
});

describe('keys', () => {
  it('loads PKCS#8 PEM and DER, SEC1 DER and PKCS#1 DER', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(loadPrivateKey(ec.export({ type: 'pkcs8', format: 'pem' }).toString()).asymmetricKeyType).toBe('ec');
    expect(loadPrivateKey(new Uint8Array(ec.export({ type: 'pkcs8', format: 'der' }))).asymmetricKeyType).toBe('ec');
    expect(loadPrivateKey(new Uint8Array(ec.export({ type: 'sec1', format: 'der' }))).asymmetricKeyType).toBe('ec');
    expect(loadPrivateKey(ec.export({ type: 'sec1', format: 'pem' }).toString()).asymmetricKeyType).toBe('ec');
    expect(loadPrivateKey(new Uint8Array(rsa.export({ type: 'pkcs1', format: 'der' }))).asymmetricKeyType).toBe('rsa');
  });

  it('refuses garbage and public keys with CMS_BAD_KEY', () => {
    expect(() => loadPrivateKey(new Uint8Array([1, 2, 3]))).toThrowError(expect.objectContaining({ code: CmsErrorCode.badKey }) as Error);
    const pub = generateKeyPairSync('ed25519').publicKey;
    expect(() => loadPrivateKey(pub)).toThrowError(expect.objectContaining({ code: CmsErrorCode.badKey }) as Error);
    expect(() => parseCertificate(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]))).toThrowError(expect.objectContaining({ code: CmsErrorCode.badKey }) as Error);
  });
});
