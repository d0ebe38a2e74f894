import type { IppAttribute, IppDateTime, IppValue, OutOfBandTag, ResolutionUnits } from './model.js';

/**
 * Explicit value constructors. The builders pick a plain value's tag from the registry; these
 * say it outright where the registry does not know the attribute or a different tag is wanted.
 */
export const keyword = (value: string): IppValue => ({ tag: 'keyword', value });
export const uri = (value: string): IppValue => ({ tag: 'uri', value });
export const uriScheme = (value: string): IppValue => ({ tag: 'uriScheme', value });
export const charset = (value: string): IppValue => ({ tag: 'charset', value });
export const naturalLanguage = (value: string): IppValue => ({ tag: 'naturalLanguage', value });
export const mime = (value: string): IppValue => ({ tag: 'mimeMediaType', value });
export const memberAttrName = (value: string): IppValue => ({ tag: 'memberAttrName', value });
/** nameWithoutLanguage, or nameWithLanguage when a language is given (RFC 8011 §5.1.3). */
export const name = (value: string, language?: string): IppValue =>
  language === undefined ? { tag: 'nameWithoutLanguage', value } : { tag: 'nameWithLanguage', value, language };
/** textWithoutLanguage, or textWithLanguage when a language is given (RFC 8011 §5.1.2). */
export const text = (value: string, language?: string): IppValue =>
  language === undefined ? { tag: 'textWithoutLanguage', value } : { tag: 'textWithLanguage', value, language };
export const integer = (value: number): IppValue => ({ tag: 'integer', value });
export const enumOf = (value: number): IppValue => ({ tag: 'enum', value });
export const boolean = (value: boolean): IppValue => ({ tag: 'boolean', value });
export const octets = (value: Uint8Array): IppValue => ({ tag: 'octetString', value });
export const range = (lower: number, upper: number): IppValue => ({ tag: 'rangeOfInteger', value: { lower, upper } });
export const resolution = (x: number, y: number = x, units: ResolutionUnits = 3): IppValue => ({ tag: 'resolution', value: { x, y, units } });
export const collection = (members: readonly IppAttribute[]): IppValue => ({ tag: 'collection', value: members });
export const noValue = (): IppValue => ({ tag: 'noValue' });
export const unknown = (): IppValue => ({ tag: 'unknown' });
export const unsupported = (): IppValue => ({ tag: 'unsupported' });
export const deleteAttribute = (): IppValue => ({ tag: 'deleteAttribute' });
/** Any tag, kept as raw bytes (e.g. 0x7F extension values); the encoder writes it as given. */
export const raw = (code: number, value: Uint8Array): IppValue => ({ tag: 'raw', code, value });

/**
 * A dateTime from a JS Date (or explicit fields): RFC 2579 DateAndTime in UTC unless an offset
 * in minutes east of UTC is given (the wire form keeps the local time and its offset).
 */
export function dateTime(value: Date | IppDateTime, offsetMinutes = 0): IppValue {
  if (!(value instanceof Date)) return { tag: 'dateTime', value };
  const local = new Date(value.getTime() + offsetMinutes * 60_000);
  const abs = Math.abs(offsetMinutes);
  return {
    tag: 'dateTime',
    value: {
      year: local.getUTCFullYear(),
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
      hours: local.getUTCHours(),
      minutes: local.getUTCMinutes(),
      seconds: local.getUTCSeconds(),
      deciSeconds: Math.floor(local.getUTCMilliseconds() / 100),
      utcDirection: offsetMinutes < 0 ? '-' : '+',
      utcHours: Math.floor(abs / 60),
      utcMinutes: abs % 60,
    },
  };
}

/** The instant a dateTime value names, as a JS Date. */
export function dateOf(value: IppDateTime): Date {
  const offset = (value.utcDirection === '-' ? -1 : 1) * (value.utcHours * 60 + value.utcMinutes);
  const utc = Date.UTC(value.year, value.month - 1, value.day, value.hours, value.minutes, value.seconds, value.deciSeconds * 100);
  return new Date(utc - offset * 60_000);
}

/** One attribute from its name and values: attribute('copies', integer(2)). */
export function attribute(name: string, ...values: IppValue[]): IppAttribute {
  return { name, values };
}

/**
 * The common value helpers, each taking the value alone, so they can be passed to map():
 * `.map(text)` would hand the array index to text()'s language parameter, `.map(oneArg.text)` does not.
 */
export const oneArg = {
  charset,
  language: naturalLanguage,
  uri,
  name: (value: string): IppValue => name(value),
  text: (value: string): IppValue => text(value),
  keyword,
  mime,
  integer,
  boolean,
} as const;

const OUT_OF_BAND: ReadonlySet<string> = new Set<OutOfBandTag>(['unsupported', 'default', 'unknown', 'noValue', 'notSettable', 'deleteAttribute', 'adminDefine']);

/** Whether a value is out-of-band (RFC 8010 §3.5.2, RFC 3380): a tag with no value of its own. */
export function isOutOfBand(value: IppValue): value is Extract<IppValue, { readonly tag: OutOfBandTag }> {
  return OUT_OF_BAND.has(value.tag);
}
