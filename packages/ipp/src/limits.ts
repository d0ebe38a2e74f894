/**
 * Decoder limits. The defaults suit a printer on an open network: generous for every real request
 * and for the largest Get-Printer-Attributes responses seen in practice, small enough that a
 * hostile peer cannot make a server allocate without bound.
 */
export interface DecodeLimits {
  /** Bytes of header + attribute section (document data after end-of-attributes is not counted). */
  readonly maxMessageBytes: number;
  /** Attributes, counting every collection member, across the whole message. */
  readonly maxAttributes: number;
  /** Octets of one value. RFC 8010 §3.1.5 makes value-length a SIGNED-SHORT, so 32767 at most on the wire. */
  readonly maxValueLength: number;
  /** Octets of one attribute name. RFC 8011 §5.1.4 bounds keywords at 255 octets. */
  readonly maxNameLength: number;
  /** Nesting depth of collections (a collection directly in an attribute has depth 1). */
  readonly maxCollectionDepth: number;
}

export const DEFAULT_LIMITS: DecodeLimits = Object.freeze({
  maxMessageBytes: 4 * 1024 * 1024,
  maxAttributes: 20_000,
  maxValueLength: 32_767,
  maxNameLength: 255,
  maxCollectionDepth: 16,
});

export interface DecodeOptions {
  readonly limits?: Partial<DecodeLimits>;
}

export function resolveLimits(options: DecodeOptions | undefined): DecodeLimits {
  const given = options?.limits;
  return given === undefined ? DEFAULT_LIMITS : { ...DEFAULT_LIMITS, ...given };
}
