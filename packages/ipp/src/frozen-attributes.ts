import type { IppAttribute, IppValue } from './model.js';
import { encodeAttributeList } from './encode.js';
import { ENCODED, type Encoding } from './encoded-mark.js';

/**
 * Attributes encoded once and reused (docs/decisions.md D36). A printer answers
 * Get-Printer-Attributes with the same capability attributes thousands of times; encoding them
 * afresh each time walks hundreds of values to produce the same bytes. `freezeAttributes` returns
 * deep-frozen copies of attributes that carry their own encoding, and the encoder copies those
 * bytes instead of walking the values. Freezing is what makes this safe: the copies cannot change,
 * so their bytes cannot go stale, and the caller's originals are not touched. A subset of the
 * returned list (requested-attributes filtering) still reuses each attribute's bytes; the list
 * as a whole, unfiltered, reuses one run of bytes for all of them.
 *
 * Byte values (octetString, raw, out-of-band values carrying bytes) are typed arrays, which cannot
 * be frozen: an attribute holding one anywhere is frozen like the others but not pre-encoded, so
 * it is encoded afresh every time and a change to its bytes always shows.
 */

/**
 * Deep-frozen copies of `attributes`, each carrying its encoding unless it holds byte values,
 * in a frozen array that carries the encoding of all of them when every one has its own.
 * Throws IppError for an attribute that cannot be encoded, as encodeMessage would: a bad attribute
 * fails here, once.
 */
export function freezeAttributes(attributes: readonly IppAttribute[]): readonly IppAttribute[] {
  const copies: IppAttribute[] = [];
  let allEncoded = true;
  for (const attribute of attributes) {
    const holdsBytes = { found: false };
    const copy = { name: attribute.name, values: freezeValues(attribute.values, holdsBytes) };
    if (holdsBytes.found) allEncoded = false;
    else Object.defineProperty(copy, ENCODED, { value: encodingOf(encodeAttributeList([copy])) });
    copies.push(Object.freeze(copy));
  }
  if (allEncoded && copies.length > 0) Object.defineProperty(copies, ENCODED, { value: encodingOf(encodeAttributeList(copies)) });
  return Object.freeze(copies);
}

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

function encodingOf(encoded: Uint8Array): Encoding {
  const n = encoded.length;
  const bytes = new Uint8Array((n + 3) & ~3);
  bytes.set(encoded);
  const view = new DataView(bytes.buffer);
  const words = new Int32Array(bytes.length >> 2);
  for (let k = 0; k < words.length; k++) words[k] = view.getInt32(4 * k);
  return { bytes: bytes.subarray(0, n), words };
}
