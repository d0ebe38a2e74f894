import { Buffer } from 'node:buffer';
import { IppError } from './errors.js';
import type { DecodeLimits, DecodeOptions } from './limits.js';
import { resolveLimits } from './limits.js';
import type { IppAttribute, IppGroup, IppMessage, IppValue } from './model.js';
import { decodeValue } from './decode-value.js';
import { readLatin1 } from './strings.js';

const END_OF_ATTRIBUTES = 0x03;
const BEG_COLLECTION = 0x34;
const END_COLLECTION = 0x37;
const MEMBER_ATTR_NAME = 0x4a;

/** An open collection while its members are read (RFC 8010 §3.1.6). */
interface Frame {
  readonly members: IppAttribute[];
  /** The name from a memberAttrName still waiting for its first value. */
  pendingName: string | undefined;
  /** Values of the member read last; later values with no memberAttrName before them join it (1setOf). */
  memberValues: IppValue[] | undefined;
}

export interface DecodedSection {
  readonly message: IppMessage;
  /** Offset just past the end-of-attributes-tag: where document data starts. */
  readonly end: number;
}

/**
 * Decodes a whole `application/ipp` body. `data` is a view (not a copy) of the bytes after
 * end-of-attributes-tag, omitted when there are none.
 */
export function decodeMessage(bytes: Uint8Array, options?: DecodeOptions): IppMessage {
  const buf = toBuffer(bytes);
  const { message, end } = decodeAttributeSection(buf, resolveLimits(options));
  return end < buf.length ? { ...message, data: buf.subarray(end) } : message;
}

export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * One pass over the header and the attribute section (RFC 8010 §3.1): explicit states are the
 * group being filled, the attribute receiving additional values and the stack of open collections.
 * Nothing is allocated per byte; every length is checked against the limits before it is used.
 */
export function decodeAttributeSection(buf: Buffer, limits: DecodeLimits): DecodedSection {
  const total = buf.length;
  const cap = Math.min(total, limits.maxMessageBytes);
  const overrun = (needEnd: number, at: number): IppError =>
    needEnd > total
      ? new IppError('IPP_TRUNCATED', `message ends after ${total} bytes, inside a field that needs ${needEnd - at} more from here`, { offset: at })
      : new IppError('IPP_MESSAGE_TOO_LARGE', `attribute section exceeds the ${limits.maxMessageBytes}-byte limit`, { offset: at });
  if (cap < 8) throw overrun(8, 0);

  const groups: IppGroup[] = [];
  const stack: Frame[] = [];
  let attributes: IppAttribute[] | undefined;
  let values: IppValue[] | undefined;
  let count = 0;
  let pos = 8;

  for (;;) {
    if (pos >= cap) throw overrun(pos + 1, pos);
    const tag = buf[pos]!;
    if (tag < 0x10) {
      // delimiter tag (RFC 8010 §3.5.1)
      if (stack.length > 0) throw new IppError('IPP_BAD_COLLECTION', `group tag 0x${hex2(tag)} inside an open collection`, { offset: pos });
      pos++;
      if (tag === END_OF_ATTRIBUTES) break;
      attributes = [];
      groups.push({ tag, attributes });
      values = undefined;
      continue;
    }
    const tagPos = pos;
    if (pos + 3 > cap) throw overrun(pos + 3, pos);
    const nameLen = (buf[pos + 1]! << 8) | buf[pos + 2]!;
    if (nameLen > limits.maxNameLength) {
      throw new IppError('IPP_NAME_TOO_LONG', `attribute name of ${nameLen} octets exceeds the ${limits.maxNameLength}-octet limit`, { offset: pos + 1 });
    }
    const nameStart = pos + 3;
    const lenPos = nameStart + nameLen;
    if (lenPos + 2 > cap) throw overrun(lenPos + 2, nameStart);
    const valueLen = (buf[lenPos]! << 8) | buf[lenPos + 1]!;
    if (valueLen > limits.maxValueLength) {
      throw new IppError('IPP_VALUE_TOO_LONG', `value of ${valueLen} octets exceeds the ${limits.maxValueLength}-octet limit`, { offset: lenPos });
    }
    const start = lenPos + 2;
    const end = start + valueLen;
    if (end > cap) throw overrun(end, start);
    pos = end;
    if (attributes === undefined) throw new IppError('IPP_VALUE_OUTSIDE_GROUP', 'attribute before any group tag', { offset: tagPos });

    const frame = stack.length === 0 ? undefined : stack[stack.length - 1]!;
    if (frame === undefined) {
      if (tag === END_COLLECTION) throw new IppError('IPP_BAD_COLLECTION', 'endCollection with no open collection', { offset: tagPos });
      if (nameLen > 0) {
        if (++count > limits.maxAttributes) throw tooMany(limits, tagPos);
        values = [];
        attributes.push({ name: readLatin1(buf, nameStart, lenPos), values });
      } else if (values === undefined) {
        throw new IppError('IPP_MISSING_NAME', 'additional value (name-length 0) with no attribute before it', { offset: tagPos });
      }
      values.push(tag === BEG_COLLECTION ? openCollection(stack, limits, tagPos, valueLen) : decodeValue(buf, tag, start, end));
      continue;
    }

    // Inside a collection every field has name-length 0 (RFC 8010 §3.1.6).
    if (nameLen !== 0) throw new IppError('IPP_BAD_COLLECTION', 'named attribute inside a collection (member names travel in memberAttrName)', { offset: tagPos });
    if (tag === MEMBER_ATTR_NAME) {
      if (frame.pendingName !== undefined) throw new IppError('IPP_BAD_COLLECTION', `collection member '${frame.pendingName}' has no value`, { offset: tagPos });
      if (valueLen === 0) throw new IppError('IPP_BAD_COLLECTION', 'empty collection member name', { offset: tagPos });
      if (valueLen > limits.maxNameLength) {
        throw new IppError('IPP_NAME_TOO_LONG', `member name of ${valueLen} octets exceeds the ${limits.maxNameLength}-octet limit`, { offset: lenPos });
      }
      if (++count > limits.maxAttributes) throw tooMany(limits, tagPos);
      frame.pendingName = readLatin1(buf, start, end);
      continue;
    }
    if (tag === END_COLLECTION) {
      if (frame.pendingName !== undefined) throw new IppError('IPP_BAD_COLLECTION', `collection member '${frame.pendingName}' has no value`, { offset: tagPos });
      if (valueLen !== 0) throw new IppError('IPP_BAD_COLLECTION', 'endCollection with a non-empty value', { offset: tagPos });
      stack.pop();
      continue;
    }
    let memberValues = frame.memberValues;
    if (frame.pendingName !== undefined) {
      memberValues = frame.memberValues = [];
      frame.members.push({ name: frame.pendingName, values: memberValues });
      frame.pendingName = undefined;
    } else if (memberValues === undefined) {
      throw new IppError('IPP_BAD_COLLECTION', 'collection value with no memberAttrName before it', { offset: tagPos });
    }
    memberValues.push(tag === BEG_COLLECTION ? openCollection(stack, limits, tagPos, valueLen) : decodeValue(buf, tag, start, end));
  }

  const message: IppMessage = {
    version: { major: buf[0]!, minor: buf[1]! },
    code: (buf[2]! << 8) | buf[3]!,
    requestId: buf.readUInt32BE(4),
    groups,
  };
  return { message, end: pos };
}

function openCollection(stack: Frame[], limits: DecodeLimits, at: number, valueLen: number): IppValue {
  if (valueLen !== 0) throw new IppError('IPP_BAD_COLLECTION', 'begCollection with a non-empty value', { offset: at });
  if (stack.length >= limits.maxCollectionDepth) {
    throw new IppError('IPP_TOO_DEEP', `collections nested deeper than ${limits.maxCollectionDepth}`, { offset: at });
  }
  const members: IppAttribute[] = [];
  stack.push({ members, pendingName: undefined, memberValues: undefined });
  return { tag: 'collection', value: members };
}

function tooMany(limits: DecodeLimits, at: number): IppError {
  return new IppError('IPP_TOO_MANY_ATTRIBUTES', `more than ${limits.maxAttributes} attributes`, { offset: at });
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export type { DecodeOptions };
