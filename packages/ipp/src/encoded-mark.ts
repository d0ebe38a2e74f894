/**
 * The mark by which the encoder recognises attributes encoded in advance (frozen-attributes.ts,
 * docs/decisions.md D36). Kept apart so that the encoder does not import the freezing code.
 */

/** Where a frozen attribute keeps its encoding (non-enumerable, so invisible to copies and comparisons). */
export const ENCODED: unique symbol = Symbol('trustnoone IPP encoding');

/**
 * An attribute's encoding, kept for reuse: octets `start` to `end` of `source`, a buffer shared by
 * the attributes frozen together (each one's octets right after the previous one's), so that a run
 * of them is copied at once; for a short one, the same octets as big-endian 32-bit words (padded).
 */
export interface Encoding {
  readonly source: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly words: Int32Array | undefined;
}

/** What the encoder looks for on an attribute. */
export interface MaybeEncoded {
  readonly [ENCODED]?: Encoding;
}
