// SignedData inside the envelope (RFC 5652 §5, sign-then-encrypt): Ed25519 (RFC 8419), ECDSA
// P-256/P-384 (RFC 5753), RSA-PSS (RFC 4056); signed attributes; chain checks; typed failures.
import { beforeAll, describe, expect, it } from 'vitest';
import { CmsErrorCode, createCertificate, createIdentity, generateKeyPair, OID, open, seal, sealToBytes } from '@trustnoone/smime';
import { createTestPki, type TestPki } from './helpers/pki.js';
import { reseal } from './helpers/reseal.js';

let pki: TestPki;
beforeAll(() => {
  pki = createTestPki();
});
const msg = Buffer.from('inner application/ipp request bytes'.repeat(100));

describe('sign-then-encrypt round trips', () => {
  for (const [kind, alg, digest] of [
    ['ed25519', 'ed25519', 'sha512'],
    ['p256', 'ecdsa-sha256', 'sha256'],
    ['p384', 'ecdsa-sha384', 'sha384'],
    ['rsa', 'rsassa-pss-sha256', 'sha256'],
  ] as const) {
    it(`${kind} signer: verified, with signing time and the chain to the CA`, async () => {
      const signer = pki.ids[kind];
      const when = new Date('2026-01-02T03:04:05Z');
      const env = await sealToBytes(msg, { recipients: [pki.ids.x25519.certificate], signer: { certificate: signer.certificate, privateKey: signer.privateKey, signingTime: when } });
      const res = await open(env, { privateKey: pki.ids.x25519.privateKey, trustAnchors: [pki.ca.certificate], requireSignature: true });
      expect(Buffer.from(res.plaintext).equals(msg)).toBe(true);
      expect(res.signer?.signatureAlgorithm).toBe(alg);
      expect(res.signer?.digestAlgorithm).toBe(digest);
      expect(res.signer?.signingTime?.toISOString()).toBe(when.toISOString());
      expect(res.signer?.trust).toBe('verified');
      expect(res.signer?.chain.map((c) => c.subjectText)).toEqual([`CN=${kind}`, 'O=trustnoone, CN=trustnoone test CA']);
      expect(res.contentType).toBe(OID.data);
    });
  }

  it('caller-supplied signed attributes come back verbatim, and a subjectKeyIdentifier signer id works', async () => {
    const custom = { type: '1.3.6.1.4.1.99999.1', values: [Uint8Array.from([0x0c, 0x03, 0x61, 0x62, 0x63])] }; // UTF8String "abc"
    const s = pki.ids.p256;
    const env = await sealToBytes(msg, { recipients: [pki.ids.p256.certificate], signer: { certificate: s.certificate, privateKey: s.privateKey, signedAttributes: [custom], identifier: 'subjectKeyIdentifier', signingTime: null } });
    const res = await open(env, { privateKey: pki.ids.p256.privateKey });
    const got = res.signer!.signedAttributes.find((a) => a.type === custom.type);
    expect(got && Buffer.from(got.values[0]!).equals(Buffer.from(custom.values[0]!))).toBe(true);
    expect(res.signer!.signingTime).toBeUndefined();
    expect(res.signer!.trust).toBe('unchecked');
  });

  it('a custom inner content type is carried and covered by the content-type attribute', async () => {
    const s = pki.ids.ed25519;
    const ct = '1.3.6.1.4.1.99999.2';
    const env = await sealToBytes(msg, { recipients: [pki.ids.p256.certificate], contentType: ct, signer: { certificate: s.certificate, privateKey: s.privateKey } });
    const res = await open(env, { privateKey: pki.ids.p256.privateKey });
    expect(res.contentType).toBe(ct);
  });
});

describe('verification failures throw', () => {
  it('CMS_SIGNATURE_MISSING when a signature is required and absent', async () => {
    const env = await sealToBytes(msg, { recipients: [pki.ids.p256.certificate] });
    await expect(open(env, { privateKey: pki.ids.p256.privateKey, requireSignature: true })).rejects.toMatchObject({ code: CmsErrorCode.signatureMissing });
  });

  it('CMS_UNTRUSTED when the signer does not chain to the given anchor', async () => {
    const otherCa = createIdentity({ commonName: 'other CA', algorithm: 'p256' });
    const selfSigned = createIdentity({ commonName: 'mallory', algorithm: 'ed25519' });
    const env = await sealToBytes(msg, { recipients: [pki.ids.p256.certificate], signer: { certificate: selfSigned.certificate, privateKey: selfSigned.privateKey } });
    await expect(open(env, { privateKey: pki.ids.p256.privateKey, trustAnchors: [otherCa.certificate] })).rejects.toMatchObject({ code: CmsErrorCode.untrusted });
    await expect(open(env, { privateKey: pki.ids.p256.privateKey, trustAnchors: [pki.ca.certificate] })).rejects.toMatchObject({ code: CmsErrorCode.untrusted });
  });

  it('CMS_UNTRUSTED for an expired signer certificate', async () => {
    const { privateKey } = generateKeyPair('p256');
    const expired = createCertificate({
      subject: { commonName: 'expired' },
      publicKey: privateKey,
      signingKey: pki.ca.privateKey,
      issuer: { certificate: pki.ca.certificate },
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2021-01-01T00:00:00Z'),
    });
    const env = await sealToBytes(msg, { recipients: [pki.ids.p256.certificate], signer: { certificate: expired, privateKey } });
    await expect(open(env, { privateKey: pki.ids.p256.privateKey, trustAnchors: [pki.ca.certificate] })).rejects.toMatchObject({ code: CmsErrorCode.untrusted });
    const ok = await open(env, { privateKey: pki.ids.p256.privateKey, trustAnchors: [pki.ca.certificate], verificationTime: new Date('2020-06-01T00:00:00Z') });
    expect(ok.signer?.trust).toBe('verified');
  });

  it('CMS_BAD_OPTIONS when the signing key does not belong to the certificate (thrown by seal itself)', () => {
    expect(() => seal(msg, { recipients: [pki.ids.p256.certificate], signer: { certificate: pki.ids.p256.certificate, privateKey: pki.ids.p384.privateKey } })).toThrowError(
      expect.objectContaining({ code: CmsErrorCode.badOptions }) as Error,
    );
  });
});

describe('behind a valid tag: the signature itself is checked', () => {
  const cek = new Uint8Array(32).fill(3);
  const sealSigned = (kind: 'ed25519' | 'p256' | 'rsa'): Promise<Uint8Array> =>
    sealToBytes(msg, { recipients: [pki.ids.p256.certificate], contentEncryptionKey: cek, signer: { certificate: pki.ids[kind].certificate, privateKey: pki.ids[kind].privateKey } });

  it('an unaltered re-encryption (definite-length, primitive encryptedContent) still opens', async () => {
    const env = reseal(await sealSigned('ed25519'), cek, (p) => p);
    const res = await open(env, { privateKey: pki.ids.p256.privateKey, requireSignature: true });
    expect(Buffer.from(res.plaintext).equals(msg)).toBe(true);
  });

  it('altered content: CMS_SIGNATURE_INVALID (message-digest mismatch)', async () => {
    const env = reseal(await sealSigned('p256'), cek, (p) => {
      const at = p.indexOf(Buffer.from('inner application'));
      p[at] ^= 0x20;
      return p;
    });
    await expect(open(env, { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.signatureInvalid });
  });

  for (const kind of ['ed25519', 'p256', 'rsa'] as const) {
    it(`${kind}: a flipped bit in the signature value gives CMS_SIGNATURE_INVALID`, async () => {
      const env = reseal(await sealSigned(kind), cek, (p) => {
        p[p.length - 10] ^= 0x01; // inside the signature OCTET STRING, the last field
        return p;
      });
      await expect(open(env, { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.signatureInvalid });
    });
  }

  it('a signed attribute altered after signing: CMS_SIGNATURE_INVALID', async () => {
    const when = new Date('2026-03-04T05:06:07Z');
    const env = reseal(
      await sealToBytes(msg, { recipients: [pki.ids.p256.certificate], contentEncryptionKey: cek, signer: { certificate: pki.ids.ed25519.certificate, privateKey: pki.ids.ed25519.privateKey, signingTime: when } }),
      cek,
      (p) => {
        const at = p.indexOf(Buffer.from('260304050607Z'));
        p[at + 1] = 0x37; // 2026 -> 2027
        return p;
      },
    );
    await expect(open(env, { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.signatureInvalid });
  });
});

describe('certificate policy on the signer (RFC 8550 §4.4.2, RFC 5280 §4.2.1.3)', () => {
  it('a signer certificate whose keyUsage forbids signing is CMS_UNTRUSTED', async () => {
    const { privateKey } = generateKeyPair('p256');
    const cert = createCertificate({ subject: { commonName: 'agree-only' }, publicKey: privateKey, signingKey: pki.ca.privateKey, issuer: { certificate: pki.ca.certificate }, keyUsage: ['keyAgreement'] });
    const env = await sealToBytes(msg, { recipients: [pki.ids.p256.certificate], signer: { certificate: cert, privateKey } });
    await expect(open(env, { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.untrusted });
  });

  it('an "issuer" that is not a CA does not complete the chain', async () => {
    const notCa = pki.ids.p256; // an end-entity certificate
    const { privateKey } = generateKeyPair('ed25519');
    const cert = createCertificate({ subject: { commonName: 'under an end entity' }, publicKey: privateKey, signingKey: notCa.privateKey, issuer: { certificate: notCa.certificate } });
    const env = await sealToBytes(msg, { recipients: [pki.ids.p256.certificate], signer: { certificate: cert, privateKey, chain: [notCa.certificate] } });
    await expect(open(env, { privateKey: pki.ids.p256.privateKey, trustAnchors: [pki.ca.certificate] })).rejects.toMatchObject({ code: CmsErrorCode.untrusted });
  });
});
