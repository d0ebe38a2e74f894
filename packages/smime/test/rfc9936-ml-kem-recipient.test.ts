/**
 * ML-KEM recipients (RFC 9936) in KEMRecipientInfo (RFC 9629), carried as ori in
 * AuthEnvelopedData: the example of RFC 9936 Appendix C opened with every intermediate value
 * recomputed; our own envelopes for ML-KEM-512/768/1024, sealed and opened as a stream; the
 * private key in each RFC 9935 form; refusals of a wrong KEM ciphertext, a wrong kekLength, a key
 * wrap weaker than the KEM, and an unknown KDF.
 *
 * No `openssl cms` cross-check here: OpenSSL 3.0, the version Debian 12 ships, has no ML-KEM
 * (it arrived in OpenSSL 3.5), so it can neither write nor read these envelopes. The independent
 * check is the RFC's example, made by another implementation (CryptoNext's OpenSSL build).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createCertificateAuthority,
  createKemIdentity,
  isCmsError,
  loadMlKemPrivateKey,
  MlKemPrivateKey,
  open,
  openCore,
  pemDecodeAll,
  seal,
  sealToBytes,
  type MlKemAlgorithm,
} from '@trustnoone/smime';
import { aesKeyUnwrap } from '../src/crypto/key-wrap.js';
import { kemKek, kemOtherInfo } from '../src/cms/recipients/kem.js';
import { OID } from '../src/oids.js';

const dir = new URL('../../../vectors/cms/rfc9936/', import.meta.url);
const text = (name: string): string => readFileSync(new URL(name, dir), 'utf8');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const rfc = JSON.parse(text('intermediate.json')) as Record<string, string>;
const exampleDer = pemDecodeAll(text('example.pem'))[0]!.der;

describe('RFC 9936 Appendix C: the ML-KEM-512 AuthEnvelopedData example', () => {
  const key = loadMlKemPrivateKey(text('bob-ml-kem-512.key'))!;

  it('Bob\'s private key (seed form) expands to the public key of the appendix, whose key identifier it prints', () => {
    expect(key).toBeInstanceOf(MlKemPrivateKey);
    expect(key.algorithm).toBe('ml-kem-512');
    expect(hex(key.seed!)).toBe(hex(Uint8Array.from({ length: 64 }, (_, i) => i)));
    const spki = pemDecodeAll(text('bob-ml-kem-512.pub'))[0]!.der;
    expect(hex(spki.subarray(spki.length - 800)), 'public key').toBe(hex(key.publicKey));
    expect(createHash('sha1').update(key.publicKey).digest('hex').toUpperCase(), 'recipientKeyIdentifier').toBe(rfc.recipientKeyIdentifier);
  });

  it('recomputes each intermediate value: shared secret, CMSORIforKEMOtherInfo, KEK, CEK', () => {
    const kemct = Buffer.from(rfc.kemCiphertext!, 'hex');
    expect(hex(exampleDer.subarray(95, 95 + 768)), 'kemct in the message').toBe(rfc.kemCiphertext);
    const ss = key.parameters.kem.decapsulate(kemct, key.decapsulationKey);
    expect(hex(ss), 'sharedSecret').toBe(rfc.sharedSecret);
    const info = kemOtherInfo(OID.aes128Wrap, 16, undefined);
    expect(hex(info), 'cmsOriForKemOtherInfo').toBe(rfc.cmsOriForKemOtherInfo);
    const kek = kemKek('sha256', ss, info, 16);
    expect(hex(kek), 'keyEncryptionKey').toBe(rfc.keyEncryptionKey);
    expect(hex(aesKeyUnwrap(kek, Buffer.from(rfc.encryptedKey!, 'hex'))), 'contentEncryptionKey').toBe(rfc.contentEncryptionKey);
  });

  it('opens to "Hello, world!" through the public API, reporting the KEM recipient', async () => {
    for (const privateKey of [text('bob-ml-kem-512.key'), key, Buffer.from(key.toPkcs8('expanded')), key.toPem('both')]) {
      const result = await open(exampleDer, { privateKey });
      expect(new TextDecoder().decode(result.plaintext)).toBe(rfc.plaintext);
      expect(result.recipient).toMatchObject({ type: 'kemri', scheme: 'ml-kem-512-hkdf-sha256', identifier: { kind: 'subjectKeyIdentifier' } });
    }
  });
});

const ca = createCertificateAuthority({ commonName: 'PQ test CA' });
const identities = Object.fromEntries(
  (['ml-kem-512', 'ml-kem-768', 'ml-kem-1024'] as const).map((alg) => [alg, createKemIdentity({ commonName: `printer ${alg}`, algorithm: alg, ca, printerUuid: '6a0f1c3e-8b1e-4d2b-9b55-0f2b7c1e9a10' })]),
) as Record<MlKemAlgorithm, ReturnType<typeof createKemIdentity>>;

async function collect(stream: Readable): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return new Uint8Array(Buffer.concat(parts));
}

describe('ML-KEM recipients written and read (RFC 9936 §2.1 choices)', () => {
  for (const [alg, id] of Object.entries(identities)) {
    it(`${alg}: certificate carries the key (keyEncipherment), seal streams, open recovers the content`, async () => {
      expect(id.certificate.keyKind).toBe(alg);
      expect(id.certificate.keyUsage).toEqual(new Set([2]));
      const chunks = Array.from({ length: 40 }, (_, i) => new Uint8Array(50_000).fill(i));
      const sealed = await collect(seal(Readable.from(chunks), { recipients: [id.certificate] }));
      const parts: Uint8Array[] = [];
      const meta = await openCore(sealed, { privateKey: id.privateKey, certificate: id.certificate }, (c) => void parts.push(Uint8Array.from(c)));
      expect(Buffer.concat(parts).equals(Buffer.concat(chunks))).toBe(true);
      expect(meta.recipient).toMatchObject({ type: 'kemri', scheme: `${alg}-hkdf-sha256`, identifier: { kind: 'issuerAndSerialNumber' } });
    });
  }

  it('the private key round-trips through each PKCS#8 form; a "both" key whose halves disagree is refused', () => {
    const k = identities['ml-kem-768'].privateKey as MlKemPrivateKey;
    for (const form of ['seed', 'expanded', 'both'] as const) {
      const back = loadMlKemPrivateKey(k.toPkcs8(form))!;
      expect(hex(back.decapsulationKey), form).toBe(hex(k.decapsulationKey));
    }
    const other = MlKemPrivateKey.generate('ml-kem-768');
    const mixed = Buffer.from(k.toPkcs8('both'));
    const at = mixed.indexOf(Buffer.from(k.decapsulationKey));
    mixed.set(other.decapsulationKey, at);
    expect(() => loadMlKemPrivateKey(mixed)).toThrowError(expect.objectContaining({ code: 'CMS_BAD_KEY' }));
  });

  it('FIPS 203 §7.3/§7.2: an expanded-form key whose H(ek) or ek was altered, or whose ek is not reduced mod q, is refused when loaded (CMS_BAD_KEY)', () => {
    for (const alg of ['ml-kem-512', 'ml-kem-768', 'ml-kem-1024'] as const) {
      const k = MlKemPrivateKey.generate(alg);
      const dk = k.decapsulationKey; // dk_PKE ‖ ek ‖ H(ek) ‖ z
      const hAt = dk.length - 64;
      for (const [what, at] of [['H(ek)', hAt + 5], ['ek', hAt - 7]] as const) {
        const altered = Uint8Array.from(dk);
        altered[at]! ^= 0x01;
        const der = Buffer.from(k.toPkcs8('expanded'));
        der.set(altered, der.indexOf(Buffer.from(dk)));
        expect(() => loadMlKemPrivateKey(der), `${alg}: ${what} altered`).toThrowError(expect.objectContaining({ code: 'CMS_BAD_KEY' }));
      }
      // ek with its first coefficient 4095 (≥ q), H(ek) recomputed so the hash check passes.
      const unreduced = Uint8Array.from(dk);
      const ekAt = hAt - k.publicKey.length;
      unreduced[ekAt] = 0xff;
      unreduced[ekAt + 1]! |= 0x0f;
      unreduced.set(createHash('sha3-256').update(unreduced.subarray(ekAt, hAt)).digest(), hAt);
      const der = Buffer.from(k.toPkcs8('expanded'));
      der.set(unreduced, der.indexOf(Buffer.from(dk)));
      expect(() => loadMlKemPrivateKey(der), `${alg}: ek not reduced mod q (FIPS 203 §7.2)`).toThrowError(expect.objectContaining({ code: 'CMS_BAD_KEY' }));
      expect(hex(loadMlKemPrivateKey(k.toPkcs8('expanded'))!.decapsulationKey), `${alg}: intact`).toBe(hex(dk));
    }
  });

  it('an ML-KEM certificate has no node KeyObject and says so', () => {
    expect(() => identities['ml-kem-512'].certificate.publicKey).toThrowError(expect.objectContaining({ code: 'CMS_BAD_KEY' }));
  });
});

/** The sealed bytes with `from` replaced by `to` once, inside the KEMRecipientInfo. */
function patch(der: Uint8Array, from: string, to: string): Uint8Array {
  const buf = Buffer.from(der);
  const at = buf.indexOf(Buffer.from(from, 'hex'));
  expect(at, `pattern ${from}`).toBeGreaterThan(0);
  Buffer.from(to, 'hex').copy(buf, at);
  return new Uint8Array(buf);
}

async function refusal(der: Uint8Array, alg: MlKemAlgorithm): Promise<string> {
  try {
    await open(der, { privateKey: identities[alg].privateKey, certificate: identities[alg].certificate });
  } catch (err) {
    if (isCmsError(err)) return err.code;
    throw err;
  }
  return 'opened';
}

describe('ML-KEM recipients: what is refused', () => {
  const hkdf256 = '300d060b2a864886f70d010910031c';
  const kekLen32 = '020120';
  const aes256wrap = '300b060960864801650304012d';

  it('a wrong KEM ciphertext (one bit) cannot recover the key: CMS_DECRYPT_FAILED', async () => {
    const der = await sealToBytes(new Uint8Array(100), { recipients: [identities['ml-kem-768'].certificate] });
    const buf = Buffer.from(der);
    const ctAt = buf.indexOf(Buffer.from('04820440', 'hex')); // OCTET STRING of 1088 bytes: the ML-KEM-768 ciphertext
    expect(ctAt).toBeGreaterThan(0);
    buf[ctAt + 100]! ^= 0x01;
    expect(await refusal(buf, 'ml-kem-768')).toBe('CMS_DECRYPT_FAILED');
  });

  it('a kekLength that is not the key wrap size: CMS_MALFORMED', async () => {
    const der = await sealToBytes(new Uint8Array(100), { recipients: [identities['ml-kem-768'].certificate] });
    expect(await refusal(patch(der, hkdf256 + kekLen32, hkdf256 + '020118'), 'ml-kem-768')).toBe('CMS_MALFORMED');
  });

  it('AES-128 key wrap under ML-KEM-768 (kekLength 16 to match) is weaker than the KEM: CMS_ALGORITHM_REFUSED', async () => {
    const der = await sealToBytes(new Uint8Array(100), { recipients: [identities['ml-kem-768'].certificate] });
    const weaker = patch(patch(der, hkdf256 + kekLen32, hkdf256 + '020110'), aes256wrap, '300b0609608648016503040105');
    expect(await refusal(weaker, 'ml-kem-768')).toBe('CMS_ALGORITHM_REFUSED');
  });

  it('an unknown KDF (id-alg arc 3.31 in place of hkdf-with-sha256 3.28): CMS_UNSUPPORTED', async () => {
    const der = await sealToBytes(new Uint8Array(100), { recipients: [identities['ml-kem-512'].certificate] });
    expect(await refusal(patch(der, hkdf256, '300d060b2a864886f70d010910031f'), 'ml-kem-512')).toBe('CMS_UNSUPPORTED');
  });

  it('an envelope for another ML-KEM key is not ours: CMS_NO_MATCHING_RECIPIENT', async () => {
    const der = await sealToBytes(new Uint8Array(10), { recipients: [identities['ml-kem-768'].certificate] });
    const stranger = MlKemPrivateKey.generate('ml-kem-768');
    await expect(open(der, { privateKey: stranger, certificate: identities['ml-kem-768'].certificate })).rejects.toMatchObject({ code: 'CMS_DECRYPT_FAILED' });
    await expect(open(der, { privateKey: MlKemPrivateKey.generate('ml-kem-512') })).rejects.toMatchObject({ code: 'CMS_NO_MATCHING_RECIPIENT' });
  });
});
