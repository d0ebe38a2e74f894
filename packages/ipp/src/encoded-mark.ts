/**
 * The mark by which the encoder recognises attributes encoded in advance (frozen-attributes.ts,
 * docs/decisions.md D36). Kept apart so that the encoder does not import the freezing code.
 */

/** Where a frozen attribute, or a list of them, keeps its encoding (non-enumerable, so invisible to copies and comparisons). */
export const ENCODED: unique symbol = Symbol('trustnoone IPP encoding');

/** An encoding kept for reuse: the bytes, and the same bytes as big-endian 32-bit words (padded) for short copies. */
export interface Encoding {
  readonly bytes: Uint8Array;
  readonly words: Int32Array;
}

/** What the encoder looks for on an attribute or an attribute list. */
export interface MaybeEncoded {
  readonly [ENCODED]?: Encoding;
}
