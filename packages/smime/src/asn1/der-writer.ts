/**
 * A minimal DER writer (X.690 §8, §10): enough to build the CMS and X.509 structures we emit.
 * Every function returns the full TLV as bytes; structures are composed by nesting calls.
 */

export function lengthBytes(length: number): Uint8Array {
  // X.690 §8.1.3: short form below 128, else long form with the minimum number of octets.
  if (length < 0x80) return Uint8Array.of(length);
  const out: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) out.unshift(n & 0xff);
  return Uint8Array.from([0x80 | out.length, ...out]);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
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

/** A TLV with a single-byte identifier octet (tag numbers below 31). */
export function tlv(identifier: number, ...content: readonly Uint8Array[]): Uint8Array {
  const body = content.length === 1 ? content[0]! : concat(content);
  return concat([Uint8Array.of(identifier), lengthBytes(body.length), body]);
}

export const sequence = (...items: readonly Uint8Array[]): Uint8Array => tlv(0x30, ...items);

/** SET OF in DER order: elements sorted as octet strings (X.690 §11.6). */
export function setOf(items: readonly Uint8Array[]): Uint8Array {
  return tlv(0x31, ...[...items].sort(compareBytes));
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** INTEGER from a non-negative number/bigint, or from unsigned big-endian magnitude bytes. */
export function integer(value: number | bigint | Uint8Array): Uint8Array {
  let mag: Uint8Array;
  if (value instanceof Uint8Array) {
    let i = 0;
    while (i < value.length - 1 && value[i] === 0) i++;
    mag = value.subarray(i);
    if (mag.length === 0) mag = Uint8Array.of(0);
  } else {
    let v = BigInt(value);
    if (v < 0n) throw new RangeError(`integer: negative values are not written (got ${v})`);
    const bytes: number[] = [];
    do {
      bytes.unshift(Number(v & 0xffn));
      v >>= 8n;
    } while (v > 0n);
    mag = Uint8Array.from(bytes);
  }
  // X.690 §8.3.2: two's complement, so a leading 1 bit needs a 0x00 pad.
  return tlv(0x02, mag[0]! & 0x80 ? concat([Uint8Array.of(0), mag]) : mag);
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((s) => BigInt(s));
  if (arcs.length < 2) throw new RangeError(`oid: need at least two arcs (got '${dotted}')`);
  const out: number[] = [];
  const push = (v: bigint): void => {
    const b: number[] = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) b.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...b);
  };
  push(arcs[0]! * 40n + arcs[1]!); // X.690 §8.19.4
  for (const a of arcs.slice(2)) push(a);
  return tlv(0x06, Uint8Array.from(out));
}

export const octetString = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const nullValue = (): Uint8Array => Uint8Array.of(0x05, 0x00);
export const bitString = (b: Uint8Array): Uint8Array => tlv(0x03, Uint8Array.of(0), b);
export const boolean = (v: boolean): Uint8Array => Uint8Array.of(0x01, 0x01, v ? 0xff : 0x00);
export const utf8String = (s: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(s));
export const printableString = (s: string): Uint8Array => tlv(0x13, new TextEncoder().encode(s));
export const ia5String = (s: string): Uint8Array => tlv(0x16, new TextEncoder().encode(s));

/** Context-specific [n] with the given content; constructed for EXPLICIT or constructed IMPLICIT. */
export function contextTag(n: number, constructed: boolean, ...content: readonly Uint8Array[]): Uint8Array {
  if (n > 30) throw new RangeError(`contextTag: tag ${n} needs the multi-byte form, not supported`);
  return tlv(0x80 | (constructed ? 0x20 : 0) | n, ...content);
}

/** IMPLICIT retagging of an already encoded TLV: keeps its constructed bit and content. */
export function implicit(n: number, encoded: Uint8Array): Uint8Array {
  const constructed = (encoded[0]! & 0x20) !== 0;
  const { headerLength } = readShortHeader(encoded);
  return contextTag(n, constructed, encoded.subarray(headerLength));
}

function readShortHeader(encoded: Uint8Array): { headerLength: number } {
  const first = encoded[1]!;
  return { headerLength: first < 0x80 ? 2 : 2 + (first & 0x7f) };
}

/** UTCTime up to 2049, GeneralizedTime after (RFC 5280 §4.1.2.5; same rule for signing-time). */
export function time(date: Date): Uint8Array {
  const y = date.getUTCFullYear();
  const p = (n: number): string => String(n).padStart(2, '0');
  const rest = `${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, new TextEncoder().encode(`${p(y % 100)}${rest}`));
  return tlv(0x18, new TextEncoder().encode(`${String(y).padStart(4, '0')}${rest}`));
}

/** AlgorithmIdentifier with absent parameters, or the given encoded parameters. */
export function algorithmIdentifier(algorithm: string, parameters?: Uint8Array): Uint8Array {
  return parameters ? sequence(oid(algorithm), parameters) : sequence(oid(algorithm));
}
