import type { Buffer } from 'node:buffer';
import type { IppValue, OutOfBandTag, StringTag } from './model.js';
import { readUtf8 } from './strings.js';
import { VALUE_TAG_NAME } from './tags.js';

/**
 * Decodes one value field (RFC 8010 §3.9) other than begCollection. A value whose bytes do not
 * fit its syntax (wrong length, ill-formed UTF-8, unknown resolution units, ...) is kept as
 * `raw` with its tag so a relay re-encodes it byte for byte; validation reports it.
 */
export function decodeValue(buf: Buffer, tag: number, start: number, end: number): IppValue {
  const len = end - start;
  switch (tag) {
    case 0x21: // integer
      if (len === 4) return { tag: 'integer', value: buf.readInt32BE(start) };
      break;
    case 0x23: // enum
      if (len === 4) return { tag: 'enum', value: buf.readInt32BE(start) };
      break;
    case 0x22: // boolean: one octet, 0x00 or 0x01
      if (len === 1 && buf[start]! <= 1) return { tag: 'boolean', value: buf[start] === 1 };
      break;
    case 0x30: // octetString
      return { tag: 'octetString', value: new Uint8Array(buf.subarray(start, end)) };
    case 0x31: // dateTime: RFC 2579 DateAndTime, 11 octets
      if (len === 11) {
        const dir = buf[start + 8];
        if (dir === 0x2b || dir === 0x2d) {
          return {
            tag: 'dateTime',
            value: {
              year: (buf[start]! << 8) | buf[start + 1]!,
              month: buf[start + 2]!,
              day: buf[start + 3]!,
              hours: buf[start + 4]!,
              minutes: buf[start + 5]!,
              seconds: buf[start + 6]!,
              deciSeconds: buf[start + 7]!,
              utcDirection: dir === 0x2b ? '+' : '-',
              utcHours: buf[start + 9]!,
              utcMinutes: buf[start + 10]!,
            },
          };
        }
      }
      break;
    case 0x32: // resolution: x, y (SIGNED-INTEGER), units (SIGNED-BYTE 3 or 4)
      if (len === 9) {
        const units = buf[start + 8];
        if (units === 3 || units === 4) {
          return { tag: 'resolution', value: { x: buf.readInt32BE(start), y: buf.readInt32BE(start + 4), units } };
        }
      }
      break;
    case 0x33: // rangeOfInteger
      if (len === 8) return { tag: 'rangeOfInteger', value: { lower: buf.readInt32BE(start), upper: buf.readInt32BE(start + 4) } };
      break;
    case 0x35: // textWithLanguage
    case 0x36: {
      // nameWithLanguage: SHORT lang-length, lang, SHORT text-length, text (RFC 8010 §3.9)
      if (len < 4) break;
      const langEnd = start + 2 + ((buf[start]! << 8) | buf[start + 1]!);
      if (langEnd + 2 > end) break;
      const textEnd = langEnd + 2 + ((buf[langEnd]! << 8) | buf[langEnd + 1]!);
      if (textEnd !== end) break;
      const language = readUtf8(buf, start + 2, langEnd);
      const text = readUtf8(buf, langEnd + 2, textEnd);
      if (language === undefined || text === undefined) break;
      return { tag: tag === 0x35 ? 'textWithLanguage' : 'nameWithLanguage', value: text, language };
    }
    case 0x41:
    case 0x42:
    case 0x44:
    case 0x45:
    case 0x46:
    case 0x47:
    case 0x48:
    case 0x49:
    case 0x4a: {
      const text = readUtf8(buf, start, end);
      if (text !== undefined) return { tag: VALUE_TAG_NAME[tag] as StringTag, value: text };
      break;
    }
    case 0x10:
    case 0x11:
    case 0x12:
    case 0x13:
    case 0x15:
    case 0x16:
    case 0x17: {
      // Out-of-band values have value-length 0 (RFC 8010 §3.8); any bytes a sender put there are kept.
      const name = VALUE_TAG_NAME[tag] as OutOfBandTag;
      return len === 0 ? { tag: name } : { tag: name, value: new Uint8Array(buf.subarray(start, end)) };
    }
    default:
      break;
  }
  return { tag: 'raw', code: tag, value: new Uint8Array(buf.subarray(start, end)) };
}
