import type { IppAttribute, IppValue } from './model.js';
import { encodeAttributeList } from './encode.js';
import { ENCODED, type Encoding } from './encoded-mark.js';

/**
 * Attributes encoded once and reused (docs/decisions.md D36). A printer answers
 * Get-Printer-Attributes with the same capability attributes thousands of times; encoding them
 * afresh each time walks hundreds of values to produce the same bytes. `freezeAttributes` returns
 * deep-frozen copies of attributes that carry their own encoding, and the encoder copies those
 * bytes instead of walking the values. Freezing is what makes this safe: the copies cannot change,
 * so their bytes cannot go stale, and the caller's originals are not touched. The attributes frozen
 * together keep their octets side by side in one buffer, so the encoder copies any run of them
 * that stays consecutive in the list it is given (the whole list, or what requested-attributes
 * filtering leaves of it) with one copy, and a lone one with a few word stores.
 *
 * Byte values (octetString, raw, out-of-band values carrying bytes) are typed arrays, which cannot
 * be frozen: an attribute holding one anywhere is frozen like the others but not pre-encoded, so
 * it is encoded afresh every time and a change to its bytes always shows.
 */

/**
 * Deep-frozen copies of `attributes`, each carrying its encoding unless it holds byte values.
 * Throws IppError for an attribute that cannot be encoded, as encodeMessage would: a bad attribute
 * fails here, once.
 */
export function freezeAttributes(attributes: readonly IppAttribute[]): readonly IppAttribute[] {
  const copies: IppAttribute[] = [];
  const kept: { copy: IppAttribute; bytes: Uint8Array }[] = [];
  for (const attribute of attributes) {
    const holdsBytes = { found: false };
    const copy = { name: attribute.name, values: freezeValues(attribute.values, holdsBytes) };
    if (!holdsBytes.found) kept.push({ copy, bytes: encodeAttributeList([copy]) });
    copies.push(copy);
  }
  // One buffer for all, each attribute's octets right after the previous kept one's.
  const source = new Uint8Array(kept.reduce((n, k) => n + k.bytes.length, 0));
  let at = 0;
  for (const { copy, bytes } of kept) {
    source.set(bytes, at);
    Object.defineProperty(copy, ENCODED, { value: encodingOf(source, at, at + bytes.length) });
    at += bytes.length;
  }
  for (const copy of copies) Object.freeze(copy);
  return Object.freeze(copies);
}

/** Encodings up to this many words are copied word by word; longer ones with one `set` (a call costs ~40 ns). */
const MAX_WORDS = 32;

function freezeValues(values: readonly IppValue[], holdsBytes: { found: boolean }): readonly IppValue[] {
  return Object.freeze(values.map((v) => freezeValue(v, holdsBytes)));
}

function freezeValue(v: IppValue, holdsBytes: { found: boolean }): IppValue {
  const value: unknown = (v as { value?: unknown }).value;
  if (value instanceof Uint8Array) holdsBytes.found = true;
  if (v.tag === 'collection') {
    const members = v.value.map((m) => Object.freeze({ name: m.name, values: freezeValues(m.values, holdsBytes) }));
    return Object.freeze({ tag: 'collection', value: Object.freeze(members) });
  }
  // dateTime, resolution and rangeOfInteger hold a plain object: copied and frozen too.
  // Byte values are copied (they cannot be frozen, but at least the caller's stay the caller's).
  const inner = value instanceof Uint8Array ? value.slice() : typeof value === 'object' && value !== null ? Object.freeze({ ...value }) : value;
  return Object.freeze({ ...v, ...(value === undefined ? {} : { value: inner }) }) as IppValue;
}

function encodingOf(source: Uint8Array, start: number, end: number): Encoding {
  const n = end - start;
  if (n > MAX_WORDS * 4) return { source, start, end, words: undefined };
  const padded = new Uint8Array((n + 3) & ~3);
  padded.set(source.subarray(start, end));
  const view = new DataView(padded.buffer);
  const words = new Int32Array(padded.length >> 2);
  for (let k = 0; k < words.length; k++) words[k] = view.getInt32(4 * k);
  return { source, start, end, words };
}
