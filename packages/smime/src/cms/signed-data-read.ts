/**
 * Streaming SignedData reader (RFC 5652 §5): the encapsulated content goes to a sink while every
 * listed digest is computed; certificates and SignerInfos (small) are kept for verification.
 */
import { createHash, type Hash } from 'node:crypto';
import { isContext, readAlgorithmIdentifier, readOid, readSmallInteger, setChildren, type Asn1Node } from '../asn1/ber-reader.js';
import type { BerStreamReader } from '../asn1/stream-reader.js';
import { CmsError, CmsErrorCode, malformed } from '../errors.js';
import { digestByOid, type DigestName } from '../oids.js';
import { parseCertificate, type Certificate } from '../x509/certificate.js';
import type { CmsLimits } from './limits.js';

export interface ParsedSignedData {
  readonly eContentType: string;
  readonly digests: ReadonlyMap<DigestName, Uint8Array>;
  readonly certificates: readonly Certificate[];
  readonly signerInfos: readonly Asn1Node[];
  readonly contentLength: number;
}

export async function readSignedData(r: BerStreamReader, sink: (chunk: Uint8Array) => Promise<void> | void, limits: CmsLimits): Promise<ParsedSignedData> {
  const sd = await r.readHeader('SignedData');
  if (sd.tagClass !== 0 || sd.tag !== 0x10 || !sd.constructed) throw malformed('SignedData must be a SEQUENCE', sd.offset);
  const version = readSmallInteger(await r.readElement('SignedData.version', 16), 'SignedData.version');
  if (version > 5) throw malformed(`SignedData version ${version}`, sd.offset);
  const digestAlgs = await r.readElement('digestAlgorithms', 4096);
  const hashes = new Map<DigestName, Hash>();
  for (const a of setChildren(digestAlgs, 'digestAlgorithms')) {
    const d = digestByOid[readAlgorithmIdentifier(a, 'DigestAlgorithmIdentifier').algorithm];
    if (d && !hashes.has(d)) hashes.set(d, createHash(d));
    if (hashes.size > 4) throw new CmsError(CmsErrorCode.limitExceeded, 'more than 4 digest algorithms');
  }
  const eci = await r.readHeader('EncapsulatedContentInfo');
  if (eci.tagClass !== 0 || eci.tag !== 0x10 || !eci.constructed) throw malformed('EncapsulatedContentInfo must be a SEQUENCE', eci.offset);
  const eContentType = readOid(await r.readElement('eContentType', 256), 'eContentType');
  let contentLength = 0;
  if (await r.hasMore(eci)) {
    const explicit = await r.readHeader('eContent');
    if (explicit.tagClass !== 2 || explicit.tag !== 0 || !explicit.constructed) throw malformed('eContent must be [0] EXPLICIT', explicit.offset);
    const os = await r.readHeader('eContent OCTET STRING');
    if (os.tagClass !== 0 || os.tag !== 0x04) throw malformed('eContent must be an OCTET STRING', os.offset);
    for await (const chunk of r.octetStringContent(os, 'eContent')) {
      contentLength += chunk.length;
      if (contentLength > limits.maxContentLength) throw new CmsError(CmsErrorCode.limitExceeded, `content longer than ${limits.maxContentLength} bytes`);
      for (const h of hashes.values()) h.update(chunk);
      await sink(chunk);
    }
    await r.close(explicit, 'eContent');
    await r.close(eci, 'EncapsulatedContentInfo');
  } else {
    throw new CmsError(CmsErrorCode.unsupported, 'detached signatures (no eContent) are not supported inside an envelope');
  }
  const certificates: Certificate[] = [];
  let signerInfos: readonly Asn1Node[] | undefined;
  while (await r.hasMore(sd)) {
    const el = await r.readElement('SignedData field', limits.maxCertificatesBytes);
    if (isContext(el, 0)) {
      for (const c of el.children) {
        if (certificates.length >= limits.maxCertificates) throw new CmsError(CmsErrorCode.limitExceeded, `more than ${limits.maxCertificates} certificates`);
        // Only X.509 certificates (SEQUENCE); other CertificateChoices are skipped.
        if (c.tagClass === 0 && c.tag === 0x10) certificates.push(parseCertificate(new Uint8Array(c.bytes)));
      }
    } else if (isContext(el, 1)) {
      // crls: not used for verification here.
    } else if (el.tagClass === 0 && el.tag === 0x11) {
      signerInfos = el.children;
      if (signerInfos.length > limits.maxSignerInfos) throw new CmsError(CmsErrorCode.limitExceeded, `more than ${limits.maxSignerInfos} SignerInfos`);
      await r.close(sd, 'SignedData');
      break;
    } else throw malformed('unexpected field in SignedData', el.offset);
  }
  if (!signerInfos) throw malformed('SignedData has no signerInfos');
  const digests = new Map<DigestName, Uint8Array>();
  for (const [name, h] of hashes) digests.set(name, new Uint8Array(h.digest()));
  return { eContentType, digests, certificates, signerInfos, contentLength };
}
