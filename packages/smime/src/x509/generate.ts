/**
 * Key pairs and certificates for printers, clients and a test CA (RFC 5280 §4.1): v3 certificates
 * with basicConstraints, keyUsage fitting the key, subject/authority key identifiers and a
 * subjectAltName carrying the printer's `urn:uuid:` (docs/spec-notes.md §3, the "verified" trust level).
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  algorithmIdentifier,
  boolean,

  contextTag,
  integer,
  octetString,
  oid,
  sequence,
  tlv,
  time,
  bitString,
  nullValue,
} from '../asn1/der-writer.js';
import { CmsError, CmsErrorCode } from '../errors.js';
import { OID } from '../oids.js';
import { keyKindOf, parseCertificate, type Certificate } from './certificate.js';
import { KEMS, type KemAlgorithm } from '../crypto/kems.js';
import { MlKemPrivateKey } from './ml-kem-keys.js';
import { CompositeKemPrivateKey } from './composite-kem-keys.js';
import { isKemKey, type KemPrivateKey } from './keys.js';
import { encodeName, type NameAttributes } from './name.js';

export type KeyAlgorithm = 'p256' | 'p384' | 'rsa2048' | 'rsa3072' | 'rsa4096' | 'x25519' | 'ed25519';

export function generateKeyPair(algorithm: KeyAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (algorithm) {
    case 'p256':
      return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    case 'p384':
      return generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    case 'rsa2048':
    case 'rsa3072':
    case 'rsa4096':
      return generateKeyPairSync('rsa', { modulusLength: Number(algorithm.slice(3)) });
    case 'x25519':
      return generateKeyPairSync('x25519');
    case 'ed25519':
      return generateKeyPairSync('ed25519');
    default:
      throw new CmsError(CmsErrorCode.badOptions, `unknown key algorithm '${String(algorithm)}'`);
  }
}

export interface CertificateTemplate {
  readonly subject: NameAttributes;
  /** The subject's public key (or its private key, whose public half is used; ML-KEM keys too). */
  readonly publicKey: KeyObject | KemPrivateKey;
  /** The issuer; omitted for a self-signed certificate (then `signingKey` is the subject's key). */
  readonly issuer?: { readonly certificate: Certificate };
  /** The key that signs: the issuer's private key, or the subject's own for self-signed. */
  readonly signingKey: KeyObject;
  readonly isCA?: boolean;
  /** subjectAltName URIs, e.g. `urn:uuid:…` for a printer. */
  readonly uris?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly emails?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Validity in days from notBefore when notAfter is not given (default 825). */
  readonly validityDays?: number;
  /** keyUsage to state instead of the default for the key kind (RFC 5280 §4.2.1.3). */
  readonly keyUsage?: readonly (keyof typeof KU)[];
  /** Serial number magnitude bytes (default 16 random bytes). */
  readonly serialNumber?: Uint8Array;
}

// KeyUsage bits, RFC 5280 §4.2.1.3
const KU = { digitalSignature: 0, keyEncipherment: 2, keyAgreement: 4, keyCertSign: 5, cRLSign: 6 } as const;

function keyUsageBits(bits: readonly number[]): Uint8Array {
  const max = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(max / 8) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  // DER: unused bits are the trailing zero bits of the last octet (X.690 §11.2.2).
  const unused = 7 - (max & 7);
  return tlv(0x03, Uint8Array.of(unused), bytes);
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

function keyIdentifier(spki: Uint8Array): Uint8Array {
  // RFC 7093 §2 method 1: leftmost 160 bits of the SHA-256 of the subjectPublicKey BIT STRING content.
  return new Uint8Array(createHash('sha256').update(spki).digest().subarray(0, 20));
}

function signatureAlgorithmFor(key: KeyObject): { alg: Uint8Array; sign: (tbs: Uint8Array) => Uint8Array } {
  const kind = keyKindOf(key);
  switch (kind) {
    case 'ed25519':
      return { alg: algorithmIdentifier(OID.ed25519), sign: (d) => new Uint8Array(sign(null, d, key)) };
    case 'p256':
      return { alg: algorithmIdentifier(OID.ecdsaWithSha256), sign: (d) => new Uint8Array(sign('sha256', d, key)) };
    case 'p384':
      return { alg: algorithmIdentifier(OID.ecdsaWithSha384), sign: (d) => new Uint8Array(sign('sha384', d, key)) };
    case 'rsa':
      return { alg: algorithmIdentifier(OID.sha256WithRsa, nullValue()), sign: (d) => new Uint8Array(sign('sha256', d, key)) };
    default:
      throw new CmsError(CmsErrorCode.badOptions, `a ${kind} key cannot sign certificates`);
  }
}

export function createCertificate(t: CertificateTemplate): Certificate {
  let spki: Uint8Array;
  let kind: string;
  if (isKemKey(t.publicKey)) {
    // RFC 9935 §4 / composite draft §5.1: algorithm without parameters, the raw key as the BIT STRING.
    spki = sequence(algorithmIdentifier(KEMS[t.publicKey.algorithm].oid), bitString(t.publicKey.publicKey));
    kind = t.publicKey.algorithm;
  } else {
    const publicKey = t.publicKey.type === 'private' ? createPublicKey(t.publicKey) : t.publicKey;
    spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    kind = keyKindOf(publicKey);
  }
  const { alg, sign: signTbs } = signatureAlgorithmFor(t.signingKey);
  const subject = encodeName(t.subject);
  const issuerName = t.issuer ? t.issuer.certificate.subject : subject;
  const notBefore = t.notBefore ?? new Date(Date.now() - 5 * 60_000);
  const notAfter = t.notAfter ?? new Date(notBefore.getTime() + (t.validityDays ?? 825) * 86_400_000);
  const serial = t.serialNumber ?? (() => {
    const s = new Uint8Array(randomBytes(16));
    s[0]! &= 0x7f;
    s[0]! |= 0x01;
    return s;
  })();
  const ski = keyIdentifier(spki);
  const aki = t.issuer ? t.issuer.certificate.subjectKeyIdentifier : ski;
  const usage = t.keyUsage
    ? t.keyUsage.map((u) => KU[u])
    : t.isCA
    ? [KU.digitalSignature, KU.keyCertSign, KU.cRLSign]
    : kind === 'rsa'
      ? [KU.digitalSignature, KU.keyEncipherment]
      : kind === 'x25519'
        ? [KU.keyAgreement]
        : kind in KEMS
          ? [KU.keyEncipherment] // RFC 9935 §5, composite draft §5.2: keyEncipherment only
        : kind === 'ed25519'
          ? [KU.digitalSignature]
          : [KU.digitalSignature, KU.keyAgreement];
  const san = [
    ...(t.emails ?? []).map((e) => contextTag(1, false, new TextEncoder().encode(e))),
    ...(t.dnsNames ?? []).map((d) => contextTag(2, false, new TextEncoder().encode(d))),
    ...(t.uris ?? []).map((u) => contextTag(6, false, new TextEncoder().encode(u))),
  ];
  const extensions = [
    extension(OID.basicConstraints, true, t.isCA ? sequence(boolean(true)) : sequence()),
    extension(OID.keyUsage, true, keyUsageBits(usage)),
    extension(OID.subjectKeyIdentifier, false, octetString(ski)),
    ...(aki ? [extension(OID.authorityKeyIdentifier, false, sequence(contextTag(0, false, aki)))] : []),
    ...(san.length > 0 ? [extension(OID.subjectAltName, false, sequence(...san))] : []),
  ];
  const tbs = sequence(
    contextTag(0, true, integer(2)),
    integer(serial),
    alg,
    issuerName,
    sequence(time(notBefore), time(notAfter)),
    subject,
    spki,
    contextTag(3, true, sequence(...extensions)),
  );
  const der = sequence(tbs, alg, bitString(signTbs(tbs)));
  return parseCertificate(der);
}

export interface Identity {
  readonly certificate: Certificate;
  readonly privateKey: KeyObject;
}

/** A self-signed CA for tests and small sites (Ed25519, P-256, P-384 or RSA). */
export function createCertificateAuthority(options: { commonName: string; organization?: string; algorithm?: KeyAlgorithm; validityDays?: number }): Identity {
  const { privateKey } = generateKeyPair(options.algorithm ?? 'p256');
  const certificate = createCertificate({
    subject: { commonName: options.commonName, ...(options.organization ? { organization: options.organization } : {}) },
    publicKey: privateKey,
    signingKey: privateKey,
    isCA: true,
    validityDays: options.validityDays ?? 3650,
  });
  return { certificate, privateKey };
}

/**
 * A printer or client identity: key pair + certificate, issued by `ca` or self-signed. A printer
 * passes its `printer-uuid` so the certificate names it (`urn:uuid:` in subjectAltName).
 * X25519 keys cannot sign, so an X25519 identity needs a CA.
 */
export function createIdentity(options: {
  commonName: string;
  organization?: string;
  algorithm?: KeyAlgorithm;
  ca?: Identity;
  printerUuid?: string;
  emails?: readonly string[];
  dnsNames?: readonly string[];
  validityDays?: number;
}): Identity {
  const algorithm = options.algorithm ?? 'p256';
  const { privateKey } = generateKeyPair(algorithm);
  if (!options.ca && algorithm === 'x25519') throw new CmsError(CmsErrorCode.badOptions, 'an X25519 key cannot sign its own certificate; give a CA');
  const certificate = createCertificate({
    subject: { commonName: options.commonName, ...(options.organization ? { organization: options.organization } : {}) },
    publicKey: privateKey,
    signingKey: options.ca ? options.ca.privateKey : privateKey,
    ...(options.ca ? { issuer: { certificate: options.ca.certificate } } : {}),
    ...(options.printerUuid ? { uris: [`urn:uuid:${options.printerUuid.toLowerCase()}`] } : {}),
    ...(options.emails ? { emails: options.emails } : {}),
    ...(options.dnsNames ? { dnsNames: options.dnsNames } : {}),
    ...(options.validityDays ? { validityDays: options.validityDays } : {}),
  });
  return { certificate, privateKey };
}


/**
 * A KEM identity (ML-KEM or composite ML-KEM + X25519): key pair + certificate, which a CA must
 * issue since a KEM key cannot sign.
 */
export function createKemIdentity(options: {
  commonName: string;
  organization?: string;
  algorithm: KemAlgorithm;
  ca: Identity;
  printerUuid?: string;
  emails?: readonly string[];
  validityDays?: number;
  /** Deterministic vectors only: the serialized private key (ML-KEM seed, or seed ‖ X25519 key). */
  seed?: Uint8Array;
}): { certificate: Certificate; privateKey: KemPrivateKey } {
  const alg = options.algorithm;
  const privateKey: KemPrivateKey =
    alg === 'mlkem768-x25519'
      ? options.seed ? CompositeKemPrivateKey.fromBytes(alg, options.seed) : CompositeKemPrivateKey.generate(alg)
      : options.seed ? MlKemPrivateKey.fromSeed(alg, options.seed) : MlKemPrivateKey.generate(alg);
  const certificate = createCertificate({
    subject: { commonName: options.commonName, ...(options.organization ? { organization: options.organization } : {}) },
    publicKey: privateKey,
    signingKey: options.ca.privateKey,
    issuer: { certificate: options.ca.certificate },
    ...(options.printerUuid ? { uris: [`urn:uuid:${options.printerUuid.toLowerCase()}`] } : {}),
    ...(options.emails ? { emails: options.emails } : {}),
    ...(options.validityDays ? { validityDays: options.validityDays } : {}),
  });
  return { certificate, privateKey };
}
