/**
 * Encoded forms of the strings the encoder writes again and again: attribute and member names
 * and keyword-like values (a small vocabulary; media-col-database alone repeats a dozen names
 * hundreds of times). An entry holds `length (2 octets) + bytes` packed big-endian into 32-bit
 * words, so writing it is one DataView store per four octets instead of a character-by-character
 * loop. Only non-empty ASCII strings of at most MAX_CACHED characters are kept; for those the
 * UTF-8 and latin1 encodings coincide, so one entry serves names and values alike.
 *
 * The cache is a Map (its lookup uses the hash V8 keeps in each string, cheaper than hashing
 * characters in JavaScript: measured) emptied when it reaches `limit` entries, so it stays bounded
 * whatever strings pass through it. Output never depends on its contents, only speed does.
 */

const MAX_CACHED = 64;
const DEFAULT_LIMIT = 4096;

let limit = DEFAULT_LIMIT;
const entries = new Map<unknown, Int32Array>();

/**
 * The packed `length + bytes` of `text` (its octet length is `text.length + 2`; the last word
 * may carry up to 3 octets of padding), or undefined if `text` is not a non-empty ASCII string
 * of at most MAX_CACHED characters.
 */
export function asciiEntry(text: unknown): Int32Array | undefined {
  const hit = entries.get(text);
  if (hit !== undefined) return hit;
  if (typeof text !== 'string') return undefined;
  const n = text.length;
  if (n === 0 || n > MAX_CACHED || limit === 0) return undefined;
  const entry = new Int32Array((n + 5) >> 2);
  entry[0] = n << 16;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return undefined;
    const j = i + 2;
    entry[j >> 2]! |= c << (24 - 8 * (j & 3));
  }
  if (entries.size >= limit) entries.clear();
  entries.set(text, entry);
  return entry;
}

/** For tests: empties the cache and sets how many entries it may hold (0: none, every string is encoded afresh). */
export function resetEncodeCache(maxEntries: number = DEFAULT_LIMIT): void {
  limit = Math.max(0, Math.floor(maxEntries));
  entries.clear();
}
