import { readFileSync, readdirSync } from 'node:fs';
import { Buffer } from 'node:buffer';

export const SHARED_VECTORS = '/work/shared/vectors/ipp';
const LOCAL_VECTORS = new URL('../../../vectors/ipp/captures/', import.meta.url).pathname;

/** The captures: the shared directory when present, else our checked-in copy under vectors/ipp/. */
export function vectorDir(): string {
  try {
    readdirSync(SHARED_VECTORS);
    return SHARED_VECTORS;
  } catch {
    return LOCAL_VECTORS;
  }
}

export function vectorNames(): string[] {
  return readdirSync(vectorDir())
    .filter((f) => f.endsWith('.bin'))
    .sort();
}

export function readVector(name: string): Buffer {
  return readFileSync(`${vectorDir()}/${name}`);
}

/** Index of the first differing byte, or -1 when equal: mismatches report where, not just that. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex');
}

/** Builds one attribute field: tag, name, value (RFC 8010 §3.1.4). */
export function field(tag: number, name: string, value: Uint8Array | string = new Uint8Array()): Buffer {
  const n = Buffer.from(name, 'latin1');
  const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  const out = Buffer.alloc(1 + 2 + n.length + 2 + v.length);
  out[0] = tag;
  out.writeUInt16BE(n.length, 1);
  n.copy(out, 3);
  out.writeUInt16BE(v.length, 3 + n.length);
  v.copy(out, 5 + n.length);
  return out;
}

export const HEADER = hex('0200 000b 00000001');
export const OP = hex('01');
export const END = hex('03');
export const CHARSET = field(0x47, 'attributes-charset', 'utf-8');
export const LANGUAGE = field(0x48, 'attributes-natural-language', 'en');

/** A request with the operation group's charset and language, then `rest`, then end-of-attributes. */
export function requestWith(...rest: Buffer[]): Buffer {
  return Buffer.concat([HEADER, OP, CHARSET, LANGUAGE, ...rest, END]);
}

export function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
