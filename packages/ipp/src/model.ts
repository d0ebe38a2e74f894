/**
 * The decoded form of an IPP message (RFC 8010 §3). Everything a wire message holds is kept, in
 * order, with each value's own tag, so that `encodeMessage(decodeMessage(b))` is byte-identical to
 * `b` for every well-formed message. This is the contract every package of the workspace codes to.
 */

/** RFC 8010 §3.5.1 delimiter tags (group tags), including those registered after RFC 8010. */
export const GroupTag = {
  operation: 0x01,
  job: 0x02,
  endOfAttributes: 0x03,
  printer: 0x04,
  unsupported: 0x05,
  subscription: 0x06, // RFC 3995
  eventNotification: 0x07, // RFC 3995
  resource: 0x08, // PWG 5100.22
  document: 0x09, // PWG 5100.5
  system: 0x0a, // PWG 5100.22
} as const;
export type GroupTagName = keyof typeof GroupTag;

/** RFC 8010 §3.5.2 value tags, by the name used in `IppValue.tag`. */
export const ValueTag = {
  // out-of-band (RFC 8010 §3.5.2, RFC 3380)
  unsupported: 0x10,
  /** RFC 8010 §3.5.2 lists 0x11 as reserved "for 'default' for definition in a future IETF document"; libcups names it `default`. */
  default: 0x11,
  unknown: 0x12,
  noValue: 0x13,
  notSettable: 0x15,
  deleteAttribute: 0x16,
  adminDefine: 0x17,
  // integer family
  integer: 0x21,
  boolean: 0x22,
  enum: 0x23,
  // octetString family
  octetString: 0x30,
  dateTime: 0x31,
  resolution: 0x32,
  rangeOfInteger: 0x33,
  begCollection: 0x34,
  textWithLanguage: 0x35,
  nameWithLanguage: 0x36,
  endCollection: 0x37,
  // character-string family
  textWithoutLanguage: 0x41,
  nameWithoutLanguage: 0x42,
  keyword: 0x44,
  uri: 0x45,
  uriScheme: 0x46,
  charset: 0x47,
  naturalLanguage: 0x48,
  mimeMediaType: 0x49,
  memberAttrName: 0x4a,
  /** RFC 8010 §3.5.2: the next four bytes carry the real tag. */
  extension: 0x7f,
} as const;

export type OutOfBandTag = 'unsupported' | 'default' | 'unknown' | 'noValue' | 'notSettable' | 'deleteAttribute' | 'adminDefine';
export type StringTag =
  | 'textWithoutLanguage'
  | 'nameWithoutLanguage'
  | 'keyword'
  | 'uri'
  | 'uriScheme'
  | 'charset'
  | 'naturalLanguage'
  | 'mimeMediaType'
  | 'memberAttrName';

/** RFC 8010 §3.9 / RFC 2579 DateAndTime: kept field by field so nothing is normalised away. */
export interface IppDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
  readonly deciSeconds: number;
  readonly utcDirection: '+' | '-';
  readonly utcHours: number;
  readonly utcMinutes: number;
}

/** Resolution units (RFC 8011 §5.1.16): 3 = dots per inch, 4 = dots per centimetre. */
export type ResolutionUnits = 3 | 4;

export type IppValue =
  | { readonly tag: 'integer'; readonly value: number }
  | { readonly tag: 'enum'; readonly value: number }
  | { readonly tag: 'boolean'; readonly value: boolean }
  | { readonly tag: 'octetString'; readonly value: Uint8Array }
  | { readonly tag: 'dateTime'; readonly value: IppDateTime }
  | { readonly tag: 'resolution'; readonly value: { readonly x: number; readonly y: number; readonly units: ResolutionUnits } }
  | { readonly tag: 'rangeOfInteger'; readonly value: { readonly lower: number; readonly upper: number } }
  | { readonly tag: 'textWithLanguage' | 'nameWithLanguage'; readonly value: string; readonly language: string }
  | { readonly tag: StringTag; readonly value: string }
  /** Members in wire order; member names come from memberAttrName, values keep their own tags. */
  | { readonly tag: 'collection'; readonly value: readonly IppAttribute[] }
  /** Out-of-band values; `value` keeps any (normally empty) bytes the sender put there. */
  | { readonly tag: OutOfBandTag; readonly value?: Uint8Array }
  /**
   * A tag this codec has no syntax for (unassigned codes, and extension-tag 0x7F values whose
   * 4-byte real tag follows): preserved as raw bytes so relays pass it on untouched. The decoder
   * also uses it for a known tag whose bytes do not fit its syntax (an integer that is not 4
   * octets, a text that is not UTF-8, ...), so that nothing is lost; `validateRequest` reports
   * such values.
   */
  | { readonly tag: 'raw'; readonly code: number; readonly value: Uint8Array };

export type IppValueTagName = IppValue['tag'];

/** One attribute: a name and one value (single-valued) or several (1setOf), in wire order. */
export interface IppAttribute {
  readonly name: string;
  readonly values: readonly IppValue[];
}

/** An attribute group in wire order. Groups of the same tag may repeat (e.g. one per job in Get-Jobs). */
export interface IppGroup {
  /** The delimiter tag byte (see GroupTag); unknown group tags in 0x00–0x0F are kept as numbers. */
  readonly tag: number;
  readonly attributes: readonly IppAttribute[];
}

export interface IppVersion {
  readonly major: number;
  readonly minor: number;
}

/** A request (code = operation-id) or a response (code = status-code); RFC 8010 §3.1.1. */
export interface IppMessage {
  readonly version: IppVersion;
  /** operation-id in a request, status-code in a response. */
  readonly code: number;
  readonly requestId: number;
  readonly groups: readonly IppGroup[];
  /** The bytes after end-of-attributes-tag, when the message was decoded from (or is encoded with) a buffer. */
  readonly data?: Uint8Array;
}
