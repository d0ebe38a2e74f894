// ML-DSA signatures in SignedData (RFC 9882, keys and certificates per RFC 9881), inside the
// envelope (sign-then-encrypt): ML-DSA-44/65/87 round trips with certificates issued by an ECDSA
// CA and by an ML-DSA CA; tampered content, a wrong key, parameters on the signature algorithm and
// a too-weak digest all refused with typed CmsErrors.
//
// No openssl interop: Debian 12's OpenSSL 3.0 has no ML-DSA (it arrived in OpenSSL 3.5), so
// `openssl cms -verify` cannot check these messages. The RFC 9882 ML-DSA-44 example (vectors/cms/
// rfc9882/, provenance in vectors/cms/README.md) is verified inside an envelope.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CmsErrorCode,
  createCertificate,
  createMlDsaIdentity,
  loadSigningKey,
  MlDsaPrivateKey,
  OID,
  open,
  parseCertificate,
  pemDecodeAll,
  sealToBytes,
  type MlDsaAlgorithm,
  type MlDsaIdentity,
} from '@trustnoone/smime';
import { createTestPki, type TestPki } from './helpers/pki.js';
import { reseal } from './helpers/reseal.js';

let pki: TestPki;
let mlDsaCa: MlDsaIdentity;
beforeAll(() => {
  pki = createTestPki();
  mlDsaCa = createMlDsaIdentity({ commonName: 'trustnoone ML-DSA CA', algorithm: 'ml-dsa-87', isCA: true });
});
const msg = Buffer.from('inner application/ipp request bytes'.repeat(100));
const sets = ['ml-dsa-44', 'ml-dsa-65', 'ml-dsa-87'] as const;
const SIG_OID_BYTES: Record<MlDsaAlgorithm, number> = { 'ml-dsa-44': 0x11, 'ml-dsa-65': 0x12, 'ml-dsa-87': 0x13 };

describe('RFC 9882 §3: ML-DSA SignerInfo, sign-then-encrypt round trips', () => {
  for (const alg of sets) {
    it(`${alg} signer issued by an ECDSA CA: verified, SHA-512 digest, chain to the CA`, async () => {
      const signer = createMlDsaIdentity({ commonName: alg, algorithm: alg, ca: pki.ca });
      const env = await sealToBytes(msg, { recipients: [pki.ids.x25519.certificate], signer: { certificate: signer.certificate, privateKey: signer.privateKey } });
      const res = await open(env, { privateKey: pki.ids.x25519.privateKey, trustAnchors: [pki.ca.certificate], requireSignature: true });
      expect(Buffer.from(res.plaintext).equals(msg), alg).toBe(true);
      expect(res.signer?.signatureAlgorithm, alg).toBe(alg);
      expect(res.signer?.digestAlgorithm, alg).toBe('sha512');
      expect(res.signer?.trust, alg).toBe('verified');
      expect(res.contentType).toBe(OID.data);
    });
  }

  it('ML-DSA-65 signer issued by an ML-DSA-87 CA, key given as RFC 9881 seed-form PKCS#8 PEM', async () => {
    const signer = createMlDsaIdentity({ commonName: 'alice', algorithm: 'ml-dsa-65', ca: mlDsaCa });
    const pem = signer.privateKey.toPem();
    expect(loadSigningKey(pem)).toBeInstanceOf(MlDsaPrivateKey);
    const env = await sealToBytes(msg, { recipients: [pki.ids.p256.certificate], signer: { certificate: signer.certificate, privateKey: pem } });
    const res = await open(env, { privateKey: pki.ids.p256.privateKey, trustAnchors: [mlDsaCa.certificate], requireSignature: true });
    expect(res.signer?.trust).toBe('verified');
    expect(res.signer?.chain.map((c) => c.subjectText)).toEqual(['CN=alice', 'CN=trustnoone ML-DSA CA']);
    // The same message does not chain to an unrelated anchor.
    await expect(open(env, { privateKey: pki.ids.p256.privateKey, trustAnchors: [pki.ca.certificate] })).rejects.toMatchObject({ code: CmsErrorCode.untrusted });
  });

  it('RFC 9881 §6: the seed, expanded and both private key forms load to the same key', () => {
    const k = MlDsaPrivateKey.generate('ml-dsa-44');
    for (const form of ['seed', 'expanded', 'both'] as const) {
      const back = loadSigningKey(k.toPem(form)) as MlDsaPrivateKey;
      expect(Buffer.from(back.publicKey).equals(k.publicKey), form).toBe(true);
    }
  });

  it('RFC 9881 §6: a "both" key whose expanded half is another key\'s is refused (CMS_BAD_KEY)', () => {
    const k = MlDsaPrivateKey.generate('ml-dsa-44');
    const other = MlDsaPrivateKey.generate('ml-dsa-44');
    const mixed = Buffer.from(k.toPkcs8('both'));
    mixed.set(other.signingKey, mixed.indexOf(Buffer.from(k.signingKey)));
    expect(() => loadSigningKey(mixed)).toThrowError(expect.objectContaining({ code: 'CMS_BAD_KEY' }));
  });

  it('a key that does not belong to the certificate is refused before signing (CMS_BAD_OPTIONS)', async () => {
    const signer = createMlDsaIdentity({ commonName: 'bob', algorithm: 'ml-dsa-65', ca: pki.ca });
    const other = MlDsaPrivateKey.generate('ml-dsa-65');
    await expect(sealToBytes(msg, { recipients: [pki.ids.p256.certificate], signer: { certificate: signer.certificate, privateKey: other } })).rejects.toMatchObject({ code: CmsErrorCode.badOptions });
  });

  it('RFC 9882 §3: a digest weaker than the parameter set is refused when signing (CMS_BAD_OPTIONS)', async () => {
    const signer = createMlDsaIdentity({ commonName: 'carol', algorithm: 'ml-dsa-87', ca: pki.ca });
    await expect(sealToBytes(msg, { recipients: [pki.ids.p256.certificate], signer: { certificate: signer.certificate, privateKey: signer.privateKey, digest: 'sha256' } })).rejects.toMatchObject({ code: CmsErrorCode.badOptions });
  });
});

describe('RFC 9882 §3: behind a valid tag, the ML-DSA signature itself is checked', () => {
  const cek = new Uint8Array(32).fill(7);
  const sealSigned = (signer: MlDsaIdentity, digest?: 'sha256' | 'sha384' | 'sha512'): Promise<Uint8Array> =>
    sealToBytes(msg, { recipients: [pki.ids.p256.certificate], contentEncryptionKey: cek, signer: { certificate: signer.certificate, privateKey: signer.privateKey, ...(digest ? { digest } : {}) } });

  it('altered content: CMS_SIGNATURE_INVALID', async () => {
    const signer = createMlDsaIdentity({ commonName: 'dave', algorithm: 'ml-dsa-65', ca: pki.ca });
    const env = reseal(await sealSigned(signer), cek, (p) => {
      p[p.indexOf(Buffer.from('inner application'))] ^= 0x20;
      return p;
    });
    await expect(open(env, { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.signatureInvalid });
  });

  for (const alg of sets) {
    it(`${alg}: a flipped bit in the signature value gives CMS_SIGNATURE_INVALID`, async () => {
      const signer = createMlDsaIdentity({ commonName: 'erin', algorithm: alg, ca: pki.ca });
      const env = reseal(await sealSigned(signer), cek, (p) => {
        p[p.length - 100] ^= 0x01; // inside the signature OCTET STRING, the last field
        return p;
      });
      await expect(open(env, { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.signatureInvalid });
    });
  }

  it('wrong key: the certificate in the message names another ML-DSA key: CMS_SIGNATURE_INVALID', async () => {
    // Two certificates with the same issuer, serial and subject but different keys; an ML-DSA CA
    // makes both the same length, so one can replace the other inside the signed message.
    const serialNumber = Uint8Array.of(0x01, 0x02, 0x03, 0x04);
    const issue = (key: MlDsaPrivateKey) =>
      createCertificate({ subject: { commonName: 'frank' }, publicKey: key, signingKey: mlDsaCa.privateKey, issuer: { certificate: mlDsaCa.certificate }, serialNumber, notBefore: new Date('2026-01-01T00:00:00Z'), validityDays: 825 });
    const realKey = MlDsaPrivateKey.generate('ml-dsa-65');
    const impostorKey = MlDsaPrivateKey.generate('ml-dsa-65');
    const real = issue(realKey);
    const impostor = { certificate: issue(impostorKey), privateKey: impostorKey };
    expect(real.der.length).toBe(impostor.certificate.der.length);
    const env = reseal(await sealSigned(impostor), cek, (p) => {
      const at = p.indexOf(Buffer.from(impostor.certificate.der));
      expect(at).toBeGreaterThan(0);
      Buffer.from(real.der).copy(p, at);
      return p;
    });
    await expect(open(env, { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.signatureInvalid, message: expect.stringContaining('ml-dsa-65 signature does not verify') as string });
  });

  it('an ML-DSA signature algorithm with a parameters field is refused (CMS_UNSUPPORTED)', async () => {
    const signer = createMlDsaIdentity({ commonName: 'grace', algorithm: 'ml-dsa-44', ca: pki.ca });
    const env = reseal(await sealSigned(signer), cek, (p) => addNullParameters(p, 'ml-dsa-44'));
    await expect(open(env, { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.unsupported });
  });

  it('a SignerInfo whose digest is weaker than the set is refused (CMS_ALGORITHM_REFUSED)', async () => {
    // SHA-256 is fine with ML-DSA-44; an ML-DSA-87 message relabelled from SHA-512 to SHA-256 is not.
    const signer = createMlDsaIdentity({ commonName: 'heidi', algorithm: 'ml-dsa-44', ca: pki.ca });
    const ok = await open(await sealSigned(signer, 'sha256'), { privateKey: pki.ids.p256.privateKey });
    expect(ok.signer?.digestAlgorithm).toBe('sha256');
    const strong = createMlDsaIdentity({ commonName: 'ivan', algorithm: 'ml-dsa-87', ca: pki.ca });
    const env = reseal(await sealSigned(strong), cek, (p) => relabelDigest(p));
    await expect(open(env, { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: CmsErrorCode.algorithmRefused });
  });
});

describe('RFC 9882 example: the ML-DSA-44 SignedData with signed attributes', () => {
  const dir = new URL('../../../vectors/cms/rfc9882/', import.meta.url);
  const example = pemDecodeAll(readFileSync(new URL('mldsa44-signed-attrs.pem', dir), 'utf8'))[0]!.der;
  const certDer = pemDecodeAll(readFileSync(new URL('ML-DSA-44.crt', dir), 'utf8'))[0]!.der;
  // The example's signer certificate is a CA (keyUsage keyCertSign | cRLSign: 03 02 01 06). A copy
  // stating digitalSignature (03 02 07 80) carries the same key; its own signature no longer
  // matches, which does not matter without trust anchors (trust 'unchecked').
  const keyUsage = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x0f, 0x01, 0x01, 0xff, 0x04, 0x04, 0x03, 0x02, 0x01, 0x06]);
  const signingCopy = (): Uint8Array => {
    const b = Buffer.from(certDer);
    const at = b.indexOf(keyUsage);
    expect(at, 'rfc9882 example: keyUsage extension').toBeGreaterThan(0);
    b.set([0x07, 0x80], at + keyUsage.length - 2);
    return b;
  };
  const sealed = (content: Uint8Array) => sealToBytes(content, { recipients: [pki.ids.p256.certificate] });

  it('verifies under the example certificate\'s ML-DSA-44 key, content and digest as printed', async () => {
    const res = await open(await sealed(example), { privateKey: pki.ids.p256.privateKey, signerCertificates: [signingCopy()], requireSignature: true });
    expect(Buffer.from(res.plaintext).toString(), 'rfc9882 example content').toBe('ML-DSA-44 signed-data example with signed attributes');
    expect(res.signer?.signatureAlgorithm, 'rfc9882 example').toBe('ml-dsa-44');
    expect(res.signer?.digestAlgorithm, 'rfc9882 example').toBe('sha512');
    expect(res.signer?.subject, 'rfc9882 example').toBe(parseCertificate(certDer).subjectText);
  });

  it('one changed signature byte: CMS_SIGNATURE_INVALID (the digest still matches)', async () => {
    const altered = Buffer.from(example);
    altered[altered.length - 1000] ^= 0x01; // inside the 2420-byte signature, the last field
    await expect(open(await sealed(altered), { privateKey: pki.ids.p256.privateKey, signerCertificates: [signingCopy()] })).rejects.toMatchObject({
      code: CmsErrorCode.signatureInvalid,
      message: expect.stringContaining('ml-dsa-44 signature does not verify') as string,
    });
  });

  it('one changed content byte: CMS_SIGNATURE_INVALID; the unaltered CA certificate: CMS_UNTRUSTED (keyUsage)', async () => {
    const altered = Buffer.from(example);
    altered[altered.indexOf(Buffer.from('ML-DSA-44 signed-data'))] ^= 0x01;
    await expect(open(await sealed(altered), { privateKey: pki.ids.p256.privateKey, signerCertificates: [signingCopy()] })).rejects.toMatchObject({ code: CmsErrorCode.signatureInvalid });
    await expect(open(await sealed(example), { privateKey: pki.ids.p256.privateKey, signerCertificates: [certDer] })).rejects.toMatchObject({ code: CmsErrorCode.untrusted });
  });
});

/**
 * Inserts NULL parameters (05 00) into the SignerInfo's signatureAlgorithm, fixing the lengths of
 * the SignerInfo and the signerInfos SET (both long-form 0x82, since ML-DSA signatures are large).
 */
function addNullParameters(p: Buffer, alg: MlDsaAlgorithm): Buffer {
  const sigAlg = Buffer.from([0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, SIG_OID_BYTES[alg]]);
  const at = p.lastIndexOf(sigAlg);
  let set = -1;
  for (let i = at; i >= 0; i--) {
    if (p[i] === 0x31 && p[i + 1] === 0x82 && p[i + 4] === 0x30 && p[i + 5] === 0x82 && p[i + 8] === 0x02 && p[i + 9] === 0x01) {
      set = i;
      break;
    }
  }
  expect(at).toBeGreaterThan(0);
  expect(set).toBeGreaterThan(0);
  const out = Buffer.concat([p.subarray(0, at), Buffer.from([0x30, 0x0d]), sigAlg.subarray(2), Buffer.from([0x05, 0x00]), p.subarray(at + sigAlg.length)]);
  out.writeUInt16BE(out.readUInt16BE(set + 2) + 2, set + 2);
  out.writeUInt16BE(out.readUInt16BE(set + 6) + 2, set + 6);
  return out;
}

/** Replaces every id-sha512 AlgorithmIdentifier with id-sha256 (same length): digestAlgorithms and the SignerInfo's. */
function relabelDigest(p: Buffer): Buffer {
  const sha512 = Buffer.from([0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03]);
  for (let at = p.indexOf(sha512); at >= 0; at = p.indexOf(sha512, at + 1)) p[at + 10] = 0x01;
  return p;
}
