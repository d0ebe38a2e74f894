/**
 * CMS Attribute (RFC 5652 §5.3): `Attribute ::= SEQUENCE { attrType OID, attrValues SET OF ANY }`.
 * Values travel as their DER encodings so callers can add any attribute type.
 */
import { oid, octetString, sequence, setOf, time } from '../asn1/der-writer.js';
import { decodeBer, readOctets, readOid, readTime, sequenceChildren, setChildren, type Asn1Node } from '../asn1/ber-reader.js';
import { malformed } from '../errors.js';
import { OID } from '../oids.js';

export interface Attribute {
  /** Dotted OID of the attribute type. */
  readonly type: string;
  /** DER encoding of each value. */
  readonly values: readonly Uint8Array[];
}

export function encodeAttribute(a: Attribute): Uint8Array {
  return sequence(oid(a.type), setOf(a.values));
}

export function decodeAttributes(node: Asn1Node): Attribute[] {
  return node.children.map((a) => {
    const [type, values] = sequenceChildren(a, 'Attribute');
    return { type: readOid(type, 'attrType'), values: setChildren(values, 'attrValues').map((v) => v.bytes) };
  });
}

export const contentTypeAttribute = (contentType: string): Attribute => ({ type: OID.contentType, values: [oid(contentType)] });
export const messageDigestAttribute = (digest: Uint8Array): Attribute => ({ type: OID.messageDigest, values: [octetString(digest)] });
export const signingTimeAttribute = (t: Date): Attribute => ({ type: OID.signingTime, values: [time(t)] });

/** The single value of an attribute that must have exactly one (RFC 5652 §11). */
export function singleValue(attrs: readonly Attribute[], type: string, what: string): Asn1Node | undefined {
  const found = attrs.filter((a) => a.type === type);
  if (found.length === 0) return undefined;
  if (found.length > 1 || found[0]!.values.length !== 1) throw malformed(`${what} attribute must occur once with one value (RFC 5652 §11)`);
  return decodeBer(found[0]!.values[0]!);
}

export function readSigningTime(attrs: readonly Attribute[]): Date | undefined {
  const v = singleValue(attrs, OID.signingTime, 'signing-time');
  return v ? readTime(v, 'signing-time') : undefined;
}

export function readMessageDigest(attrs: readonly Attribute[]): Uint8Array | undefined {
  const v = singleValue(attrs, OID.messageDigest, 'message-digest');
  return v ? readOctets(v, 'message-digest') : undefined;
}

export function readContentTypeAttribute(attrs: readonly Attribute[]): string | undefined {
  const v = singleValue(attrs, OID.contentType, 'content-type');
  return v ? readOid(v, 'content-type') : undefined;
}
