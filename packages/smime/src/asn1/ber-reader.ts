/**
 * An in-memory BER/DER decoder for the small parts of CMS and X.509 (RecipientInfos, algorithm
 * identifiers, certificates, SignerInfos). Accepts definite and indefinite lengths (X.690 §8.1.3),
 * with hard limits on depth and element count so hostile input fails fast with a CmsError.
 * Bulk content never goes through here: see stream-reader.ts.
 */
import { CmsError, CmsErrorCode, malformed } from '../errors.js';

export const TagClass = { universal: 0, application: 1, context: 2, private: 3 } as const;
export type TagClass = (typeof TagClass)[keyof typeof TagClass];

export interface Asn1Node {
  readonly tagClass: TagClass;
  readonly constructed: boolean;
  readonly tag: number;
  /** The whole TLV (for indefinite length, up to and including its end-of-contents octets). */
  readonly bytes: Uint8Array;
  /** The content octets (without the end-of-contents octets). */
  readonly content: Uint8Array;
  /** Children when constructed. */
  readonly children: readonly Asn1Node[];
  /** Absolute offset of the identifier octet, for error messages. */
  readonly offset: number;
}

export interface BerLimits {
  readonly maxDepth: number;
  readonly maxNodes: number;
}
export const defaultBerLimits: BerLimits = { maxDepth: 32, maxNodes: 100_000 };

export interface Header {
  tagClass: TagClass;
  constructed: boolean;
  tag: number;
  headerLength: number;
  /** null for the indefinite form. */
  length: number | null;
}

/** Reads one identifier + length header at `at`; returns null if `buf` is too short. */
export function readHeader(buf: Uint8Array, at: number, baseOffset = 0): Header | null {
  if (at >= buf.length) return null;
  const id = buf[at]!;
  let p = at + 1;
  let tag = id & 0x1f;
  if (tag === 0x1f) {
    // X.690 §8.1.2.4: high tag numbers, base-128; we cap at 2^21 which CMS never approaches.
    tag = 0;
    for (let i = 0; ; i++) {
      if (p >= buf.length) return null;
      const b = buf[p++]!;
      if (i === 0 && b === 0x80) throw malformed('non-minimal high tag number', baseOffset + p - 1);
      tag = tag * 128 + (b & 0x7f);
      if (!(b & 0x80)) break;
      if (i >= 2) throw new CmsError(CmsErrorCode.limitExceeded, 'tag number too large', { offset: baseOffset + at });
    }
  }
  if (p >= buf.length) return null;
  const first = buf[p++]!;
  let length: number | null;
  if (first < 0x80) length = first;
  else if (first === 0x80) {
    if (!(id & 0x20)) throw malformed('indefinite length on a primitive element', baseOffset + at);
    length = null;
  } else {
    const n = first & 0x7f;
    if (n === 0x7f) throw malformed('reserved length octet 0xff', baseOffset + p - 1);
    if (n > 6) throw new CmsError(CmsErrorCode.limitExceeded, `length of ${n} octets exceeds 2^48`, { offset: baseOffset + p - 1 });
    if (p + n > buf.length) return null;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++]!;
  }
  return { tagClass: (id >> 6) as TagClass, constructed: (id & 0x20) !== 0, tag, headerLength: p - at, length };
}

/** Decodes exactly one element spanning all of `buf` (trailing bytes are an error). */
export function decodeBer(buf: Uint8Array, limits: BerLimits = defaultBerLimits, baseOffset = 0): Asn1Node {
  const counter = { nodes: 0 };
  const node = decodeAt(buf, 0, 0, limits, counter, baseOffset);
  if (node.bytes.length !== buf.length) throw malformed(`${buf.length - node.bytes.length} trailing bytes after the element`, baseOffset + node.bytes.length);
  return node;
}

/** Decodes one element at `at`, returning it (the caller advances by node.bytes.length). */
export function decodeOne(buf: Uint8Array, at: number, limits: BerLimits = defaultBerLimits, baseOffset = 0): Asn1Node {
  return decodeAt(buf, at, 0, limits, { nodes: 0 }, baseOffset);
}

function decodeAt(buf: Uint8Array, at: number, depth: number, limits: BerLimits, counter: { nodes: number }, base: number): Asn1Node {
  if (depth > limits.maxDepth) throw new CmsError(CmsErrorCode.limitExceeded, `nesting deeper than ${limits.maxDepth}`, { offset: base + at });
  if (++counter.nodes > limits.maxNodes) throw new CmsError(CmsErrorCode.limitExceeded, `more than ${limits.maxNodes} elements`, { offset: base + at });
  const h = readHeader(buf, at, base);
  if (!h) throw malformed('truncated element header', base + at);
  const start = at + h.headerLength;
  if (h.length !== null) {
    const end = start + h.length;
    if (end > buf.length) throw malformed(`element length ${h.length} runs past the end of the data`, base + at);
    const content = buf.subarray(start, end);
    const children: Asn1Node[] = [];
    if (h.constructed) {
      let p = start;
      while (p < end) {
        const child = decodeAt(buf.subarray(0, end), p, depth + 1, limits, counter, base);
        children.push(child);
        p += child.bytes.length;
      }
    }
    return { tagClass: h.tagClass, constructed: h.constructed, tag: h.tag, bytes: buf.subarray(at, end), content, children, offset: base + at };
  }
  // Indefinite form: children until the end-of-contents octets 00 00 (X.690 §8.1.5).
  const children: Asn1Node[] = [];
  let p = start;
  for (;;) {
    if (p + 2 > buf.length) throw malformed('missing end-of-contents octets', base + p);
    if (buf[p] === 0 && buf[p + 1] === 0) break;
    const child = decodeAt(buf, p, depth + 1, limits, counter, base);
    children.push(child);
    p += child.bytes.length;
  }
  return { tagClass: h.tagClass, constructed: true, tag: h.tag, bytes: buf.subarray(at, p + 2), content: buf.subarray(start, p), children, offset: base + at };
}

// ---- typed accessors: each checks the tag and throws CMS_MALFORMED with the offset ----

export function expectTag(node: Asn1Node | undefined, tagClass: TagClass, tag: number, what: string): Asn1Node {
  if (!node) throw malformed(`${what}: element missing`);
  if (node.tagClass !== tagClass || node.tag !== tag) {
    throw malformed(`${what}: expected ${describeTag(tagClass, tag)}, found ${describeTag(node.tagClass, node.tag)}`, node.offset);
  }
  return node;
}

function describeTag(cls: TagClass, tag: number): string {
  return cls === 0 ? `universal ${tag}` : cls === 2 ? `[${tag}]` : `class ${cls} tag ${tag}`;
}

export function isContext(node: Asn1Node | undefined, tag: number): node is Asn1Node & { readonly tagClass: 2 } {
  return node !== undefined && node.tagClass === TagClass.context && node.tag === tag;
}

export function sequenceChildren(node: Asn1Node | undefined, what: string): readonly Asn1Node[] {
  const n = expectTag(node, 0, 0x10, what);
  if (!n.constructed) throw malformed(`${what}: SEQUENCE must be constructed`, n.offset);
  return n.children;
}

export function setChildren(node: Asn1Node | undefined, what: string): readonly Asn1Node[] {
  const n = expectTag(node, 0, 0x11, what);
  if (!n.constructed) throw malformed(`${what}: SET must be constructed`, n.offset);
  return n.children;
}

export function readOid(node: Asn1Node | undefined, what: string): string {
  const n = expectTag(node, 0, 0x06, what);
  const c = n.content;
  if (c.length === 0 || c.length > 64 || n.constructed) throw malformed(`${what}: bad OBJECT IDENTIFIER`, n.offset);
  const arcs: bigint[] = [];
  let v = 0n;
  for (let i = 0; i < c.length; i++) {
    const b = c[i]!;
    if (v === 0n && b === 0x80) throw malformed(`${what}: non-minimal OID arc`, n.offset);
    v = (v << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0n;
    } else if (i === c.length - 1) throw malformed(`${what}: truncated OID arc`, n.offset);
  }
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

/** Unsigned magnitude of a non-negative INTEGER (leading zero pad removed). */
export function readUnsignedInteger(node: Asn1Node | undefined, what: string): Uint8Array {
  const n = expectTag(node, 0, 0x02, what);
  if (n.content.length === 0 || n.constructed) throw malformed(`${what}: empty INTEGER`, n.offset);
  if (n.content[0]! & 0x80) throw malformed(`${what}: negative INTEGER`, n.offset);
  return n.content;
}

export function readSmallInteger(node: Asn1Node | undefined, what: string): number {
  const c = readUnsignedInteger(node, what);
  if (c.length > 4) throw malformed(`${what}: INTEGER too large`, node!.offset);
  let v = 0;
  for (const b of c) v = v * 256 + b;
  return v;
}

/** OCTET STRING content; BER constructed forms are concatenated (bounded by the node's size). */
export function readOctets(node: Asn1Node | undefined, what: string, tagClass: TagClass = 0, tag = 0x04): Uint8Array {
  const n = expectTag(node, tagClass, tag, what);
  if (!n.constructed) return n.content;
  const parts: Uint8Array[] = [];
  const walk = (x: Asn1Node): void => {
    for (const c of x.children) {
      expectTag(c, 0, 0x04, `${what} segment`);
      if (c.constructed) walk(c);
      else parts.push(c.content);
    }
  };
  walk(n);
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function readBitString(node: Asn1Node | undefined, what: string): Uint8Array {
  const n = expectTag(node, 0, 0x03, what);
  if (n.constructed || n.content.length === 0 || n.content[0] !== 0) throw malformed(`${what}: BIT STRING must be primitive with no unused bits`, n.offset);
  return n.content.subarray(1);
}

export function readTime(node: Asn1Node | undefined, what: string): Date {
  if (!node || node.tagClass !== 0 || (node.tag !== 0x17 && node.tag !== 0x18)) throw malformed(`${what}: expected UTCTime or GeneralizedTime`, node?.offset);
  const s = new TextDecoder().decode(node.content);
  const m = node.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s);
  if (!m) throw malformed(`${what}: time '${s.slice(0, 32)}' is not in the DER form`, node.offset);
  let year = Number(m[1]);
  if (node.tag === 0x17) year += year < 50 ? 2000 : 1900; // RFC 5280 §4.1.2.5.1
  const [mo, d, h, mi, sec] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  const date = new Date(Date.UTC(year, mo - 1, d, h, mi, sec));
  // Reject values Date would silently roll over (month 13, 31 February, hour 24, ...).
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || date.getUTCHours() !== h || date.getUTCMinutes() !== mi || date.getUTCSeconds() !== sec) {
    throw malformed(`${what}: '${s}' is not a valid time`, node.offset);
  }
  return date;
}

export interface AlgorithmIdentifier {
  readonly algorithm: string;
  /** Encoded parameters, absent when the field is omitted. */
  readonly parameters: Asn1Node | undefined;
}

export function readAlgorithmIdentifier(node: Asn1Node | undefined, what: string): AlgorithmIdentifier {
  const c = sequenceChildren(node, what);
  if (c.length < 1 || c.length > 2) throw malformed(`${what}: AlgorithmIdentifier must have 1 or 2 fields`, node!.offset);
  return { algorithm: readOid(c[0], `${what}.algorithm`), parameters: c[1] };
}

/** Parameters that are absent or NULL (both accepted, RFC 4055 §2.1, RFC 5754 §2). */
export function parametersAbsentOrNull(alg: AlgorithmIdentifier): boolean {
  const p = alg.parameters;
  return p === undefined || (p.tagClass === 0 && p.tag === 0x05 && p.content.length === 0);
}
