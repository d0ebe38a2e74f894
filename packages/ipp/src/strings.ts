import { Buffer } from 'node:buffer';

/**
 * String decoding for the codec. Values are UTF-8 (RFC 8011 §5.1.2 / §5.1.3 with the utf-8
 * charset every client must support); names and member names are keywords, read as latin1 so
 * every byte string round-trips whatever it holds.
 */

type FastBuffer = Buffer & {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
  latin1Write(text: string, offset: number, length?: number): number;
  utf8Write(text: string, offset: number, length?: number): number;
};

/** Node's unchecked slice helpers skip toString()'s argument normalisation; they exist on every Buffer since Node 0.x. */
export function asFast(buf: Buffer): FastBuffer {
  return buf as FastBuffer;
}

/**
 * Attribute names and most keyword/URI values repeat from message to message. A small direct-mapped
 * cache of recent strings lets the decoder compare bytes against a string it already has instead
 * of allocating a new one: no garbage, and the same string object every time.
 */
const CACHE_SIZE = 4096;
const CACHEABLE = 64;
const cache: (string | undefined)[] = new Array<string | undefined>(CACHE_SIZE).fill(undefined);

export function readLatin1(buf: Buffer, start: number, end: number): string {
  const len = end - start;
  if (len === 0) return '';
  if (len > CACHEABLE) return (buf as FastBuffer).latin1Slice(start, end);
  const slot = (len * 31 + buf[start]! * 7 + buf[end - 1]! * 13 + buf[start + (len >> 1)]!) & (CACHE_SIZE - 1);
  const hit = cache[slot];
  if (hit !== undefined && hit.length === len) {
    let i = 0;
    while (i < len && hit.charCodeAt(i) === buf[start + i]) i++;
    if (i === len) return hit;
  }
  const text = (buf as FastBuffer).latin1Slice(start, end);
  cache[slot] = text;
  return text;
}

/**
 * Decodes UTF-8, or returns undefined when the bytes are not well-formed UTF-8 (so the caller
 * keeps them raw instead of replacing them with U+FFFD and losing them).
 */
export function readUtf8(buf: Buffer, start: number, end: number): string | undefined {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (buf[i]! > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return readLatin1(buf, start, end);
  const text = (buf as FastBuffer).utf8Slice(start, end);
  // The WHATWG decoder Node uses turns every ill-formed sequence into U+FFFD; only then is a
  // byte-wise check needed (the sender may have written U+FFFD itself).
  if (text.includes('\uFFFD') && !Buffer.from(text, 'utf8').equals(buf.subarray(start, end))) return undefined;
  return text;
}
