/**
 * Streaming SignedData writer (RFC 5652 §5). The content is hashed while it is emitted inside an
 * indefinite-length encapContentInfo, and the SignerInfo is produced at the end:
 *
 *   SignedData ::= SEQUENCE {
 *     version CMSVersion,
 *     digestAlgorithms SET OF DigestAlgorithmIdentifier,
 *     encapContentInfo EncapsulatedContentInfo,     -- eContent [0] EXPLICIT OCTET STRING, chunked
 *     certificates [0] IMPLICIT CertificateSet OPTIONAL,
 *     signerInfos SET OF SignerInfo }
 */
import { createHash, createPublicKey } from 'node:crypto';
import { algorithmIdentifier, concat, contextTag, integer, lengthBytes, octetString, oid, sequence, setOf, tlv } from '../asn1/der-writer.js';
import { isMlDsaKey, loadSigningKey, type PrivateKeyInput, type SigningKey } from '../x509/keys.js';
import type { MlDsaPrivateKey } from '../x509/ml-dsa-keys.js';
import { parseCertificate, type Certificate, type CertificateInput } from '../x509/certificate.js';
import { CmsError, CmsErrorCode } from '../errors.js';
import { contentTypeAttribute, encodeAttribute, messageDigestAttribute, signingTimeAttribute, type Attribute } from './attributes.js';
import { encodeKtriRid, type IdentifierKind } from './recipient-identifier.js';
import { schemeForKey, type SignatureScheme } from './signature-algorithms.js';
import { OID, oidByDigest } from '../oids.js';

export interface SignerOptions {
  readonly certificate: CertificateInput;
  /** The signer's key: PEM/DER PKCS#8 (ML-DSA too, RFC 9881), a KeyObject or an MlDsaPrivateKey. */
  readonly privateKey: PrivateKeyInput | MlDsaPrivateKey;
  /** Extra certificates to include (intermediates), after the signer's own. */
  readonly chain?: readonly CertificateInput[];
  /** Caller-supplied signed attributes, added after content-type, signing-time and message-digest. */
  readonly signedAttributes?: readonly Attribute[];
  /** signing-time to state; default now; null omits the attribute. */
  readonly signingTime?: Date | null;
  /** Digest for ECDSA/RSA-PSS/ML-DSA (Ed25519 always uses SHA-512; ML-DSA defaults to it). */
  readonly digest?: 'sha256' | 'sha384' | 'sha512';
  /** How the SignerInfo names the certificate; default issuerAndSerialNumber. */
  readonly identifier?: IdentifierKind;
}

export interface PreparedSigner {
  readonly cert: Certificate;
  readonly key: SigningKey;
  readonly chain: readonly Certificate[];
  readonly scheme: SignatureScheme;
  readonly options: SignerOptions;
}

export function prepareSigner(o: SignerOptions): PreparedSigner {
  const cert = parseCertificate(o.certificate);
  const key = loadSigningKey(o.privateKey);
  const scheme = schemeForKey(key, o.digest);
  const matches = isMlDsaKey(key)
    ? cert.keyKind === key.algorithm && Buffer.from(cert.mlDsaPublicKey!).equals(key.publicKey)
    : cert.mlDsaPublicKey === undefined && cert.publicKey.export({ format: 'der', type: 'spki' }).equals(createPublicKey(key).export({ format: 'der', type: 'spki' }));
  if (!matches) throw new CmsError(CmsErrorCode.badOptions, `the signing key does not belong to certificate '${cert.subjectText}'`);
  return { cert, key, chain: (o.chain ?? []).map((c) => parseCertificate(c)), scheme, options: o };
}

const EOC = Uint8Array.of(0, 0);

/** Yields the BER SignedData (not wrapped in ContentInfo) around `content`. */
export async function* signedDataStream(content: AsyncIterable<Uint8Array>, signer: PreparedSigner, eContentType: string = OID.data): AsyncGenerator<Uint8Array> {
  const { cert, scheme, options } = signer;
  const kind = options.identifier ?? 'issuerAndSerialNumber';
  const digestAlg = algorithmIdentifier(oidByDigest[scheme.digest]);
  // RFC 5652 §5.1: version 3 when a SignerInfo is v3 or eContentType is not id-data, else 1.
  const version = kind === 'subjectKeyIdentifier' || eContentType !== OID.data ? 3 : 1;
  yield concat([
    Uint8Array.of(0x30, 0x80),
    integer(version),
    setOf([digestAlg]),
    Uint8Array.of(0x30, 0x80),
    oid(eContentType),
    Uint8Array.of(0xa0, 0x80, 0x24, 0x80), // [0] EXPLICIT, then a constructed OCTET STRING
  ]);
  const hash = createHash(scheme.digest);
  for await (const chunk of content) {
    if (chunk.length === 0) continue;
    hash.update(chunk);
    yield concat([Uint8Array.of(0x04), lengthBytes(chunk.length)]);
    yield chunk;
  }
  const digest = new Uint8Array(hash.digest());
  const attrs: Attribute[] = [contentTypeAttribute(eContentType)];
  const when = options.signingTime === undefined ? new Date() : options.signingTime;
  if (when) attrs.push(signingTimeAttribute(when));
  attrs.push(messageDigestAttribute(digest), ...(options.signedAttributes ?? []));
  const signedAttrsSet = setOf(attrs.map(encodeAttribute));
  // RFC 5652 §5.4: the signature covers the DER SET OF, with the EXPLICIT SET tag.
  const signature = scheme.sign(signedAttrsSet);
  const signerInfo = sequence(
    integer(kind === 'subjectKeyIdentifier' ? 3 : 1),
    encodeKtriRid(cert, kind),
    digestAlg,
    tlv(0xa0, signedAttrsSet.subarray(headerLength(signedAttrsSet))),
    scheme.algorithm,
    octetString(signature),
  );
  const certs = [cert, ...signer.chain].map((c) => c.der);
  yield concat([
    EOC, // end of the OCTET STRING
    EOC, // end of [0]
    EOC, // end of encapContentInfo
    contextTag(0, true, ...certs),
    setOf([signerInfo]),
    EOC, // end of SignedData
  ]);
}

function headerLength(tlvBytes: Uint8Array): number {
  const b = tlvBytes[1]!;
  return b < 0x80 ? 2 : 2 + (b & 0x7f);
}
