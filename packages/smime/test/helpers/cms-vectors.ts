/**
 * The deterministic CMS vectors of vectors/cms/: every key, certificate, CEK, nonce, ephemeral key
 * and OAEP seed is fixed, so regenerating them must reproduce the files byte for byte.
 *
 * Fixed inputs and where they come from:
 * - CA and Ed25519 signer: RFC 8410 §10.3 Ed25519 example private key (signer) and a fixed seed (CA);
 *   certificates are signed with Ed25519, which is deterministic (RFC 8032 §5.1.6).
 * - X25519 recipient and ephemeral key: RFC 7748 §6.1 Bob's and Alice's private keys, so the
 *   shared secret Z is the RFC's published value.
 * - P-256 / P-384 recipients and ephemerals: fixed scalars below.
 * - RSA recipient: vectors/cms/keys/rsa-recipient.key, made once with
 *   `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`.
 * - ML-KEM-768 and composite ML-KEM-768 + X25519 recipients: fixed seeds below; encapsulation is
 *   made deterministic with a fixed 32-byte ML-KEM message (and X25519 ephemeral for the composite).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  certificateToPem,
  CompositeKemPrivateKey,
  createCertificate,
  loadPrivateKey,
  MlKemPrivateKey,
  privateKeyToPem,
  sealToBytes,
  type Certificate,
  type KemPrivateKey,
  type SealOptions,
} from '@trustnoone/smime';
import { ecPrivateKeyFromScalar, okpPrivateKeyFromSeed } from '../../src/crypto/raw-keys.js';
import type { KeyObject } from 'node:crypto';

export const vectorsDir = join(import.meta.dirname, '..', '..', '..', '..', 'vectors', 'cms');

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

export const fixed = {
  caSeed: hex('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'),
  signerSeed: hex('d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842'), // RFC 8410 §10.3
  x25519Recipient: hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'), // RFC 7748 §6.1 Bob
  x25519Ephemeral: hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'), // RFC 7748 §6.1 Alice
  x25519SharedSecret: '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742', // RFC 7748 §6.1 K
  p256Recipient: hex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721'),
  p256Ephemeral: hex('a4b1a7c1f1bd3e5a0f6f5e7a0e3d9b6c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f70'),
  p384Recipient: hex('6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5'),
  p384Ephemeral: hex('1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988'),
  cek256: hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'),
  cek128: hex('f0e0d0c0b0a090807060504030201000'),
  nonce: hex('cafebabefacedbaddecaf888'),
  cbcIv: hex('000102030405060708090a0b0c0d0e0f'),
  oaepSeed: hex('aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899'),
  mlKem768Seed: hex('7c9935a0b07694aa0c6d10e4db6b1add2fd81a25ccb148032dcd739936737f2d8626ed79d451140800e03b59b956f8210e556067407d13dc90fa9e8b872bfb8f'),
  compositeKey: hex('a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0' + '70076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
  kemRandomness: hex('147c03f7a5bebba406c8fae1874d7f13c80efe79a3a9a874cc09fe76f6997615' + '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'),
  notBefore: new Date('2026-01-01T00:00:00Z'),
  notAfter: new Date('2046-01-01T00:00:00Z'),
  signingTime: new Date('2026-11-22T00:00:00Z'),
  printerUuid: '7e6a1c3e-5b1e-4d2b-9b55-0f2b7c1e9a10',
  content: new TextEncoder().encode('TRUSTNOONE deterministic CMS vector: the inner application/ipp message would go here.\n'),
};

export interface VectorIdentity {
  readonly name: string;
  readonly certificate: Certificate;
  readonly privateKey: KeyObject;
}

export type VectorRecipient = 'p256' | 'p384' | 'rsa' | 'x25519' | 'ml-kem-768' | 'mlkem768-x25519';

export interface VectorSet {
  readonly identities: Record<'ca' | 'signer' | 'p256' | 'p384' | 'rsa' | 'x25519', VectorIdentity>;
  /** Post-quantum printers (no node KeyObject): ML-KEM-768 and composite ML-KEM-768 + X25519. */
  readonly kemIdentities: Record<'ml-kem-768' | 'mlkem768-x25519', { readonly certificate: Certificate; readonly privateKey: KemPrivateKey }>;
  /** file name → bytes, including PEM keys and certificates. */
  readonly files: Map<string, Uint8Array>;
  readonly envelopes: readonly { file: string; description: string; recipient: VectorRecipient; opensslCheck: boolean; signed: boolean }[];
}

export async function buildVectors(): Promise<VectorSet> {
  const caKey = okpPrivateKeyFromSeed('Ed25519', fixed.caSeed);
  const ca = createCertificate({
    subject: { commonName: 'trustnoone vector CA', organization: 'trustnoone' },
    publicKey: caKey,
    signingKey: caKey,
    isCA: true,
    notBefore: fixed.notBefore,
    notAfter: fixed.notAfter,
    serialNumber: hex('01'),
  });
  let serial = 0x10;
  const issue = (name: string, privateKey: KeyObject, extra: { uris?: string[] } = {}): VectorIdentity => ({
    name,
    privateKey,
    certificate: createCertificate({
      subject: { commonName: name, organization: 'trustnoone' },
      publicKey: privateKey,
      signingKey: caKey,
      issuer: { certificate: ca },
      notBefore: fixed.notBefore,
      notAfter: fixed.notAfter,
      serialNumber: Uint8Array.of(serial++),
      ...extra,
    }),
  });
  const printer = { uris: [`urn:uuid:${fixed.printerUuid}`] };
  const identities = {
    ca: { name: 'ca', certificate: ca, privateKey: caKey },
    signer: issue('signer-ed25519', okpPrivateKeyFromSeed('Ed25519', fixed.signerSeed)),
    p256: issue('printer-p256', await ecPrivateKeyFromScalar('p256', fixed.p256Recipient), printer),
    p384: issue('printer-p384', await ecPrivateKeyFromScalar('p384', fixed.p384Recipient), printer),
    rsa: issue('printer-rsa', loadPrivateKey(readFileSync(join(vectorsDir, 'keys', 'rsa-recipient.key'), 'utf8')), printer),
    x25519: issue('printer-x25519', okpPrivateKeyFromSeed('X25519', fixed.x25519Recipient), printer),
  };
  const issueKem = (name: string, privateKey: KemPrivateKey): { certificate: Certificate; privateKey: KemPrivateKey } => ({
    privateKey,
    certificate: createCertificate({
      subject: { commonName: name, organization: 'trustnoone' },
      publicKey: privateKey,
      signingKey: caKey,
      issuer: { certificate: ca },
      notBefore: fixed.notBefore,
      notAfter: fixed.notAfter,
      serialNumber: Uint8Array.of(serial++),
      ...printer,
    }),
  });
  const kemIdentities = {
    'ml-kem-768': issueKem('printer-ml-kem-768', MlKemPrivateKey.fromSeed('ml-kem-768', fixed.mlKem768Seed)),
    'mlkem768-x25519': issueKem('printer-mlkem768-x25519', CompositeKemPrivateKey.fromBytes('mlkem768-x25519', fixed.compositeKey)),
  };
  const files = new Map<string, Uint8Array>();
  for (const [k, id] of Object.entries(identities)) {
    files.set(`keys/${k}.crt`, new TextEncoder().encode(certificateToPem(id.certificate)));
    if (k !== 'rsa') files.set(`keys/${k}.key`, new TextEncoder().encode(privateKeyToPem(id.privateKey)));
  }
  for (const [k, id] of Object.entries(kemIdentities)) {
    files.set(`keys/${k}.crt`, new TextEncoder().encode(certificateToPem(id.certificate)));
    files.set(`keys/${k}.key`, new TextEncoder().encode(id.privateKey.toPem()));
  }
  const p256Ephemeral = await ecPrivateKeyFromScalar('p256', fixed.p256Ephemeral);
  const p384Ephemeral = await ecPrivateKeyFromScalar('p384', fixed.p384Ephemeral);
  const eph = {
    p256: () => p256Ephemeral,
    p384: () => p384Ephemeral,
    x25519: () => okpPrivateKeyFromSeed('X25519', fixed.x25519Ephemeral),
  };
  const base = { contentEncryptionKey: fixed.cek256, iv: fixed.nonce };
  const envelopes: VectorSet['envelopes'][number][] = [];
  const add = async (file: string, description: string, recipient: VectorRecipient, opensslCheck: boolean, options: SealOptions): Promise<void> => {
    files.set(file, await sealToBytes(fixed.content, options));
    envelopes.push({ file, description, recipient, opensslCheck, signed: options.signer !== undefined });
  };
  await add('auth-enveloped-p256-aes256gcm.der', 'AuthEnvelopedData, AES-256-GCM, ECDH P-256 X9.63-SHA-256 KDF, aes256-wrap, issuerAndSerialNumber', 'p256', true, {
    ...base,
    recipients: [{ certificate: identities.p256.certificate, ephemeralKey: eph.p256() }],
  });
  await add('auth-enveloped-p384-aes128gcm-keyid-ukm.der', 'AuthEnvelopedData, AES-128-GCM, ECDH P-384 X9.63-SHA-384 KDF with ukm, aes128-wrap, subjectKeyIdentifier', 'p384', true, {
    contentEncryptionKey: fixed.cek128,
    iv: fixed.nonce,
    cipher: 'aes-128-gcm',
    recipients: [{ certificate: identities.p384.certificate, ephemeralKey: eph.p384(), identifier: 'subjectKeyIdentifier', ukm: hex('0102030405060708') }],
  });
  await add('auth-enveloped-rsa-oaep-sha256.der', 'AuthEnvelopedData, AES-256-GCM, RSAES-OAEP SHA-256/MGF1-SHA-256 (fixed seed)', 'rsa', true, {
    ...base,
    recipients: [{ certificate: identities.rsa.certificate, oaepSeed: fixed.oaepSeed }],
  });
  await add('auth-enveloped-x25519.der', 'AuthEnvelopedData, AES-256-GCM, X25519 (RFC 8418) HKDF-SHA-256, aes256-wrap; keys from RFC 7748 §6.1', 'x25519', false, {
    ...base,
    recipients: [{ certificate: identities.x25519.certificate, ephemeralKey: eph.x25519() }],
  });
  await add('auth-enveloped-multi.der', 'AuthEnvelopedData, AES-256-GCM, three recipients: RSA-OAEP, ECDH P-256, X25519', 'p256', true, {
    ...base,
    recipients: [
      { certificate: identities.rsa.certificate, oaepSeed: fixed.oaepSeed },
      { certificate: identities.p256.certificate, ephemeralKey: eph.p256() },
      { certificate: identities.x25519.certificate, ephemeralKey: eph.x25519() },
    ],
  });
  await add('signed-ed25519-auth-enveloped-x25519.der', 'Ed25519 SignedData (RFC 8419, SHA-512, RFC 8410 example key) inside AuthEnvelopedData to X25519', 'x25519', false, {
    ...base,
    recipients: [{ certificate: identities.x25519.certificate, ephemeralKey: eph.x25519() }],
    signer: { certificate: identities.signer.certificate, privateKey: identities.signer.privateKey, signingTime: fixed.signingTime },
  });
  await add('signed-ed25519-auth-enveloped-p256.der', 'Ed25519 SignedData inside AuthEnvelopedData to P-256 (openssl decrypts; the SignedData is checked with noble)', 'p256', true, {
    ...base,
    recipients: [{ certificate: identities.p256.certificate, ephemeralKey: eph.p256() }],
    signer: { certificate: identities.signer.certificate, privateKey: identities.signer.privateKey, signingTime: fixed.signingTime },
  });
  await add('signed-ed25519-auth-enveloped-p256-authattrs.der', 'RFC 5083 §2.1 nesting: encrypted content type id-signedData with authAttrs (content-type) as GCM AAD, Ed25519 signer, to P-256', 'p256', false, {
    ...base,
    signedNesting: 'signedData',
    recipients: [{ certificate: identities.p256.certificate, ephemeralKey: eph.p256() }],
    signer: { certificate: identities.signer.certificate, privateKey: identities.signer.privateKey, signingTime: fixed.signingTime },
  });
  await add('enveloped-p256-aes256cbc.der', 'EnvelopedData, AES-256-CBC (written only on request), ECDH P-256', 'p256', true, {
    contentEncryptionKey: fixed.cek256,
    iv: fixed.cbcIv,
    cipher: 'aes-256-cbc',
    recipients: [{ certificate: identities.p256.certificate, ephemeralKey: eph.p256() }],
  });
  await add('auth-enveloped-ml-kem-768.der', 'AuthEnvelopedData, AES-256-GCM, KEMRecipientInfo (ori) ML-KEM-768, HKDF-SHA-256, aes256-wrap (RFC 9936); OpenSSL 3.0 has no ML-KEM', 'ml-kem-768', false, {
    ...base,
    recipients: [{ certificate: kemIdentities['ml-kem-768'].certificate, kemRandomness: fixed.kemRandomness.subarray(0, 32) }],
  });
  await add('signed-ed25519-auth-enveloped-mlkem768-x25519.der', 'Ed25519 SignedData inside AuthEnvelopedData to a composite ML-KEM-768 + X25519 KEMRecipientInfo (draft-ietf-lamps-pq-composite-kem-18, docs/decisions.md D13)', 'mlkem768-x25519', false, {
    ...base,
    recipients: [{ certificate: kemIdentities['mlkem768-x25519'].certificate, kemRandomness: fixed.kemRandomness }],
    signer: { certificate: identities.signer.certificate, privateKey: identities.signer.privateKey, signingTime: fixed.signingTime },
  });
  return { identities, kemIdentities, files, envelopes };
}
