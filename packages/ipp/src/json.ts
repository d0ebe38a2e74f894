import { Buffer } from 'node:buffer';
import { IppError } from './errors.js';
import { GroupTag } from './model.js';
import type { IppAttribute, IppDateTime, IppGroup, IppMessage, IppValue, OutOfBandTag, StringTag } from './model.js';
import { enumName, operationCode, operationName, statusCode, statusName } from './registry/lookup.js';
import { isOutOfBand } from './values.js';
import { groupTagName } from './tags.js';

/**
 * A lossless JSON form of IppMessage, for `tno ipp decode/encode`, fixtures and logs:
 * bytes as hex (document data as base64), dateTime field by field, every value with its own tag.
 * Names given for people (operation, status, enum keyword, group name) are ignored when reading
 * back when the number is present, so editing either works.
 */

export interface JsonMessage {
  readonly version: string;
  readonly code: number;
  /** For people: the code read as an operation-id and as a status-code. */
  readonly operation?: string;
  readonly status?: string;
  readonly requestId: number;
  readonly groups: readonly { readonly tag: string | number; readonly attributes: readonly JsonAttribute[] }[];
  readonly data?: { readonly base64: string };
}
export interface JsonAttribute {
  readonly name: string;
  readonly values: readonly JsonValue[];
}
export type JsonValue = { readonly tag: string } & Record<string, unknown>;

const OUT_OF_BAND = new Set(['unsupported', 'default', 'unknown', 'noValue', 'notSettable', 'deleteAttribute', 'adminDefine']);
const STRINGS = new Set(['textWithoutLanguage', 'nameWithoutLanguage', 'keyword', 'uri', 'uriScheme', 'charset', 'naturalLanguage', 'mimeMediaType', 'memberAttrName']);

export function messageToJson(message: IppMessage): JsonMessage {
  return {
    version: `${message.version.major}.${message.version.minor}`,
    code: message.code,
    operation: operationName(message.code),
    status: statusName(message.code),
    requestId: message.requestId,
    groups: message.groups.map((g) => ({ tag: groupTagName(g.tag) ?? g.tag, attributes: g.attributes.map((a) => attributeToJson(a)) })),
    ...(message.data === undefined ? {} : { data: { base64: Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength).toString('base64') } }),
  };
}

function attributeToJson(attribute: IppAttribute): JsonAttribute {
  return { name: attribute.name, values: attribute.values.map((v) => valueToJson(v, attribute.name)) };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function valueToJson(v: IppValue, name: string): JsonValue {
  if (isOutOfBand(v)) return v.value === undefined ? { tag: v.tag } : { tag: v.tag, hex: hex(v.value) };
  switch (v.tag) {
    case 'enum': {
      const keyword = enumName(name, v.value);
      return keyword === String(v.value) ? { tag: v.tag, value: v.value } : { tag: v.tag, value: v.value, keyword };
    }
    case 'octetString':
      return { tag: v.tag, hex: hex(v.value) };
    case 'raw':
      return { tag: v.tag, code: v.code, hex: hex(v.value) };
    case 'collection':
      return { tag: v.tag, members: v.value.map((m) => attributeToJson(m)) };
    default:
      return { ...v } as JsonValue;
  }
}

/** Reads the JSON form back; any shape error is an IppError('IPP_BAD_VALUE') naming the JSON path. */
export function messageFromJson(json: unknown): IppMessage {
  const m = object(json, '$');
  const version = str(m.version, '$.version');
  const vm = /^(\d{1,3})\.(\d{1,3})$/.exec(version);
  if (vm === null) throw bad('$.version', 'must look like "2.0"');
  const code =
    m.code !== undefined
      ? int(m.code, '$.code')
      : typeof m.operation === 'string'
        ? (operationCode(m.operation) ?? bad('$.operation', 'unknown operation'))
        : typeof m.status === 'string'
          ? (statusCode(m.status) ?? bad('$.status', 'unknown status'))
          : bad('$.code', 'missing');
  const groups = array(m.groups, '$.groups').map((g, i): IppGroup => {
    const go = object(g, `$.groups[${i}]`);
    const tag = typeof go.tag === 'string' ? (GroupTag[go.tag as keyof typeof GroupTag] ?? bad(`$.groups[${i}].tag`, 'unknown group')) : int(go.tag, `$.groups[${i}].tag`);
    return { tag, attributes: array(go.attributes, `$.groups[${i}].attributes`).map((a, j) => attributeFromJson(a, `$.groups[${i}].attributes[${j}]`)) };
  });
  const message: IppMessage = { version: { major: Number(vm[1]), minor: Number(vm[2]) }, code, requestId: int(m.requestId, '$.requestId'), groups };
  if (m.data === undefined) return message;
  return { ...message, data: Buffer.from(str(object(m.data, '$.data').base64, '$.data.base64'), 'base64') };
}

function attributeFromJson(json: unknown, path: string): IppAttribute {
  const a = object(json, path);
  return { name: str(a.name, `${path}.name`), values: array(a.values, `${path}.values`).map((v, i) => valueFromJson(v, `${path}.values[${i}]`)) };
}

function valueFromJson(json: unknown, path: string): IppValue {
  const v = object(json, path);
  const tag = str(v.tag, `${path}.tag`);
  const bytes = (): Uint8Array => {
    const h = str(v.hex, `${path}.hex`);
    if (!/^([0-9a-f]{2})*$/i.test(h)) throw bad(`${path}.hex`, 'must be an even number of hex digits');
    return new Uint8Array(Buffer.from(h, 'hex'));
  };
  if (STRINGS.has(tag)) return { tag: tag as StringTag, value: str(v.value, `${path}.value`) };
  if (OUT_OF_BAND.has(tag)) return v.hex === undefined ? { tag: tag as OutOfBandTag } : { tag: tag as OutOfBandTag, value: bytes() };
  switch (tag) {
    case 'integer':
    case 'enum':
      return { tag, value: int(v.value, `${path}.value`) };
    case 'boolean':
      if (typeof v.value !== 'boolean') throw bad(`${path}.value`, 'must be true or false');
      return { tag, value: v.value };
    case 'octetString':
      return { tag, value: bytes() };
    case 'raw':
      return { tag, code: int(v.code, `${path}.code`), value: bytes() };
    case 'textWithLanguage':
    case 'nameWithLanguage':
      return { tag, value: str(v.value, `${path}.value`), language: str(v.language, `${path}.language`) };
    case 'dateTime': {
      const d = object(v.value, `${path}.value`);
      const f = (k: keyof IppDateTime): number => int(d[k], `${path}.value.${k}`);
      if (d.utcDirection !== '+' && d.utcDirection !== '-') throw bad(`${path}.value.utcDirection`, "must be '+' or '-'");
      return {
        tag,
        value: { year: f('year'), month: f('month'), day: f('day'), hours: f('hours'), minutes: f('minutes'), seconds: f('seconds'), deciSeconds: f('deciSeconds'), utcDirection: d.utcDirection, utcHours: f('utcHours'), utcMinutes: f('utcMinutes') },
      };
    }
    case 'resolution': {
      const r = object(v.value, `${path}.value`);
      const units = int(r.units, `${path}.value.units`);
      if (units !== 3 && units !== 4) throw bad(`${path}.value.units`, 'must be 3 (dpi) or 4 (dpcm)');
      return { tag, value: { x: int(r.x, `${path}.value.x`), y: int(r.y, `${path}.value.y`), units } };
    }
    case 'rangeOfInteger': {
      const r = object(v.value, `${path}.value`);
      return { tag, value: { lower: int(r.lower, `${path}.value.lower`), upper: int(r.upper, `${path}.value.upper`) } };
    }
    case 'collection':
      return { tag, value: array(v.members, `${path}.members`).map((m, i) => attributeFromJson(m, `${path}.members[${i}]`)) };
    default:
      throw bad(`${path}.tag`, `unknown value tag '${tag}'`);
  }
}

function bad(path: string, why: string): never {
  throw new IppError('IPP_BAD_VALUE', `JSON ${path} ${why}`);
}
function object(x: unknown, path: string): Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) bad(path, 'must be an object');
  return x as Record<string, unknown>;
}
function array(x: unknown, path: string): unknown[] {
  if (!Array.isArray(x)) bad(path, 'must be an array');
  return x;
}
function str(x: unknown, path: string): string {
  if (typeof x !== 'string') bad(path, 'must be a string');
  return x;
}
function int(x: unknown, path: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x)) bad(path, 'must be an integer');
  return x;
}
