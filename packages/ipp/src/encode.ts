import type { Buffer } from 'node:buffer';
import { IppError } from './errors.js';
import type { IppAttribute, IppMessage, IppValue } from './model.js';
import { asciiEntry, WORDS_WRITTEN } from './encode-cache.js';
import { ENCODED, type Encoding, type MaybeEncoded } from './encoded-mark.js';
import { asFast } from './strings.js';
import { begin, finish, finishWith, out, room, view } from './writer.js';

/*
 * One pass over the message, writing straight into the output slab (writer.ts): positions are
 * plain numbers passed in and returned, bytes are stored with `out[p] = ...`, each field makes
 * its room once, and names and keyword-like values are copied from the encode cache as 32-bit
 * words. No per-value buffers, arrays or closures. (A size pass first was tried on paper and
 * rejected: walking the object model is most of what remains, and it would walk it twice.)
 */

/** RFC 8010 §3.1.5: value-length and name-length are SIGNED-SHORT. */
const MAX_LENGTH = 0x7fff;
/** Far beyond any real message; stops a cyclic or absurd object from exhausting the stack. */
const MAX_ENCODE_DEPTH = 64;
/** Room for a tag, a name-length, a value-length and the largest fixed-size value (dateTime, 11). Names ensure their own room. */
const FIXED_FIELD = 1 + 2 + 2 + 11;
const DATE_BYTE_FIELDS = ['month', 'day', 'hours', 'minutes', 'seconds', 'deciSeconds', 'utcHours', 'utcMinutes'] as const;

/**
 * Encodes a message to one buffer: header, attribute section, then `data` if any. The document
 * is copied once into the result; to stream a large document use `encodeHeader` and write
 * `data` after it yourself.
 */
export function encodeMessage(message: IppMessage): Uint8Array {
  const end = writeHeader(message);
  const data = message.data;
  return data === undefined || data.length === 0 ? finish(end) : finishWith(end, data);
}

/** Encodes the header and attribute section, up to and including end-of-attributes-tag; never touches `data`. */
export function encodeHeader(message: IppMessage): Buffer {
  return finish(writeHeader(message));
}

/** Writes the message up to end-of-attributes-tag; returns the position after it. */
function writeHeader(message: IppMessage): number {
  const { version, code, requestId } = message;
  if (!inRange(version.major, 0, 0xff)) throw rangeError('version major', version.major, 0, 0xff);
  if (!inRange(version.minor, 0, 0xff)) throw rangeError('version minor', version.minor, 0, 0xff);
  if (!inRange(code, 0, 0xffff)) throw rangeError('operation-id/status-code', code, 0, 0xffff);
  if (!inRange(requestId, 0, 0xffffffff)) throw rangeError('request-id', requestId, 0, 0xffffffff);
  let p = begin();
  room(p, 8);
  const buf = out;
  buf[p] = version.major;
  buf[p + 1] = version.minor;
  buf[p + 2] = code >>> 8;
  buf[p + 3] = code & 0xff;
  buf[p + 4] = requestId >>> 24;
  buf[p + 5] = (requestId >>> 16) & 0xff;
  buf[p + 6] = (requestId >>> 8) & 0xff;
  buf[p + 7] = requestId & 0xff;
  p += 8;
  for (const group of message.groups) {
    if (!Number.isInteger(group.tag) || group.tag < 0 || group.tag > 0x0f || group.tag === 0x03) {
      throw new IppError('IPP_BAD_VALUE', `group tag ${group.tag} is not a delimiter tag 0x00-0x0F other than end-of-attributes`);
    }
    room(p, 1);
    out[p++] = group.tag;
    p = writeAttributes(p, group.attributes);
  }
  room(p, 1);
  out[p++] = 0x03;
  return p;
}

/**
 * Encodes attributes (tag, name and values of each) on their own, for freezeAttributes: a copy,
 * so the slab space is left free.
 */
export function encodeAttributeList(attributes: readonly IppAttribute[]): Uint8Array {
  const from = begin();
  const p = writeAttributes(from, attributes);
  // A copy (Buffer's own slice would be a view of the slab).
  return new Uint8Array(out.subarray(from, p));
}

/**
 * Writes a group's attributes. Attributes from freezeAttributes carry their encoding (D36) and are
 * copied, not walked; consecutive ones frozen together (however the list was filtered since) lie
 * next to each other in one buffer and are copied as one run.
 */
function writeAttributes(p: number, attributes: readonly IppAttribute[]): number {
  const n = attributes.length;
  for (let i = 0; i < n; ) {
    const attribute = attributes[i]!;
    const encoded = (attribute as MaybeEncoded)[ENCODED];
    i++;
    if (encoded === undefined) {
      p = writeAttribute(p, attribute);
      continue;
    }
    const source = encoded.source;
    let end = encoded.end;
    while (i < n) {
      const next = (attributes[i] as MaybeEncoded)[ENCODED];
      if (next === undefined || next.source !== source || next.start !== end) break;
      end = next.end;
      i++;
    }
    p = end === encoded.end ? writeEncoding(p, encoded) : writeRun(p, source, encoded.start, end);
  }
  return p;
}

/** One kept encoding at `p`: short ones as words (no call), long ones with one `set`. */
function writeEncoding(p: number, encoding: Encoding): number {
  const words = encoding.words;
  if (words === undefined) return writeRun(p, encoding.source, encoding.start, encoding.end);
  room(p, words.length * 4);
  const dv = view;
  for (let k = 0, q = p; k < words.length; k++, q += 4) dv.setInt32(q, words[k]!);
  return p + encoding.end - encoding.start;
}

function writeRun(p: number, source: Uint8Array, start: number, end: number): number {
  room(p, end - start);
  out.set(source.subarray(start, end), p);
  return p + end - start;
}

function writeAttribute(p: number, attribute: IppAttribute): number {
  const { name, values } = attribute;
  if (values.length === 0) throw new IppError('IPP_BAD_VALUE', `attribute '${String(name)}' has no values`);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    const kind = tagCode(value.tag, value, false);
    if (i === 0) {
      p = writeTagAndName(p, kind & 0xff, name);
    } else {
      room(p, FIXED_FIELD);
      const buf = out;
      buf[p] = kind & 0xff;
      buf[p + 1] = 0;
      buf[p + 2] = 0;
      p += 3;
    }
    p = writeValue(p, kind, value, name, 0);
  }
  return p;
}

/** Set in a `tagCode` result for a raw value, so that its code is never taken for the syntax of that code. */
const RAW = 0x100;

/**
 * The tag byte for a value (`& 0xff`), plus RAW for a raw value: the encoder dispatches on this
 * number rather than comparing tag strings again. `tag` is read once by the caller (value objects
 * come in many shapes, so each read is costly).
 */
function tagCode(tag: IppValue['tag'], value: IppValue, inCollection: boolean): number {
  // The commonest tags first, in a function small enough to be inlined into its callers.
  if (tag === 'keyword') return 0x44;
  if (tag === 'integer') return 0x21;
  if (tag === 'enum') return 0x23;
  if (tag === 'collection') return 0x34;
  return otherTagCode(tag, value, inCollection);
}

function otherTagCode(tag: IppValue['tag'], value: IppValue, inCollection: boolean): number {
  if (tag === 'raw') {
    const code = (value as { code: number }).code;
    if (!Number.isInteger(code) || code < 0x10 || code > 0xff || code === 0x34 || code === 0x37 || (inCollection && code === 0x4a)) {
      throw new IppError('IPP_BAD_VALUE', `raw value tag ${code} is not a value tag that can be written without breaking framing`);
    }
    return code | RAW;
  }
  if (inCollection && tag === 'memberAttrName') {
    throw new IppError('IPP_BAD_VALUE', 'a memberAttrName value inside a collection would be read back as a member name');
  }
  // A switch on the tag literal compiles to pointer comparisons; a table lookup hashes the string.
  switch (tag) {
    case 'keyword':
      return 0x44;
    case 'integer':
      return 0x21;
    case 'enum':
      return 0x23;
    case 'collection':
      return 0x34;
    case 'nameWithoutLanguage':
      return 0x42;
    case 'textWithoutLanguage':
      return 0x41;
    case 'uri':
      return 0x45;
    case 'boolean':
      return 0x22;
    case 'mimeMediaType':
      return 0x49;
    case 'charset':
      return 0x47;
    case 'naturalLanguage':
      return 0x48;
    case 'uriScheme':
      return 0x46;
    case 'memberAttrName':
      return 0x4a;
    case 'octetString':
      return 0x30;
    case 'dateTime':
      return 0x31;
    case 'resolution':
      return 0x32;
    case 'rangeOfInteger':
      return 0x33;
    case 'textWithLanguage':
      return 0x35;
    case 'nameWithLanguage':
      return 0x36;
    case 'unsupported':
      return 0x10;
    case 'default':
      return 0x11;
    case 'unknown':
      return 0x12;
    case 'noValue':
      return 0x13;
    case 'notSettable':
      return 0x15;
    case 'deleteAttribute':
      return 0x16;
    case 'adminDefine':
      return 0x17;
    default:
      throw new IppError('IPP_BAD_VALUE', `unknown value tag '${String(tag)}'`);
  }
}

/**
 * Writes value-length and value of one value at `p` (its tag and name are already written, with
 * FIXED_FIELD room after them); `kind` is `tagCode`'s result for it. Returns the position after it.
 */
function writeValue(p: number, kind: number, v: IppValue, name: string, depth: number): number {
  switch (kind) {
    // Keyword-like syntaxes come from a small vocabulary and go through the cache of encoded strings.
    case 0x44: // keyword
    case 0x49: // mimeMediaType
    case 0x47: // charset
    case 0x48: // naturalLanguage
    case 0x46: // uriScheme
    case 0x4a /* memberAttrName */: {
      const text = (v as { value: unknown }).value;
      const words = asciiEntry(text);
      if (words === undefined) return writeString(p, v, name);
      room(p, words.length * 4);
      copyWords(p, words);
      return p + (text as string).length + 2;
    }
    case 0x42: // nameWithoutLanguage
    case 0x41: // textWithoutLanguage
    case 0x45: // uri
      return writeString(p, v, name);
    case 0x21: // integer
    case 0x23 /* enum */: {
      const n = (v as { value: number }).value;
      // `(n | 0) === n` holds exactly for the integers in int32 range (as inRange, but no call).
      if ((n | 0) !== n) throw rangeError(`${v.tag} value of '${name}'`, n, -0x80000000, 0x7fffffff);
      const buf = out;
      buf[p] = 0;
      buf[p + 1] = 4;
      buf[p + 2] = n >>> 24;
      buf[p + 3] = (n >>> 16) & 0xff;
      buf[p + 4] = (n >>> 8) & 0xff;
      buf[p + 5] = n & 0xff;
      return p + 6;
    }
    case 0x22: {
      // boolean
      const buf = out;
      buf[p] = 0;
      buf[p + 1] = 1;
      buf[p + 2] = (v as { value: boolean }).value ? 1 : 0;
      return p + 3;
    }
    case 0x34: // collection
      return writeCollection(p, (v as { value: readonly IppAttribute[] }).value, name, depth);
    default:
      return writeOtherValue(p, kind, v, name);
  }
}

/**
 * A cache entry's words at `p`: a fixed run of WORDS_WRITTEN stores (no loop for strings of up to
 * 18 characters), then the rest. The caller has made room for `words.length * 4` octets.
 */
function copyWords(p: number, words: Int32Array): void {
  const dv = view;
  dv.setInt32(p, words[0]!);
  dv.setInt32(p + 4, words[1]!);
  dv.setInt32(p + 8, words[2]!);
  dv.setInt32(p + 12, words[3]!);
  dv.setInt32(p + 16, words[4]!);
  for (let k = WORDS_WRITTEN, q = p + 4 * WORDS_WRITTEN; k < words.length; k++, q += 4) dv.setInt32(q, words[k]!);
}

function writeString(p: number, v: IppValue, name: string): number {
  const text = (v as { value: unknown }).value;
  if (typeof text !== 'string') throw new IppError('IPP_BAD_VALUE', `value of '${name}' with tag '${String(v.tag)}' must be a string`);
  const end = writeUtf8(p, text);
  if (end - p - 2 > MAX_LENGTH) throw tooLong(name, end - p - 2);
  return end;
}

/** A 2-octet length then the UTF-8 of `text` at `p`; returns the position after it. */
function writeUtf8(p: number, text: string): number {
  const n = text.length;
  room(p, 2 + n * 3);
  const buf = out;
  const at = p + 2;
  // ASCII fast path: most IPP strings are short keywords and URIs.
  let i = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) break;
    buf[at + i] = c;
  }
  const len = i === n ? n : asFast(buf).utf8Write(text, at);
  buf[p] = len >>> 8;
  buf[p + 1] = len & 0xff;
  return at + len;
}

function writeCollection(p: number, members: readonly IppAttribute[], name: string, depth: number): number {
  if (depth >= MAX_ENCODE_DEPTH) throw new IppError('IPP_BAD_VALUE', `collections in '${name}' nested deeper than ${MAX_ENCODE_DEPTH}`);
  out[p] = 0; // begCollection value-length (room: FIXED_FIELD)
  out[p + 1] = 0;
  p += 2;
  for (let m = 0; m < members.length; m++) {
    const member = members[m]!;
    const values = member.values;
    if (values.length === 0) throw new IppError('IPP_BAD_VALUE', `collection member '${String(member.name)}' has no values`);
    p = writeTagAndName(p, MEMBER, member.name);
    for (let i = 0; i < values.length; i++) {
      const mv = values[i]!;
      const kind = tagCode(mv.tag, mv, true);
      room(p, FIXED_FIELD);
      const buf = out;
      buf[p] = kind & 0xff;
      buf[p + 1] = 0;
      buf[p + 2] = 0;
      p = writeValue(p + 3, kind, mv, member.name, depth + 1);
    }
  }
  room(p, 5);
  const buf = out;
  buf[p] = 0x37;
  buf[p + 1] = 0;
  buf[p + 2] = 0;
  buf[p + 3] = 0;
  buf[p + 4] = 0;
  return p + 5;
}

/** `writeValue` for the syntaxes rarer than strings, integers, booleans and collections. */
function writeOtherValue(p: number, kind: number, v: IppValue, name: string): number {
  // Out-of-band tags (RFC 8010 §3.5.2) are 0x10-0x1F; a raw value's kind carries RAW above 0xFF.
  if (kind >= 0x10 && kind <= 0x1f) {
    const bytes = (v as { value?: Uint8Array }).value;
    if (bytes !== undefined) return writeBytes(p, bytes, name);
    out[p] = 0;
    out[p + 1] = 0;
    return p + 2;
  }
  const buf = out;
  switch (v.tag) {
    case 'octetString':
    case 'raw':
      return writeBytes(p, v.value, name);
    case 'dateTime': {
      const d = v.value;
      if (!inRange(d.year, 0, 0xffff)) throw rangeError('dateTime year', d.year, 0, 0xffff);
      // Named loads and one combined test: a loop over field names made keyed loads, ~8x slower (profile).
      const { month, day, hours, minutes, seconds, deciSeconds, utcHours, utcMinutes } = d;
      if (!(isByte(month) && isByte(day) && isByte(hours) && isByte(minutes) && isByte(seconds) && isByte(deciSeconds) && isByte(utcHours) && isByte(utcMinutes))) {
        for (const field of DATE_BYTE_FIELDS) if (!isByte(d[field])) throw rangeError(`dateTime ${field}`, d[field], 0, 0xff);
      }
      if (d.utcDirection !== '+' && d.utcDirection !== '-') throw new IppError('IPP_BAD_VALUE', `dateTime utcDirection must be '+' or '-'`);
      buf[p] = 0;
      buf[p + 1] = 11;
      buf[p + 2] = d.year >>> 8;
      buf[p + 3] = d.year & 0xff;
      buf[p + 4] = month;
      buf[p + 5] = day;
      buf[p + 6] = hours;
      buf[p + 7] = minutes;
      buf[p + 8] = seconds;
      buf[p + 9] = deciSeconds;
      buf[p + 10] = d.utcDirection === '+' ? 0x2b : 0x2d;
      buf[p + 11] = utcHours;
      buf[p + 12] = utcMinutes;
      return p + 13;
    }
    case 'resolution': {
      const r = v.value;
      if (!inRange(r.x, -0x80000000, 0x7fffffff)) throw rangeError('resolution x', r.x, -0x80000000, 0x7fffffff);
      if (!inRange(r.y, -0x80000000, 0x7fffffff)) throw rangeError('resolution y', r.y, -0x80000000, 0x7fffffff);
      if (r.units !== 3 && r.units !== 4) throw new IppError('IPP_BAD_VALUE', `resolution units must be 3 (dpi) or 4 (dpcm), not ${String(r.units)}`);
      buf[p] = 0;
      buf[p + 1] = 9;
      buf.writeInt32BE(r.x, p + 2);
      buf.writeInt32BE(r.y, p + 6);
      buf[p + 10] = r.units;
      return p + 11;
    }
    case 'rangeOfInteger': {
      const { lower, upper } = v.value;
      if (!inRange(lower, -0x80000000, 0x7fffffff)) throw rangeError('rangeOfInteger lower', lower, -0x80000000, 0x7fffffff);
      if (!inRange(upper, -0x80000000, 0x7fffffff)) throw rangeError('rangeOfInteger upper', upper, -0x80000000, 0x7fffffff);
      buf[p] = 0;
      buf[p + 1] = 8;
      buf.writeInt32BE(lower, p + 2);
      buf.writeInt32BE(upper, p + 6);
      return p + 10;
    }
    case 'textWithLanguage':
    case 'nameWithLanguage': {
      if (typeof v.language !== 'string' || typeof v.value !== 'string') {
        throw new IppError('IPP_BAD_VALUE', `value of '${name}' with tag '${v.tag}' must have a string value and language`);
      }
      // RFC 8010 §3.9: value-length, then lang-length + lang, then text-length + text.
      const end = writeUtf8(writeUtf8(p + 2, v.language), v.value);
      const total = end - p - 2;
      if (total > MAX_LENGTH) throw tooLong(name, total);
      out[p] = total >>> 8;
      out[p + 1] = total & 0xff;
      return end;
    }
    default:
      // tagCode accepts no other tag.
      throw new IppError('IPP_BAD_VALUE', `unknown value tag '${String(v.tag)}'`);
  }
}

function writeBytes(p: number, bytes: Uint8Array, name: string): number {
  const n = bytes.length;
  if (n > MAX_LENGTH) throw tooLong(name, n);
  room(p, 2 + n);
  const buf = out;
  buf[p] = n >>> 8;
  buf[p + 1] = n & 0xff;
  buf.set(bytes, p + 2);
  return p + 2 + n;
}

/** `writeTagAndName`'s code for a collection member: memberAttrName tag, empty name, then the member name as value. */
const MEMBER = -1;

/**
 * Writes at `p` the tag byte `code` and the name-length and name (for MEMBER, the memberAttrName
 * tag, an empty name and the member name as its value), leaving room for a value-length and a
 * fixed-size value after them. Returns the position after the name.
 */
function writeTagAndName(p: number, code: number, name: string): number {
  const words = asciiEntry(name);
  if (words !== undefined) {
    room(p, 3 + words.length * 4 + FIXED_FIELD);
    const buf = out;
    if (code === MEMBER) {
      buf[p] = 0x4a;
      buf[p + 1] = 0;
      buf[p + 2] = 0;
      p += 3;
    } else {
      buf[p++] = code;
    }
    copyWords(p, words);
    return p + name.length + 2;
  }
  if (typeof name !== 'string' || name.length === 0) throw new IppError('IPP_BAD_VALUE', 'attribute name must be a non-empty string');
  if (name.length > MAX_LENGTH) throw new IppError('IPP_NAME_TOO_LONG', `attribute name of ${name.length} octets cannot be encoded`);
  const n = name.length;
  room(p, 5 + n + FIXED_FIELD);
  const buf = out;
  if (code === MEMBER) {
    buf[p] = 0x4a;
    buf[p + 1] = 0;
    buf[p + 2] = 0;
    p += 3;
  } else {
    buf[p++] = code;
  }
  // Names are keywords, written as latin1 so that any name the decoder read comes back byte for byte.
  buf[p] = n >>> 8;
  buf[p + 1] = n & 0xff;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c > 0xff) throw new IppError('IPP_BAD_VALUE', `attribute name '${name}' has a character outside latin1 (names are keywords)`);
    buf[p + 2 + i] = c;
  }
  return p + 2 + n;
}

/** An integer in 0..255: of numbers, `(n & 0xff) === n` holds for exactly those. */
function isByte(n: number): boolean {
  return typeof n === 'number' && (n & 0xff) === n;
}

function inRange(n: number, min: number, max: number): boolean {
  return Number.isInteger(n) && n >= min && n <= max;
}

function rangeError(what: string, n: number, min: number, max: number): IppError {
  return new IppError('IPP_BAD_VALUE', `${what} must be an integer in ${min}..${max}, not ${String(n)}`);
}

function tooLong(name: string, len: number): IppError {
  return new IppError('IPP_VALUE_TOO_LONG', `value of '${name}' is ${len} octets; a value-length field holds at most ${MAX_LENGTH}`);
}
