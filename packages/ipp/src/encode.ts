import { Buffer } from 'node:buffer';
import { IppError } from './errors.js';
import type { IppAttribute, IppMessage, IppValue } from './model.js';
import { asciiEntry } from './encode-cache.js';
import { isOutOfBand } from './values.js';
import { ByteWriter } from './writer.js';

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
  const w = writeHeader(message);
  const data = message.data;
  return data === undefined || data.length === 0 ? w.result() : w.resultWith(data);
}

/** Encodes the header and attribute section, up to and including end-of-attributes-tag; never touches `data`. */
export function encodeHeader(message: IppMessage): Buffer {
  return writeHeader(message).result();
}

function writeHeader(message: IppMessage): ByteWriter {
  const w = new ByteWriter();
  w.ensure(8);
  const { version, code, requestId } = message;
  if (!inRange(version.major, 0, 0xff)) throw rangeError('version major', version.major, 0, 0xff);
  if (!inRange(version.minor, 0, 0xff)) throw rangeError('version minor', version.minor, 0, 0xff);
  if (!inRange(code, 0, 0xffff)) throw rangeError('operation-id/status-code', code, 0, 0xffff);
  if (!inRange(requestId, 0, 0xffffffff)) throw rangeError('request-id', requestId, 0, 0xffffffff);
  w.u8(version.major);
  w.u8(version.minor);
  w.u16(code);
  w.u32(requestId);
  for (const group of message.groups) {
    if (!Number.isInteger(group.tag) || group.tag < 0 || group.tag > 0x0f || group.tag === 0x03) {
      throw new IppError('IPP_BAD_VALUE', `group tag ${group.tag} is not a delimiter tag 0x00-0x0F other than end-of-attributes`);
    }
    w.ensure(1);
    w.u8(group.tag);
    for (const attribute of group.attributes) writeAttribute(w, attribute);
  }
  w.ensure(1);
  w.u8(0x03);
  return w;
}

function writeAttribute(w: ByteWriter, attribute: IppAttribute): void {
  const { name, values } = attribute;
  if (values.length === 0) throw new IppError('IPP_BAD_VALUE', `attribute '${String(name)}' has no values`);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    const kind = tagCode(value.tag, value, false);
    if (i === 0) {
      writeTagAndName(w, kind & 0xff, name);
    } else {
      w.ensure(FIXED_FIELD);
      w.u8(kind & 0xff);
      w.u16(0);
    }
    writeValue(w, kind, value, name, 0);
  }
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
 * Writes value-length and value of one value (its tag and name are already written); `kind` is
 * `tagCode`'s result for it.
 */
function writeValue(w: ByteWriter, kind: number, v: IppValue, name: string, depth: number): void {
  switch (kind) {
    // Keyword-like syntaxes come from a small vocabulary and go through the cache of encoded strings.
    case 0x44: // keyword
    case 0x49: // mimeMediaType
    case 0x47: // charset
    case 0x48: // naturalLanguage
    case 0x46: // uriScheme
    case 0x4a /* memberAttrName */: {
      const text = (v as { value: unknown }).value;
      const entry = asciiEntry(text);
      if (entry === undefined) {
        writeString(w, v, name);
        return;
      }
      // The entry as whole words (up to 3 octets of padding past `length`, hence `+ 3`), inline:
      // a call per value costs as much as the copy.
      const length = (text as string).length + 2;
      w.ensure(length + 3);
      const view = w.view;
      let p = w.pos;
      for (let k = 0; k < entry.length; k++, p += 4) view.setInt32(p, entry[k]!);
      w.pos += length;
      return;
    }
    case 0x42: // nameWithoutLanguage
    case 0x41: // textWithoutLanguage
    case 0x45: // uri
      writeString(w, v, name);
      return;
    case 0x21: // integer
    case 0x23 /* enum */: {
      const n = (v as { value: number }).value;
      // `(n | 0) === n` holds exactly for the integers in int32 range (as inRange, but no call).
      if ((n | 0) !== n) throw rangeError(`${v.tag} value of '${name}'`, n, -0x80000000, 0x7fffffff);
      w.u16(4);
      w.i32(n);
      return;
    }
    case 0x22: // boolean
      w.u16(1);
      w.u8((v as { value: boolean }).value ? 1 : 0);
      return;
    case 0x34: // collection
      writeCollection(w, (v as { value: readonly IppAttribute[] }).value, name, depth);
      return;
    default:
      writeOtherValue(w, v, name);
  }
}

function writeString(w: ByteWriter, v: IppValue, name: string): void {
  const text = (v as { value: unknown }).value;
  if (typeof text !== 'string') throw new IppError('IPP_BAD_VALUE', `value of '${name}' with tag '${String(v.tag)}' must be a string`);
  const len = w.lengthPrefixedUtf8(text);
  if (len > MAX_LENGTH) throw tooLong(name, len);
}

function writeCollection(w: ByteWriter, members: readonly IppAttribute[], name: string, depth: number): void {
  if (depth >= MAX_ENCODE_DEPTH) throw new IppError('IPP_BAD_VALUE', `collections in '${name}' nested deeper than ${MAX_ENCODE_DEPTH}`);
  w.u16(0); // begCollection value-length
  for (const member of members) {
    if (member.values.length === 0) throw new IppError('IPP_BAD_VALUE', `collection member '${String(member.name)}' has no values`);
    writeTagAndName(w, MEMBER, member.name);
    for (const mv of member.values) {
      const kind = tagCode(mv.tag, mv, true);
      w.ensure(FIXED_FIELD);
      w.u8(kind & 0xff);
      w.u16(0);
      writeValue(w, kind, mv, member.name, depth + 1);
    }
  }
  w.ensure(5);
  w.u8(0x37);
  w.u16(0);
  w.u16(0);
}

/** `writeValue` for the syntaxes rarer than strings, integers, booleans and collections. */
function writeOtherValue(w: ByteWriter, v: IppValue, name: string): void {
  if (isOutOfBand(v)) {
    if (v.value === undefined) w.u16(0);
    else writeBytes(w, v.value, name);
    return;
  }
  switch (v.tag) {
    case 'octetString':
    case 'raw':
      writeBytes(w, v.value, name);
      return;
    case 'dateTime': {
      const d = v.value;
      if (!inRange(d.year, 0, 0xffff)) throw rangeError('dateTime year', d.year, 0, 0xffff);
      for (const field of DATE_BYTE_FIELDS) if (!inRange(d[field], 0, 0xff)) throw rangeError(`dateTime ${field}`, d[field], 0, 0xff);
      if (d.utcDirection !== '+' && d.utcDirection !== '-') throw new IppError('IPP_BAD_VALUE', `dateTime utcDirection must be '+' or '-'`);
      w.u16(11);
      w.u16(d.year);
      w.u8(d.month);
      w.u8(d.day);
      w.u8(d.hours);
      w.u8(d.minutes);
      w.u8(d.seconds);
      w.u8(d.deciSeconds);
      w.u8(d.utcDirection === '+' ? 0x2b : 0x2d);
      w.u8(d.utcHours);
      w.u8(d.utcMinutes);
      return;
    }
    case 'resolution': {
      const r = v.value;
      if (!inRange(r.x, -0x80000000, 0x7fffffff)) throw rangeError('resolution x', r.x, -0x80000000, 0x7fffffff);
      if (!inRange(r.y, -0x80000000, 0x7fffffff)) throw rangeError('resolution y', r.y, -0x80000000, 0x7fffffff);
      if (r.units !== 3 && r.units !== 4) throw new IppError('IPP_BAD_VALUE', `resolution units must be 3 (dpi) or 4 (dpcm), not ${String(r.units)}`);
      w.u16(9);
      w.i32(r.x);
      w.i32(r.y);
      w.u8(r.units);
      return;
    }
    case 'rangeOfInteger':
      if (!inRange(v.value.lower, -0x80000000, 0x7fffffff)) throw rangeError('rangeOfInteger lower', v.value.lower, -0x80000000, 0x7fffffff);
      if (!inRange(v.value.upper, -0x80000000, 0x7fffffff)) throw rangeError('rangeOfInteger upper', v.value.upper, -0x80000000, 0x7fffffff);
      w.u16(8);
      w.i32(v.value.lower);
      w.i32(v.value.upper);
      return;
    case 'textWithLanguage':
    case 'nameWithLanguage': {
      const lengthAt = w.pos;
      w.u16(0);
      const langLen = w.lengthPrefixedUtf8(v.language);
      const textLen = w.lengthPrefixedUtf8(v.value);
      const total = 4 + langLen + textLen;
      if (total > MAX_LENGTH) throw tooLong(name, total);
      w.patchU16(lengthAt, total);
      return;
    }
  }
}

function writeBytes(w: ByteWriter, bytes: Uint8Array, name: string): void {
  if (bytes.length > MAX_LENGTH) throw tooLong(name, bytes.length);
  w.u16(bytes.length);
  w.bytes(bytes);
}

/** `writeTagAndName`'s code for a collection member: memberAttrName tag, empty name, then the member name as value. */
const MEMBER = -1;

/**
 * Writes the tag byte `code` and the name-length and name (for MEMBER, the memberAttrName tag, an
 * empty name and the member name as its value), leaving room for a value-length and a fixed-size
 * value after them.
 */
function writeTagAndName(w: ByteWriter, code: number, name: string): void {
  const entry = asciiEntry(name);
  if (entry !== undefined) {
    const length = name.length + 2;
    w.ensure(3 + length + FIXED_FIELD);
    if (code === MEMBER) {
      w.u8(0x4a);
      w.u16(0);
    } else {
      w.u8(code);
    }
    // The entry as whole words, as in writeValue (FIXED_FIELD covers the padding).
    const view = w.view;
    let p = w.pos;
    for (let k = 0; k < entry.length; k++, p += 4) view.setInt32(p, entry[k]!);
    w.pos += length;
    return;
  }
  w.ensure(3 + FIXED_FIELD);
  if (code === MEMBER) {
    w.u8(0x4a);
    w.u16(0);
  } else {
    w.u8(code);
  }
  writeName(w, name);
}

function writeName(w: ByteWriter, name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new IppError('IPP_BAD_VALUE', 'attribute name must be a non-empty string');
  if (name.length > MAX_LENGTH) throw new IppError('IPP_NAME_TOO_LONG', `attribute name of ${name.length} octets cannot be encoded`);
  if (!w.lengthPrefixedLatin1(name)) throw new IppError('IPP_BAD_VALUE', `attribute name '${name}' has a character outside latin1 (names are keywords)`);
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
