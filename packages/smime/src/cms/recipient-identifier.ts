/**
 * RecipientIdentifier (RFC 5652 §6.2.1) and KeyAgreeRecipientIdentifier (§6.2.2):
 *   issuerAndSerialNumber, or subjectKeyIdentifier ([0] IMPLICIT in ktri; inside a
 *   [0] IMPLICIT RecipientKeyIdentifier SEQUENCE in kari).
 */
import { contextTag, integer, octetString, sequence, tlv } from '../asn1/der-writer.js';
import { expectTag, isContext, sequenceChildren, type Asn1Node } from '../asn1/ber-reader.js';
import { CmsError, CmsErrorCode, malformed } from '../errors.js';
import type { Certificate } from '../x509/certificate.js';

export type IdentifierKind = 'issuerAndSerialNumber' | 'subjectKeyIdentifier';

export type RecipientId =
  | { readonly kind: 'issuerAndSerialNumber'; readonly issuer: Uint8Array; readonly serialNumber: Uint8Array }
  | { readonly kind: 'subjectKeyIdentifier'; readonly keyIdentifier: Uint8Array };

export function issuerAndSerialNumber(cert: Certificate): Uint8Array {
  // The serial is copied as encoded (even a non-minimal or negative one) so it matches byte for byte.
  return sequence(cert.issuer, tlv(0x02, cert.serialNumber));
}

export function requireSki(cert: Certificate): Uint8Array {
  if (!cert.subjectKeyIdentifier) throw new CmsError(CmsErrorCode.badOptions, `certificate '${cert.subjectText}' has no subjectKeyIdentifier extension; identify it by issuer and serial number`);
  return cert.subjectKeyIdentifier;
}

export function encodeKtriRid(cert: Certificate, kind: IdentifierKind): Uint8Array {
  return kind === 'issuerAndSerialNumber' ? issuerAndSerialNumber(cert) : contextTag(0, false, requireSki(cert));
}

export function encodeKariRid(cert: Certificate, kind: IdentifierKind): Uint8Array {
  return kind === 'issuerAndSerialNumber' ? issuerAndSerialNumber(cert) : contextTag(0, true, octetString(requireSki(cert)));
}

function decodeIas(node: Asn1Node): RecipientId {
  const [issuer, serial] = sequenceChildren(node, 'IssuerAndSerialNumber');
  expectTag(issuer, 0, 0x10, 'issuer');
  return { kind: 'issuerAndSerialNumber', issuer: issuer!.bytes, serialNumber: expectTag(serial, 0, 0x02, 'serialNumber').content };
}

export function decodeKtriRid(node: Asn1Node | undefined): RecipientId {
  if (isContext(node, 0)) return { kind: 'subjectKeyIdentifier', keyIdentifier: node.content };
  if (!node) throw malformed('RecipientIdentifier missing');
  return decodeIas(node);
}

export function decodeKariRid(node: Asn1Node | undefined): RecipientId {
  if (isContext(node, 0)) {
    const ski = node.children[0];
    return { kind: 'subjectKeyIdentifier', keyIdentifier: expectTag(ski, 0, 0x04, 'subjectKeyIdentifier').content };
  }
  if (!node) throw malformed('KeyAgreeRecipientIdentifier missing');
  return decodeIas(node);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function ridMatches(rid: RecipientId, cert: Certificate): boolean {
  if (rid.kind === 'subjectKeyIdentifier') return cert.subjectKeyIdentifier !== undefined && equalBytes(rid.keyIdentifier, cert.subjectKeyIdentifier);
  return equalBytes(rid.issuer, cert.issuer) && equalBytes(rid.serialNumber, cert.serialNumber);
}

export const integerTlv = integer;
