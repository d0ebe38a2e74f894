/**
 * Writing RecipientInfos (RFC 5652 §6.2): KeyTransRecipientInfo with RSAES-OAEP (RFC 3560,
 * RFC 8017) and KeyAgreeRecipientInfo with ephemeral-static ECDH (RFC 5753) or X25519 (RFC 8418).
 */
import { diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { algorithmIdentifier, bitString, contextTag, integer, octetString, sequence } from '../asn1/der-writer.js';
import { eccCmsSharedInfo, hkdf, x963Kdf } from '../crypto/kdf.js';
import { aesKeyWrap, wrapOidForKeyLength } from '../crypto/key-wrap.js';
import { oaepEncrypt, type OaepHash } from '../crypto/oaep.js';
import { rawPublicKey } from '../crypto/raw-keys.js';
import { CmsError, CmsErrorCode } from '../errors.js';
import { OID, oidByDigest, type DigestName } from '../oids.js';
import { parseCertificate, type Certificate, type CertificateInput } from '../x509/certificate.js';
import { encodeKariRid, encodeKtriRid, type IdentifierKind } from './recipient-identifier.js';

export interface RecipientOptions {
  readonly certificate: CertificateInput;
  /** How the RecipientInfo names the certificate; default issuerAndSerialNumber. */
  readonly identifier?: IdentifierKind;
  /** ECDH/X25519: user keying material (RFC 5652 §6.2.2); none by default. */
  readonly ukm?: Uint8Array;
  /** ECDH on P-curves: X9.63 KDF digest; default SHA-256 for P-256, SHA-384 for P-384. */
  readonly kdfDigest?: 'sha256' | 'sha384' | 'sha512';
  /** RSA-OAEP hash; default SHA-256 (SHA-1 is accepted on read only). */
  readonly oaepHash?: 'sha256' | 'sha384' | 'sha512';
  /** Deterministic vectors only: the ephemeral key (ECDH/X25519) or OAEP seed. */
  readonly ephemeralKey?: KeyObject;
  readonly oaepSeed?: Uint8Array;
}

export type RecipientInput = CertificateInput | RecipientOptions;

export function normalizeRecipient(r: RecipientInput): RecipientOptions & { readonly cert: Certificate } {
  if (typeof r === 'string' || r instanceof Uint8Array || 'der' in r) return { certificate: r, cert: parseCertificate(r) };
  return { ...r, cert: parseCertificate(r.certificate) };
}

export function encodeRecipientInfo(r: RecipientOptions & { readonly cert: Certificate }, cek: Uint8Array): Uint8Array {
  const kind = r.identifier ?? 'issuerAndSerialNumber';
  switch (r.cert.keyKind) {
    case 'rsa':
      return encodeKtri(r, kind, cek);
    case 'p256':
    case 'p384':
    case 'p521':
    case 'x25519':
      return encodeKari(r, kind, cek);
    default:
      throw new CmsError(CmsErrorCode.unsupported, `cannot encrypt to a ${r.cert.keyKind} key (certificate '${r.cert.subjectText}')`);
  }
}

/** RSAES-OAEP-params (RFC 4055 §4.1): hash and MGF1 hash; pSourceAlgorithm left at its default. */
export function oaepParameters(hash: OaepHash): Uint8Array {
  if (hash === 'sha1') return sequence();
  const h = algorithmIdentifier(oidByDigest[hash]);
  return sequence(contextTag(0, true, h), contextTag(1, true, algorithmIdentifier(OID.mgf1, h)));
}

function encodeKtri(r: RecipientOptions & { readonly cert: Certificate }, kind: IdentifierKind, cek: Uint8Array): Uint8Array {
  const hash = r.oaepHash ?? 'sha256';
  const encryptedKey = oaepEncrypt(r.cert.publicKey, hash, cek, r.oaepSeed);
  // RFC 5652 §6.2.1: version 0 with issuerAndSerialNumber, 2 with subjectKeyIdentifier.
  return sequence(
    integer(kind === 'issuerAndSerialNumber' ? 0 : 2),
    encodeKtriRid(r.cert, kind),
    algorithmIdentifier(OID.rsaesOaep, oaepParameters(hash)),
    octetString(encryptedKey),
  );
}

const x963SchemeOid: Record<'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512', string> = {
  sha1: OID.stdDhSha1Kdf,
  sha224: OID.stdDhSha224Kdf,
  sha256: OID.stdDhSha256Kdf,
  sha384: OID.stdDhSha384Kdf,
  sha512: OID.stdDhSha512Kdf,
};

function encodeKari(r: RecipientOptions & { readonly cert: Certificate }, kind: IdentifierKind, cek: Uint8Array): Uint8Array {
  const cert = r.cert;
  const isX25519 = cert.keyKind === 'x25519';
  const eph = r.ephemeralKey ?? generateEphemeral(cert);
  const z = new Uint8Array(diffieHellman({ privateKey: eph, publicKey: cert.publicKey }));
  const wrapOid = wrapOidForKeyLength(cek.length);
  const kekLength = cek.length;
  const sharedInfo = eccCmsSharedInfo(wrapOid, r.ukm, kekLength);
  let schemeOid: string;
  let kek: Uint8Array;
  if (isX25519) {
    schemeOid = OID.stdDhHkdfSha256; // RFC 8418 §2.2
    kek = hkdf('sha256', z, r.ukm, sharedInfo, kekLength);
  } else {
    const digest: DigestName = r.kdfDigest ?? (cert.keyKind === 'p256' ? 'sha256' : cert.keyKind === 'p384' ? 'sha384' : 'sha512');
    schemeOid = x963SchemeOid[digest];
    kek = x963Kdf(digest, z, sharedInfo, kekLength);
  }
  const originatorAlg = isX25519 ? algorithmIdentifier(OID.x25519) : algorithmIdentifier(OID.ecPublicKey);
  // originator [0] EXPLICIT OriginatorIdentifierOrKey, choice originatorKey [1] IMPLICIT (RFC 5652 §6.2.2)
  const originator = contextTag(0, true, contextTag(1, true, originatorAlg, bitString(rawPublicKey(eph))));
  const rek = sequence(encodeKariRid(cert, kind), octetString(aesKeyWrap(kek, cek)));
  return contextTag(
    1,
    true,
    integer(3),
    originator,
    ...(r.ukm ? [contextTag(1, true, octetString(r.ukm))] : []),
    algorithmIdentifier(schemeOid, algorithmIdentifier(wrapOid)),
    sequence(rek),
  );
}

function generateEphemeral(cert: Certificate): KeyObject {
  if (cert.keyKind === 'x25519') return generateKeyPairSync('x25519').privateKey;
  const namedCurve = cert.keyKind === 'p256' ? 'prime256v1' : cert.keyKind === 'p384' ? 'secp384r1' : 'secp521r1';
  return generateKeyPairSync('ec', { namedCurve }).privateKey;
}
