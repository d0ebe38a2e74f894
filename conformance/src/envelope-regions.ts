/**
 * Where the parts of a CMS envelope lie, so tampering tests can damage each region on purpose:
 *
 *   ContentInfo { contentType, [0] (Auth)EnvelopedData { version, [0] originatorInfo?,
 *     recipientInfos SET, EncryptedContentInfo { contentType, contentEncryptionAlgorithm,
 *     [0] encryptedContent }, [1] authAttrs?, mac OCTET STRING (AuthEnvelopedData only) } }
 *
 * (RFC 5652 §3, §6.1; RFC 5083 §2.1.) A minimal BER walker: definite and indefinite lengths,
 * constructed encryptedContent. It only locates; it never interprets keys or content.
 */

export interface Region {
  readonly start: number;
  readonly end: number;
}

export interface EnvelopeRegions {
  /** The ContentInfo contentType OID's value bytes. */
  readonly contentType: Region;
  readonly recipientInfos: Region;
  /** The contentEncryptionAlgorithm (holds the GCM nonce or CBC IV). */
  readonly contentEncryptionAlgorithm: Region;
  /** The GCM nonce or CBC IV inside the algorithm parameters (RFC 5084 §3.2, RFC 3565 §4.1). */
  readonly iv: Region;
  /** The value bytes of the first encryptedContent segment. */
  readonly ciphertext: Region;
  /** The value bytes of every encryptedContent segment, in order (one for a primitive encoding). */
  readonly segments: readonly Region[];
  /** authAttrs ([1] IMPLICIT SET OF Attribute, RFC 5083 §2.1), whole element, when present. */
  readonly authAttrs: Region | undefined;
  /** The MAC value bytes (the GCM tag), for AuthEnvelopedData. */
  readonly mac: Region | undefined;
}

interface Tlv {
  readonly tag: number;
  readonly constructed: boolean;
  /** Offset of the value. */
  readonly start: number;
  /** End of the value (excluding the end-of-contents octets of an indefinite length). */
  readonly end: number;
  /** Offset just after the whole element. */
  readonly next: number;
}

export class EnvelopeShapeError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = 'EnvelopeShapeError';
    this.offset = offset;
  }
}

const MAX_DEPTH = 16;

function readTlv(b: Uint8Array, at: number, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw new EnvelopeShapeError('nested too deeply', at);
  if (at + 2 > b.length) throw new EnvelopeShapeError('truncated element', at);
  const tag = b[at]!;
  if ((tag & 0x1f) === 0x1f) throw new EnvelopeShapeError('multi-byte tags are not used by CMS', at);
  const constructed = (tag & 0x20) !== 0;
  let p = at + 1;
  const first = b[p++]!;
  if (first === 0x80) {
    if (!constructed) throw new EnvelopeShapeError('indefinite length on a primitive element', at);
    let q = p;
    for (;;) {
      if (q + 2 > b.length) throw new EnvelopeShapeError('missing end-of-contents', q);
      if (b[q] === 0 && b[q + 1] === 0) return { tag, constructed, start: p, end: q, next: q + 2 };
      q = readTlv(b, q, depth + 1).next;
    }
  }
  let len = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n > 4 || p + n > b.length) throw new EnvelopeShapeError('bad length', at);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
  }
  if (p + len > b.length) throw new EnvelopeShapeError('element runs past the end', at);
  return { tag, constructed, start: p, end: p + len, next: p + len };
}

function children(b: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const c = readTlv(b, at);
    out.push(c);
    at = c.next;
  }
  return out;
}

export function envelopeRegions(envelope: Uint8Array): EnvelopeRegions {
  const ci = readTlv(envelope, 0);
  const [type, explicit] = children(envelope, ci);
  if (!type || type.tag !== 0x06 || !explicit || explicit.tag !== 0xa0) throw new EnvelopeShapeError('not a ContentInfo', 0);
  const [env] = children(envelope, explicit);
  if (!env || env.tag !== 0x30) throw new EnvelopeShapeError('no enveloped content', explicit.start);
  const parts = children(envelope, env);
  const rinfos = parts.find((p) => p.tag === 0x31);
  const eci = parts.find((p) => p.tag === 0x30);
  if (!rinfos || !eci) throw new EnvelopeShapeError('no recipientInfos or EncryptedContentInfo', env.start);
  const [, alg, content] = children(envelope, eci);
  if (!alg || !content || (content.tag & 0xdf) !== 0x80) throw new EnvelopeShapeError('no encryptedContent', eci.start);
  const [, params] = children(envelope, alg);
  const ivTlv = params?.tag === 0x04 ? params : params?.tag === 0x30 ? children(envelope, params).find((c) => c.tag === 0x04) : undefined;
  if (!ivTlv) throw new EnvelopeShapeError('no nonce or IV in the content-encryption algorithm', alg.start);
  let segments: Region[] = [{ start: content.start, end: content.end }];
  if (content.constructed) {
    segments = children(envelope, content)
      .filter((c) => c.end > c.start)
      .map((c) => {
        if (c.tag !== 0x04) throw new EnvelopeShapeError('encryptedContent segment is not an OCTET STRING', c.start);
        return { start: c.start, end: c.end };
      });
    if (segments.length === 0) throw new EnvelopeShapeError('empty encryptedContent', content.start);
  }
  const ciphertext = segments[0]!;
  const attrsTlv = parts.find((p) => p.tag === 0xa1);
  let authAttrs: Region | undefined;
  if (attrsTlv) {
    if (attrsTlv.end !== attrsTlv.next) throw new EnvelopeShapeError('authAttrs must have a definite length (DER, RFC 5083 §2.1)', attrsTlv.start);
    authAttrs = { start: attrsTlv.start - headerLength(attrsTlv.end - attrsTlv.start), end: attrsTlv.end };
  }
  const last = parts[parts.length - 1]!;
  const mac = last.tag === 0x04 && last !== eci ? { start: last.start, end: last.end } : undefined;
  return {
    contentType: { start: type.start, end: type.end },
    recipientInfos: { start: rinfos.start, end: rinfos.end },
    contentEncryptionAlgorithm: { start: alg.start, end: alg.end },
    iv: { start: ivTlv.start, end: ivTlv.end },
    ciphertext,
    segments,
    authAttrs,
    mac,
  };
}

/** Octets of a DER tag and length for a value of `length` octets (single-octet tag). */
function headerLength(length: number): number {
  if (length < 0x80) return 2;
  let n = 0;
  for (let l = length; l > 0; l = Math.floor(l / 256)) n++;
  return 2 + n;
}

/** A copy of `bytes` with one bit flipped in the middle of `region` (or at `at` within it). */
export function flipIn(bytes: Uint8Array, region: Region, at?: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const i = at ?? region.start + Math.floor((region.end - region.start) / 2);
  out[i]! ^= 0x01;
  return out;
}
