import { Buffer } from 'node:buffer';
import type { IppAttribute, IppMessage, IppValue } from '@trustnoone/ipp';

/**
 * A deliberately plain RFC 8010 §3 encoder, written for the tests only: one small Buffer per
 * field, joined at the end, no cache, no shared buffer, no dispatch tricks. It checks nothing (it
 * is fed valid messages); the real encoder (src/encode.ts) must produce exactly its bytes.
 */

/** Value tags by the model's tag name (RFC 8010 §3.5.2; `raw` carries its own code). */
const TAG: Record<string, number> = {
  unsupported: 0x10, default: 0x11, unknown: 0x12, noValue: 0x13, notSettable: 0x15, deleteAttribute: 0x16, adminDefine: 0x17,
  integer: 0x21, boolean: 0x22, enum: 0x23,
  octetString: 0x30, dateTime: 0x31, resolution: 0x32, rangeOfInteger: 0x33, collection: 0x34, textWithLanguage: 0x35, nameWithLanguage: 0x36,
  textWithoutLanguage: 0x41, nameWithoutLanguage: 0x42, keyword: 0x44, uri: 0x45, uriScheme: 0x46, charset: 0x47, naturalLanguage: 0x48, mimeMediaType: 0x49, memberAttrName: 0x4a,
};

const u8 = (n: number): Buffer => Buffer.from([n]);
const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
const i32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
/** A SHORT length then the bytes. */
const counted = (bytes: Uint8Array): Buffer => Buffer.concat([u16(bytes.length), bytes]);

/** RFC 8010 §3.9: the value field (value-length and value) of one value. */
function valueField(v: IppValue, parts: Buffer[]): void {
  switch (v.tag) {
    case 'integer':
    case 'enum':
      parts.push(counted(i32(v.value)));
      return;
    case 'boolean':
      parts.push(counted(u8(v.value ? 1 : 0)));
      return;
    case 'octetString':
    case 'raw':
      parts.push(counted(v.value));
      return;
    case 'dateTime': {
      const d = v.value;
      const fields = [d.month, d.day, d.hours, d.minutes, d.seconds, d.deciSeconds, d.utcDirection.charCodeAt(0), d.utcHours, d.utcMinutes];
      parts.push(counted(Buffer.concat([u16(d.year), Buffer.from(fields)])));
      return;
    }
    case 'resolution':
      parts.push(counted(Buffer.concat([i32(v.value.x), i32(v.value.y), u8(v.value.units)])));
      return;
    case 'rangeOfInteger':
      parts.push(counted(Buffer.concat([i32(v.value.lower), i32(v.value.upper)])));
      return;
    case 'textWithLanguage':
    case 'nameWithLanguage':
      parts.push(counted(Buffer.concat([counted(Buffer.from(v.language, 'utf8')), counted(Buffer.from(v.value, 'utf8'))])));
      return;
    case 'collection':
      // RFC 8010 §3.1.6: begCollection has an empty value; members follow, then endCollection.
      parts.push(u16(0));
      for (const member of v.value) {
        parts.push(u8(0x4a), u16(0), counted(Buffer.from(member.name, 'latin1')));
        for (const mv of member.values) {
          parts.push(u8(mv.tag === 'raw' ? mv.code : TAG[mv.tag]!), u16(0));
          valueField(mv, parts);
        }
      }
      parts.push(u8(0x37), u16(0), u16(0));
      return;
    default:
      // Strings are UTF-8; out-of-band values keep whatever bytes they carry (normally none).
      parts.push(counted(typeof v.value === 'string' ? Buffer.from(v.value, 'utf8') : (v.value ?? new Uint8Array(0))));
  }
}

function attributeFields(a: IppAttribute, parts: Buffer[]): void {
  a.values.forEach((v, i) => {
    parts.push(u8(v.tag === 'raw' ? v.code : TAG[v.tag]!));
    // RFC 8010 §3.1.4: additional values of a 1setOf have an empty name. Names are written as latin1.
    parts.push(i === 0 ? counted(Buffer.from(a.name, 'latin1')) : u16(0));
    valueField(v, parts);
  });
}

/** The whole message: header, groups, end-of-attributes-tag, then `data`. */
export function referenceEncode(m: IppMessage): Buffer {
  const parts: Buffer[] = [u8(m.version.major), u8(m.version.minor), u16(m.code), Buffer.from([m.requestId >>> 24, (m.requestId >>> 16) & 0xff, (m.requestId >>> 8) & 0xff, m.requestId & 0xff])];
  for (const g of m.groups) {
    parts.push(u8(g.tag));
    for (const a of g.attributes) attributeFields(a, parts);
  }
  parts.push(u8(0x03));
  if (m.data !== undefined) parts.push(Buffer.from(m.data));
  return Buffer.concat(parts);
}
