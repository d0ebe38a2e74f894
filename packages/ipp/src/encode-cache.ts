/**
 * Encoded forms of the strings the encoder writes again and again: attribute and member names
 * and keyword-like values (a small vocabulary; media-col-database alone repeats a dozen names
 * hundreds of times). An entry holds `length (2 octets) + bytes` packed big-endian into 32-bit
 * words, at least WORDS_WRITTEN of them, so the encoder writes it with a fixed run of DataView
 * stores (one per four octets, no loop for the common short strings) instead of a loop per
 * character. Only non-empty ASCII strings of at most MAX_CACHED characters are kept; for those
 * the UTF-8 and latin1 encodings coincide, so one entry serves names and values alike.
 *
 * Finding an entry is the costly part (a Map lookup is ~14 ns here, as much as the copy), so
 * each entry also remembers the entry that followed it last time: messages repeat their
 * sequences of names and values (every media-col has the same members in the same order), and
 * comparing with that guess is one load and one pointer comparison. A wrong guess falls back to
 * the Map. The Map is emptied when it reaches `limit` entries, and the guesses with it, so the
 * cache stays bounded whatever strings pass through it. Output never depends on its contents,
 * only speed does.
 */

const MAX_CACHED = 64;
const DEFAULT_LIMIT = 4096;
/** Words every entry has and the encoder always writes (20 octets: a length and 18 characters). */
export const WORDS_WRITTEN = 5;

interface Entry {
  readonly key: string;
  readonly words: Int32Array;
  /** The entry asked for right after this one last time. */
  next: Entry | undefined;
}

let limit = DEFAULT_LIMIT;
const entries = new Map<unknown, Entry>();
/** The entry returned last (a sentinel after a reset); its `next` is the guess for the coming string. */
let previous: Entry = sentinel();

function sentinel(): Entry {
  return { key: '', words: new Int32Array(WORDS_WRITTEN), next: undefined };
}

/**
 * The packed `length + bytes` of `text` (its octet length is `text.length + 2`; the words past it
 * are padding, at least WORDS_WRITTEN words in all), or undefined if `text` is not a non-empty
 * ASCII string of at most MAX_CACHED characters.
 */
export function asciiEntry(text: unknown): Int32Array | undefined {
  const guess = previous.next;
  if (guess !== undefined && guess.key === text) {
    previous = guess;
    return guess.words;
  }
  return lookUp(text);
}

function lookUp(text: unknown): Int32Array | undefined {
  let entry = entries.get(text);
  if (entry === undefined) {
    if (typeof text !== 'string') return undefined;
    const words = pack(text);
    if (words === undefined) return undefined;
    if (entries.size >= limit) reset();
    entry = { key: text, words, next: undefined };
    entries.set(text, entry);
  }
  previous.next = entry;
  previous = entry;
  return entry.words;
}

function pack(text: string): Int32Array | undefined {
  const n = text.length;
  if (n === 0 || n > MAX_CACHED || limit === 0) return undefined;
  const words = new Int32Array(Math.max(WORDS_WRITTEN, (n + 5) >> 2));
  words[0] = n << 16;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return undefined;
    const j = i + 2;
    words[j >> 2]! |= c << (24 - 8 * (j & 3));
  }
  return words;
}

/** Forgets every entry and guess (old entries stay reachable from nothing, so they are collected). */
function reset(): void {
  entries.clear();
  previous = sentinel();
}

/** For tests: empties the cache and sets how many entries it may hold (0: none, every string is encoded afresh). */
export function resetEncodeCache(maxEntries: number = DEFAULT_LIMIT): void {
  limit = Math.max(0, Math.floor(maxEntries));
  reset();
}
