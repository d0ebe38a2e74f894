/**
 * X.509 certificates (RFC 5280 §4.1): the fields CMS needs (issuer and serial, subject key
 * identifier, public key), the printer's `urn:uuid:` from subjectAltName, and the SHA-256
 * fingerprint used for pinning (docs/spec-notes.md §3).
 */
import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import {
  decodeBer,
  expectTag,
  isContext,
  readAlgorithmIdentifier,
  readBitString,
  readOctets,
  readOid,
  readTime,
  sequenceChildren,
  type AlgorithmIdentifier,
  type Asn1Node,
} from '../asn1/ber-reader.js';
import { CmsError, CmsErrorCode, isCmsError } from '../errors.js';
import { kemByOid, type KemAlgorithm } from '../crypto/kems.js';
import { OID } from '../oids.js';
import { formatName } from './name.js';
import { pemDecodeAll, pemEncode } from './pem.js';

/** The public-key kinds this package can encrypt to or verify with. */
export type KeyKind = 'rsa' | 'rsa-pss' | 'p256' | 'p384' | 'p521' | 'x25519' | 'ed25519' | KemAlgorithm | 'other';

export interface Certificate {
  readonly der: Uint8Array;
  /** The DER TBSCertificate, the signed part. */
  readonly tbs: Uint8Array;
  /** Content octets of the serialNumber INTEGER, as encoded (compared byte for byte). */
  readonly serialNumber: Uint8Array;
  /** DER of the issuer and subject Names. */
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly issuerText: string;
  readonly subjectText: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /**
   * The public key as a node KeyObject. Node 20 has no ML-KEM: reading this on an ML-KEM
   * certificate throws CMS_BAD_KEY; use `kemPublicKey` there.
   */
  readonly publicKey: KeyObject;
  /** The raw KEM public key (RFC 9935 ML-KEM, or composite), for a KEM certificate only. */
  readonly kemPublicKey?: Uint8Array;
  readonly keyKind: KeyKind;
  readonly subjectKeyIdentifier: Uint8Array | undefined;
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  /** uniformResourceIdentifier entries of subjectAltName, e.g. `urn:uuid:...`. */
  readonly uris: readonly string[];
  readonly isCA: boolean;
  /** keyUsage bits (RFC 5280 §4.2.1.3; bit 0 = digitalSignature), undefined when absent. */
  readonly keyUsage: ReadonlySet<number> | undefined;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly signature: Uint8Array;
  /** Lowercase hex SHA-256 of the DER certificate. */
  readonly fingerprint: string;
}

/** A certificate given as PEM text, DER bytes (or PEM bytes), or already parsed. */
export type CertificateInput = string | Uint8Array | Certificate;

const MAX_CERT_SIZE = 64 * 1024;

export function parseCertificate(input: CertificateInput): Certificate {
  if (typeof input === 'object' && !(input instanceof Uint8Array)) return input;
  const der = toDer(input);
  if (der.length > MAX_CERT_SIZE) throw new CmsError(CmsErrorCode.limitExceeded, `certificate larger than ${MAX_CERT_SIZE} bytes`);
  try {
    return decodeCertificate(der);
  } catch (err) {
    if (isCmsError(err) && err.code !== CmsErrorCode.malformed) throw err;
    throw new CmsError(CmsErrorCode.badKey, `not an X.509 certificate: ${(err as Error).message}`, { cause: err });
  }
}

/** Every certificate in a PEM bundle (or the one DER certificate given). */
export function parseCertificates(input: string | Uint8Array): Certificate[] {
  if (typeof input !== 'string' && input[0] === 0x30) return [parseCertificate(input)];
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  const blocks = pemDecodeAll(text).filter((b) => b.label === 'CERTIFICATE');
  if (blocks.length === 0) throw new CmsError(CmsErrorCode.badKey, 'no CERTIFICATE block in the PEM text');
  return blocks.map((b) => parseCertificate(b.der));
}

export function certificateToPem(cert: Certificate): string {
  return pemEncode('CERTIFICATE', cert.der);
}

function toDer(input: string | Uint8Array): Uint8Array {
  if (typeof input !== 'string' && input[0] === 0x30) return input;
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  const block = pemDecodeAll(text).find((b) => b.label === 'CERTIFICATE');
  if (!block) throw new CmsError(CmsErrorCode.badKey, 'expected a PEM CERTIFICATE block or DER certificate');
  return block.der;
}

function decodeCertificate(der: Uint8Array): Certificate {
  const root = decodeBer(der);
  const [tbsNode, sigAlgNode, sigNode] = sequenceChildren(root, 'Certificate');
  const tbs = sequenceChildren(tbsNode, 'TBSCertificate');
  let i = 0;
  if (isContext(tbs[0], 0)) i++; // [0] EXPLICIT version
  const serial = expectTag(tbs[i++], 0, 0x02, 'serialNumber');
  i++; // signature AlgorithmIdentifier (checked equal to the outer one by verifiers)
  const issuer = tbs[i++]!;
  const validity = sequenceChildren(tbs[i++], 'Validity');
  const subject = tbs[i++]!;
  const spkiNode = tbs[i++];
  sequenceChildren(spkiNode, 'SubjectPublicKeyInfo');
  let extensions: readonly Asn1Node[] = [];
  for (; i < tbs.length; i++) {
    if (isContext(tbs[i], 3)) extensions = sequenceChildren(tbs[i]!.children[0], 'Extensions');
  }
  let ski: Uint8Array | undefined;
  let aki: Uint8Array | undefined;
  const uris: string[] = [];
  let isCA = false;
  let keyUsage: Set<number> | undefined;
  for (const ext of extensions) {
    const f = sequenceChildren(ext, 'Extension');
    const id = readOid(f[0], 'extnID');
    const value = readOctets(f[f.length - 1], 'extnValue');
    if (id === OID.subjectKeyIdentifier) ski = readOctets(decodeBer(value), 'SubjectKeyIdentifier');
    else if (id === OID.authorityKeyIdentifier) {
      const k = sequenceChildren(decodeBer(value), 'AuthorityKeyIdentifier').find((n) => isContext(n, 0));
      if (k) aki = k.content;
    } else if (id === OID.subjectAltName) {
      for (const gn of sequenceChildren(decodeBer(value), 'GeneralNames')) {
        // GeneralName uniformResourceIdentifier [6] IMPLICIT IA5String
        if (isContext(gn, 6) && !gn.constructed) uris.push(new TextDecoder().decode(gn.content));
      }
    } else if (id === OID.keyUsage) {
      const bits = readBitStringBits(decodeBer(value));
      keyUsage = new Set();
      for (let i = 0; i < bits.length * 8; i++) if (bits[i >> 3]! & (0x80 >> (i & 7))) keyUsage.add(i);
    } else if (id === OID.basicConstraints) {
      const bc = sequenceChildren(decodeBer(value), 'BasicConstraints');
      isCA = bc[0] !== undefined && bc[0].tagClass === 0 && bc[0].tag === 0x01 && bc[0].content[0] !== 0;
    }
  }
  const [spkiAlg, spkiKey] = sequenceChildren(spkiNode, 'SubjectPublicKeyInfo');
  const kem = kemByOid(readAlgorithmIdentifier(spkiAlg, 'subjectPublicKeyInfo.algorithm').algorithm);
  let publicKey: KeyObject | undefined;
  let kemPublicKey: Uint8Array | undefined;
  if (kem) {
    // RFC 9935 §4 and the composite draft §5.1: the raw key of the algorithm's size.
    kemPublicKey = readBitString(spkiKey, 'subjectPublicKey');
    if (kemPublicKey.length !== kem.publicKeyLength) throw new CmsError(CmsErrorCode.badKey, `${kem.name} public key of ${kemPublicKey.length} bytes (expected ${kem.publicKeyLength})`);
  } else {
    try {
      publicKey = createPublicKey({ key: Buffer.from(spkiNode!.bytes), format: 'der', type: 'spki' });
    } catch (err) {
      throw new CmsError(CmsErrorCode.badKey, 'certificate public key is not usable', { cause: err });
    }
  }
  const cert = {
    der,
    tbs: tbsNode!.bytes,
    serialNumber: serial.content,
    issuer: issuer.bytes,
    subject: subject.bytes,
    issuerText: formatName(issuer),
    subjectText: formatName(subject),
    notBefore: readTime(validity[0], 'notBefore'),
    notAfter: readTime(validity[1], 'notAfter'),
    spki: spkiNode!.bytes,
    ...(kemPublicKey ? { kemPublicKey } : {}),
    keyKind: kem ? kem.name : keyKindOf(publicKey!),
    subjectKeyIdentifier: ski,
    authorityKeyIdentifier: aki,
    uris,
    isCA,
    keyUsage,
    signatureAlgorithm: readAlgorithmIdentifier(sigAlgNode, 'signatureAlgorithm'),
    signature: readBitString(sigNode, 'signatureValue'),
    fingerprint: createHash('sha256').update(der).digest('hex'),
  };
  // The KeyObject is a getter so that an ML-KEM certificate fails where a KeyObject is needed
  // (a signature check, say) with a clear reason instead of undefined.
  const subject$ = cert.subjectText;
  Object.defineProperty(cert, 'publicKey', {
    enumerable: true,
    get(): KeyObject {
      if (!publicKey) throw new CmsError(CmsErrorCode.badKey, `certificate '${subject$}' has an ${kem!.name} key, which cannot sign or be used as a node KeyObject`);
      return publicKey;
    },
  });
  return cert as unknown as Certificate;
}

/** BIT STRING content bits (unused trailing bits allowed, as keyUsage uses them). */
function readBitStringBits(node: Asn1Node): Uint8Array {
  const n = expectTag(node, 0, 0x03, 'keyUsage');
  if (n.content.length === 0 || n.content[0]! > 7) throw new CmsError(CmsErrorCode.malformed, 'keyUsage: bad BIT STRING');
  return n.content.subarray(1);
}

/** True when keyUsage is absent (no restriction) or has one of `bits`. */
export function allowsKeyUsage(cert: Certificate, ...bits: readonly number[]): boolean {
  return cert.keyUsage === undefined || bits.some((b) => cert.keyUsage!.has(b));
}

export function keyKindOf(key: KeyObject): KeyKind {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'rsa';
    case 'rsa-pss':
      return 'rsa-pss';
    case 'x25519':
      return 'x25519';
    case 'ed25519':
      return 'ed25519';
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return curve === 'prime256v1' ? 'p256' : curve === 'secp384r1' ? 'p384' : curve === 'secp521r1' ? 'p521' : 'other';
    }
    default:
      return 'other';
  }
}

/** The printer UUIDs named by `urn:uuid:` URIs in subjectAltName (lowercase). */
export function certificateUuids(cert: Certificate): string[] {
  return cert.uris
    .map((u) => /^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(u)?.[1]?.toLowerCase())
    .filter((u): u is string => u !== undefined);
}

/** "AB:CD:..." form of a hex fingerprint, for people comparing out of band. */
export function formatFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/.{2}/g) ?? []).join(':');
}

/** node's X509Certificate view, used for signature checks on the chain. */
export function toX509(cert: Certificate): X509Certificate {
  return new X509Certificate(Buffer.from(cert.der));
}
