/** X.501 Name (RFC 5280 §4.1.2.4): building from a few attributes, and a one-line rendering. */
import { concat, oid, printableString, sequence, setOf, utf8String } from '../asn1/der-writer.js';
import { readOid, sequenceChildren, setChildren, type Asn1Node } from '../asn1/ber-reader.js';
import { OID } from '../oids.js';

export interface NameAttributes {
  readonly commonName?: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly country?: string;
  readonly serialNumber?: string;
}

const shortNames: Record<string, string> = {
  [OID.commonName]: 'CN',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.countryName]: 'C',
  [OID.serialNumberAttr]: 'serialNumber',
};

export function encodeName(attrs: NameAttributes): Uint8Array {
  const rdns: Uint8Array[] = [];
  const add = (type: string, value: Uint8Array): void => {
    rdns.push(setOf([sequence(oid(type), value)]));
  };
  if (attrs.country !== undefined) add(OID.countryName, printableString(attrs.country));
  if (attrs.organization !== undefined) add(OID.organizationName, utf8String(attrs.organization));
  if (attrs.organizationalUnit !== undefined) add(OID.organizationalUnitName, utf8String(attrs.organizationalUnit));
  if (attrs.serialNumber !== undefined) add(OID.serialNumberAttr, printableString(attrs.serialNumber));
  if (attrs.commonName !== undefined) add(OID.commonName, utf8String(attrs.commonName));
  return sequence(concat(rdns));
}

/** "CN=Printer, O=Example" in RDN order as encoded; unknown attribute types shown by OID. */
export function formatName(name: Asn1Node): string {
  const parts: string[] = [];
  for (const rdn of sequenceChildren(name, 'Name')) {
    for (const atv of setChildren(rdn, 'RelativeDistinguishedName')) {
      const [type, value] = sequenceChildren(atv, 'AttributeTypeAndValue');
      const t = readOid(type, 'AttributeType');
      const v = value && value.tagClass === 0 && !value.constructed ? new TextDecoder().decode(value.content) : '#';
      parts.push(`${shortNames[t] ?? t}=${v}`);
    }
  }
  return parts.join(', ');
}
