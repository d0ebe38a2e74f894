/** Byte inputs accepted by seal/open: bytes, or any (async) iterable of byte chunks (a Readable). */
export type ByteInput = Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export async function* chunksOf(input: ByteInput): AsyncGenerator<Uint8Array> {
  if (input instanceof Uint8Array) {
    yield input;
    return;
  }
  for await (const c of input as AsyncIterable<Uint8Array>) {
    if (!(c instanceof Uint8Array)) throw new TypeError(`input chunks must be Uint8Array (got ${typeof c})`);
    yield c;
  }
}

/**
 * Coalesces small chunks (a writer handing us a few bytes at a time) into segments of at least
 * `min` bytes, so the BER framing overhead stays negligible; large chunks pass through uncopied.
 */
export async function* coalesce(chunks: AsyncIterable<Uint8Array>, min: number): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let size = 0;
  for await (const c of chunks) {
    if (c.length === 0) continue;
    if (size === 0 && c.length >= min) {
      yield c;
      continue;
    }
    pending.push(c);
    size += c.length;
    if (size >= min) {
      yield Buffer.concat(pending, size);
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(pending, size);
}
