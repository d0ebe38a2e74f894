/**
 * JSON form of spool records. IPP values may hold bytes (octetString, out-of-band and raw values),
 * which JSON cannot carry, so they are written as {"$bytes": "<base64>"} and restored on read.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => (v instanceof Uint8Array ? { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') } : v),
    1,
  );
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$bytes') {
        const b = Buffer.from((v as { $bytes: string }).$bytes, 'base64');
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      }
    }
    return v;
  }) as T;
}
