/**
 * The decoded form of an IPP message (RFC 8010 §3). Everything a wire message holds is kept, in
 * order, with each value's own tag, so that `encodeMessage(decodeMessage(b))` is byte-identical to
 * `b` for every well-formed message. This is the contract every package of the workspace codes to.
 */

import { GroupTag } from './registry/constants.js';

/**
 * The tag constants are generated from the registry (registry/tags.txt) with the operation, status
 * and enum constants; re-exported here because the message model is where they are read.
 */
export { GroupTag, ValueTag, IppOperation, IppStatus, IppEnum } from './registry/constants.js';
export type { IppOperationName, IppStatusName } from './registry/constants.js';
export type GroupTagName = keyof typeof GroupTag;

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
