/**
 * Small constructors for IPP attributes in the shared model (@trustnoone/ipp model.ts), so the
 * printer's attribute tables read like the registry: `keyword('sides-default', 'one-sided')`.
 */
import { booleanOf, dateTime as dateTimeValue, integerOf, stringOf, type IppAttribute, type IppValue, type StringTag } from '@trustnoone/ipp';

export type AttrValues<T> = T | readonly T[];

function list<T>(v: AttrValues<T>): readonly T[] {
  return Array.isArray(v) ? (v as readonly T[]) : [v as T];
}

function strings(tag: StringTag) {
  return (name: string, v: AttrValues<string>): IppAttribute => ({
    name,
    values: list(v).map((value): IppValue => ({ tag, value })),
  });
}

export const keyword = strings('keyword');
export const text = strings('textWithoutLanguage');
export const nameAttr = strings('nameWithoutLanguage');
export const uri = strings('uri');
export const uriScheme = strings('uriScheme');
export const charset = strings('charset');
export const naturalLanguage = strings('naturalLanguage');
export const mimeType = strings('mimeMediaType');

export function integer(name: string, v: AttrValues<number>): IppAttribute {
  return { name, values: list(v).map((value): IppValue => ({ tag: 'integer', value })) };
}

export function enumAttr(name: string, v: AttrValues<number>): IppAttribute {
  return { name, values: list(v).map((value): IppValue => ({ tag: 'enum', value })) };
}

export function boolean(name: string, value: boolean): IppAttribute {
  return { name, values: [{ tag: 'boolean', value }] };
}

export function range(name: string, lower: number, upper: number): IppAttribute {
  return { name, values: [{ tag: 'rangeOfInteger', value: { lower, upper } }] };
}

export function resolution(name: string, v: AttrValues<number>): IppAttribute {
  return { name, values: list(v).map((dpi): IppValue => ({ tag: 'resolution', value: { x: dpi, y: dpi, units: 3 } })) };
}

export function octets(name: string, v: AttrValues<string>): IppAttribute {
  return { name, values: list(v).map((s): IppValue => ({ tag: 'octetString', value: new TextEncoder().encode(s) })) };
}

export function collection(name: string, v: AttrValues<readonly IppAttribute[]>): IppAttribute {
  const members = (Array.isArray(v) && v.length > 0 && Array.isArray(v[0]) ? v : [v]) as readonly (readonly IppAttribute[])[];
  return { name, values: members.map((value): IppValue => ({ tag: 'collection', value })) };
}

export function outOfBand(name: string, tag: 'unknown' | 'noValue' | 'unsupported'): IppAttribute {
  return { name, values: [{ tag }] };
}

/** RFC 2579 DateAndTime in UTC (RFC 8010 §3.9), through the codec's one conversion. */
export function dateTime(name: string, date: Date): IppAttribute {
  return { name, values: [dateTimeValue(date)] };
}

/** Finds an attribute by name in one group of a message (first match). */
export function findAttr(attrs: readonly IppAttribute[] | undefined, name: string): IppAttribute | undefined {
  return attrs?.find((a) => a.name === name);
}

/** The string values of an attribute, or [] when absent or not string-valued. */
export function stringValues(attr: IppAttribute | undefined): string[] {
  return (attr?.values ?? []).map(stringOf).filter((s): s is string => s !== undefined);
}

/** First values through the codec's readers (@trustnoone/ipp access.ts). */
export function firstString(attr: IppAttribute | undefined): string | undefined {
  return stringOf(attr?.values[0]);
}

export function firstInteger(attr: IppAttribute | undefined): number | undefined {
  return integerOf(attr?.values[0]);
}

export function firstBoolean(attr: IppAttribute | undefined): boolean | undefined {
  return booleanOf(attr?.values[0]);
}
