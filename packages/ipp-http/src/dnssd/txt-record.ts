/**
 * The DNS-SD TXT record of an IPP printer (PWG 5100.14 §4.2 and the Bonjour Printing
 * Specification's keys), taken from the Get-Printer-Attributes answer the server gives anyone, so
 * what discovery says and what IPP says cannot drift apart. Plus one provisional key, `tno`, that
 * says TRUSTNOONE is offered (docs/decisions.md D10); like every TXT value it is
 * unauthenticated, so a client still decides trust in the printer's key by its own rules.
 */
import { findMember, booleanOf, stringOf, type IppAttribute } from '@trustnoone/ipp';

/** RFC 6763 §6.1: each key=value string is at most 255 bytes. */
const MAX_STRING = 255;

export type TxtRecord = ReadonlyArray<readonly [key: string, value: string]>;

function strings(attrs: readonly IppAttribute[], name: string): string[] {
  return (findMember(attrs, name)?.values ?? []).map((v) => stringOf(v)).filter((s): s is string => s !== undefined);
}

/** Fits `key=v1,v2,...` into 255 bytes by dropping whole trailing values, never cutting one. */
function list(key: string, values: readonly string[]): string {
  let out = '';
  for (const v of values) {
    const next = out ? `${out},${v}` : v;
    if (Buffer.byteLength(`${key}=${next}`) > MAX_STRING) break;
    out = next;
  }
  return out;
}

function clip(key: string, value: string): string {
  let v = value;
  while (Buffer.byteLength(`${key}=${v}`) > MAX_STRING) v = v.slice(0, -1);
  return v;
}

export interface TxtContext {
  /** The resource path of the printer object, without the leading slash (`rp`). */
  readonly resourcePath: string;
  /** The status page's URL (`adminurl`). */
  readonly adminUrl: string;
  /** Served over TLS: `TLS` names the minimum version. */
  readonly tls: boolean;
}

export function ippTxtRecord(attrs: readonly IppAttribute[], ctx: TxtContext): TxtRecord {
  const makeAndModel = strings(attrs, 'printer-make-and-model')[0] ?? 'Unknown';
  const uuid = (strings(attrs, 'printer-uuid')[0] ?? '').replace(/^urn:uuid:/i, '');
  const formats = strings(attrs, 'document-format-supported').filter((f) => f !== 'application/octet-stream');
  const sides = strings(attrs, 'sides-supported');
  const kinds = strings(attrs, 'printer-kind');
  const offersTrustnoone = strings(attrs, 'printer-pkcs7-public-key').length > 0;
  const record: [string, string][] = [
    ['txtvers', '1'],
    ['qtotal', '1'],
    ['rp', ctx.resourcePath],
    ['ty', clip('ty', makeAndModel)],
    ['product', clip('product', `(${makeAndModel})`)],
    ['note', clip('note', strings(attrs, 'printer-location')[0] ?? '')],
    ['adminurl', clip('adminurl', ctx.adminUrl)],
    ['pdl', list('pdl', formats)],
    ['kind', list('kind', kinds.length ? kinds : ['document'])],
    ['Color', booleanOf(findMember(attrs, 'color-supported')?.values[0]) ? 'T' : 'F'],
    ['Duplex', sides.some((s) => s.startsWith('two-sided')) ? 'T' : 'F'],
    ['priority', '50'],
  ];
  if (uuid) record.push(['UUID', uuid]);
  if (ctx.tls) record.push(['TLS', '1.2']);
  // PWG Raster support is told by pdl alone; URF only by a printer that speaks Apple Raster.
  const urf = strings(attrs, 'urf-supported');
  if (urf.length) record.push(['URF', list('URF', urf)]);
  if (offersTrustnoone) record.push(['tno', '1']);
  return record;
}
