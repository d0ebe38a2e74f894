/**
 * What the client needs from a Get-Printer-Attributes response: identity (printer-uuid), the
 * TRUSTNOONE key and formats (docs/spec-notes.md §1), and the `*-supported` / `*-default` attributes that
 * requested Job Template values are checked against (RFC 8011 §5.2).
 */
import { findGroup, GroupTag, stringOf, type IppAttribute, type IppMessage } from '@trustnoone/ipp';
import { Attr, PKCS7_MIME } from '@trustnoone/profile';

export interface PrinterInfo {
  readonly uri: string;
  /** Lowercased urn:uuid, when the printer reports one (PWG 5100.13 printer-uuid). */
  readonly printerUuid: string | undefined;
  /** The printer's certificate (and chain) as PEM text, joined from printer-pkcs7-public-key. */
  readonly certificatePem: string | undefined;
  /** True when the printer advertises a key and accepts application/pkcs7-mime. */
  readonly trustnoone: boolean;
  /** document-format-supported, lowercased. */
  readonly documentFormats: readonly string[];
  /** pkcs7-document-format-supported: the formats accepted inside an envelope. */
  readonly sealedDocumentFormats: readonly string[];
  readonly operations: readonly number[];
  readonly printerName: string | undefined;
  /** Every printer attribute by name, for validating Job Template values. */
  readonly attributes: ReadonlyMap<string, IppAttribute>;
}

/**
 * docs/spec-notes.md §1: a certificate travels as 1setOf text, one PEM line per value, joined with "\n".
 * Bounded so a hostile relay cannot make us parse megabytes of "certificate".
 */
const MAX_KEY_TEXT = 256 * 1024;

function joinLines(a: IppAttribute | undefined): string | undefined {
  if (!a) return undefined;
  const lines = a.values.map((v) => stringOf(v)).filter((s): s is string => s !== undefined && s !== '');
  if (lines.length === 0) return undefined;
  const text = `${lines.join('\n')}\n`;
  return text.length > MAX_KEY_TEXT ? undefined : text;
}

export function printerInfoFrom(uri: string, response: IppMessage): PrinterInfo {
  const attrs = new Map<string, IppAttribute>();
  for (const a of findGroup(response, GroupTag.printer)?.attributes ?? []) if (!attrs.has(a.name)) attrs.set(a.name, a);
  const strings = (name: string): string[] =>
    (attrs.get(name)?.values ?? []).map((v) => stringOf(v)).filter((s): s is string => s !== undefined).map((s) => s.toLowerCase());
  const uuid = strings(Attr.printerUuid)[0];
  const certificatePem = joinLines(attrs.get(Attr.printerPkcs7PublicKey));
  const documentFormats = strings(Attr.documentFormatSupported);
  return {
    uri,
    printerUuid: uuid && /^urn:uuid:/.test(uuid) ? uuid : undefined,
    certificatePem,
    trustnoone: certificatePem !== undefined && documentFormats.includes(PKCS7_MIME),
    documentFormats,
    sealedDocumentFormats: strings(Attr.pkcs7DocumentFormatSupported),
    operations: (attrs.get(Attr.operationsSupported)?.values ?? []).flatMap((v) => (v.tag === 'enum' || v.tag === 'integer' ? [v.value] : [])),
    printerName: stringOf(attrs.get('printer-name')?.values[0]),
    attributes: attrs,
  };
}
