/**
 * SignerInfo verification (RFC 5652 §5.4, §5.6): signed attributes are required (they carry the
 * content digest); message-digest is compared in constant time; content-type must match; the
 * signature over the DER SET OF signed attributes is checked; any failure throws.
 */
import { timingSafeEqual } from 'node:crypto';
import { expectTag, isContext, readAlgorithmIdentifier, readOctets, readSmallInteger, sequenceChildren, type Asn1Node } from '../asn1/ber-reader.js';
import { CmsError, CmsErrorCode, malformed } from '../errors.js';
import type { DigestName } from '../oids.js';
import { allowsKeyUsage, type Certificate } from '../x509/certificate.js';
import { decodeAttributes, readContentTypeAttribute, readMessageDigest, readSigningTime, type Attribute } from './attributes.js';
import { verifyChain, type TrustResult } from './chain.js';
import { decodeKtriRid, ridMatches } from './recipient-identifier.js';
import { checkSignerAlgorithms, digestOf, verifySignature } from './signature-algorithms.js';
import type { ParsedSignedData } from './signed-data-read.js';

export interface VerifiedSigner {
  readonly certificate: Certificate;
  /** The signer's subject, e.g. "CN=alice, O=Example". */
  readonly subject: string;
  readonly signingTime: Date | undefined;
  /** All signed attributes, including content-type, message-digest and signing-time. */
  readonly signedAttributes: readonly Attribute[];
  readonly digestAlgorithm: DigestName;
  readonly signatureAlgorithm: string;
  /** 'verified': chains to a given trust anchor; 'unchecked': no anchors were given. */
  readonly trust: TrustResult['trust'];
  /** Signer first, anchor last (when verified). */
  readonly chain: readonly Certificate[];
}

export interface VerifyOptions {
  /** Trust anchors; when given, every signer must chain to one of them. */
  readonly trustAnchors?: readonly Certificate[];
  /** Certificates that may complete the chain besides those in the message. */
  readonly intermediates?: readonly Certificate[];
  /** Certificates to look the signer up in when the message carries none. */
  readonly signerCertificates?: readonly Certificate[];
  /** Time at which certificates must be valid; default now. */
  readonly verificationTime?: Date;
  readonly allowSha1?: boolean;
}

export function verifySigners(sd: ParsedSignedData, options: VerifyOptions): VerifiedSigner[] {
  if (sd.signerInfos.length === 0) throw new CmsError(CmsErrorCode.signatureMissing, 'SignedData has no SignerInfo');
  return sd.signerInfos.map((si) => verifySignerInfo(si, sd, options));
}

function verifySignerInfo(si: Asn1Node, sd: ParsedSignedData, options: VerifyOptions): VerifiedSigner {
  const f = sequenceChildren(si, 'SignerInfo');
  readSmallInteger(f[0], 'SignerInfo.version');
  const sid = decodeKtriRid(f[1]);
  const digestAlgorithm = digestOf(readAlgorithmIdentifier(f[2], 'SignerInfo.digestAlgorithm').algorithm);
  let i = 3;
  if (!isContext(f[i], 0)) throw new CmsError(CmsErrorCode.unsupported, 'SignerInfo without signed attributes is not accepted');
  const signedAttrsNode = f[i++]!;
  const sigAlg = readAlgorithmIdentifier(f[i++], 'SignerInfo.signatureAlgorithm');
  const signature = readOctets(expectTag(f[i++], 0, 0x04, 'SignerInfo.signature'), 'SignerInfo.signature');
  checkSignerAlgorithms(sigAlg, digestAlgorithm, options.allowSha1 ?? false);
  const pool = [...sd.certificates, ...(options.signerCertificates ?? [])];
  const certificate = pool.find((c) => ridMatches(sid, c));
  if (!certificate) throw new CmsError(CmsErrorCode.signatureInvalid, 'the signer certificate is not in the message and was not supplied');

  // RFC 8550 §4.4.2: a signing certificate's keyUsage, when present, has digitalSignature or nonRepudiation.
  if (!allowsKeyUsage(certificate, 0, 1)) throw new CmsError(CmsErrorCode.untrusted, `certificate '${certificate.subjectText}' is not allowed to sign (keyUsage)`);
  const signedAttributes = decodeAttributes(signedAttrsNode);
  // RFC 5652 §5.3: content-type and message-digest MUST be present when signed attributes are.
  const ct = readContentTypeAttribute(signedAttributes);
  if (ct !== sd.eContentType) throw new CmsError(CmsErrorCode.signatureInvalid, `content-type attribute ${ct ?? '(absent)'} does not match eContentType ${sd.eContentType}`);
  const md = readMessageDigest(signedAttributes);
  const computed = sd.digests.get(digestAlgorithm);
  if (!md) throw new CmsError(CmsErrorCode.signatureInvalid, 'message-digest attribute is missing');
  if (!computed) throw malformed(`SignerInfo digest ${digestAlgorithm} is not listed in digestAlgorithms`, si.offset);
  if (md.length !== computed.length || !timingSafeEqual(md, computed)) throw new CmsError(CmsErrorCode.signatureInvalid, 'message-digest does not match the content');

  // RFC 5652 §5.4: the signature is over the signed attributes re-tagged as SET OF (0x31).
  const toVerify = new Uint8Array(signedAttrsNode.bytes);
  toVerify[0] = 0x31;
  const signatureAlgorithm = verifySignature(sigAlg, digestAlgorithm, toVerify, signature, certificate, options.allowSha1 ?? false);

  const signingTime = readSigningTime(signedAttributes);
  const trust = verifyChain(certificate, [...sd.certificates, ...(options.intermediates ?? [])], options.trustAnchors, options.verificationTime ?? new Date());
  return { certificate, subject: certificate.subjectText, signingTime, signedAttributes, digestAlgorithm, signatureAlgorithm, trust: trust.trust, chain: trust.chain };
}
