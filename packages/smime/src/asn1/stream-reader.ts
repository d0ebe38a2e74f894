/**
 * A pull-based BER reader over a stream of chunks, for CMS structures whose bulk content must not
 * be held in memory. Small elements are read whole (bounded by a size limit) and decoded with
 * ber-reader.ts; OCTET STRING content (primitive, or constructed with definite or indefinite
 * length and any segmenting, X.690 §8.7.3) is yielded chunk by chunk without copying.
 */
import { CmsError, CmsErrorCode, malformed } from '../errors.js';
import { decodeBer, readHeader, type Asn1Node, type BerLimits, type Header } from './ber-reader.js';

export interface StreamHeader extends Header {
  /** Absolute offset of the identifier octet. */
  readonly offset: number;
  /** Absolute offset where the content ends (definite form), or null. */
  readonly end: number | null;
}

const MAX_HEADER = 12;

export class BerStreamReader {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private consumed = 0; // bytes before buf[0]
  private done = false;
  private readonly queue: Uint8Array[] = [];

  constructor(
    private readonly source: AsyncIterator<Uint8Array>,
    private readonly limits: BerLimits,
  ) {}

  /** Absolute offset of the next unread byte. */
  get offset(): number {
    return this.consumed + this.pos;
  }

  private get available(): number {
    return this.buf.length - this.pos;
  }

  /** The next chunk: a piece put back by ensure(), else the source's next chunk. */
  private async nextChunk(): Promise<Uint8Array | undefined> {
    const queued = this.queue.shift();
    if (queued) return queued;
    if (this.done) return undefined;
    for (;;) {
      const r = await this.source.next();
      if (r.done) {
        this.done = true;
        return undefined;
      }
      if (r.value.length > 0) return r.value;
    }
  }

  /**
   * Buffers at least `n` bytes; false at end of input. New chunks are collected first and joined
   * once, so a peer sending one byte at a time costs linear, not quadratic, copying; and when a
   * small need (a header split across chunks) meets a large chunk, only the needed head is
   * copied and the rest of the chunk is queued uncopied.
   */
  private async ensure(n: number): Promise<boolean> {
    if (this.available >= n) return true;
    const parts: Uint8Array[] = this.available > 0 ? [this.buf.subarray(this.pos)] : [];
    let have = this.available;
    while (have < n) {
      const c = await this.nextChunk();
      if (!c) break;
      const need = n - have;
      if (have > 0 && c.length > need + 4096) {
        parts.push(c.subarray(0, need));
        this.queue.unshift(c.subarray(need));
        have += need;
        break;
      }
      parts.push(c);
      have += c.length;
    }
    if (parts.length === 0) return false;
    this.consumed += this.pos;
    this.buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
    this.pos = 0;
    return have >= n;
  }

  /** Up to `n` next bytes without consuming them (fewer only at end of input). */
  async peek(n: number): Promise<Uint8Array> {
    await this.ensure(n);
    return this.buf.subarray(this.pos, Math.min(this.buf.length, this.pos + n));
  }

  /** Everything not yet read, as it arrives (the reader is used up afterwards). */
  async *remaining(): AsyncGenerator<Uint8Array> {
    // The reader keeps no reference to what it yields here (the consumer may release it).
    const rest = this.buf.subarray(this.pos);
    this.consumed += this.buf.length;
    this.buf = new Uint8Array(0);
    this.pos = 0;
    if (rest.length > 0) yield rest;
    for (let c = await this.nextChunk(); c; c = await this.nextChunk()) {
      this.consumed += c.length;
      yield c;
    }
  }

  /** The memory the reader is reading from now. */
  get currentBuffer(): ArrayBufferLike {
    return this.buf.buffer;
  }

  /** Whether the reader still refers to memory of `ab` (its current buffer or a queued piece). */
  holds(ab: ArrayBufferLike): boolean {
    return this.buf.buffer === ab || this.queue.some((q) => q.buffer === ab);
  }

  /** True when no byte remains. */
  async atEnd(): Promise<boolean> {
    return !(await this.ensure(1));
  }

  async readHeader(what: string): Promise<StreamHeader> {
    const offset = this.offset;
    await this.ensure(MAX_HEADER);
    const h = readHeader(this.buf.subarray(0, Math.min(this.buf.length, this.pos + MAX_HEADER)), this.pos, this.consumed);
    if (!h) throw malformed(`${what}: truncated header`, offset);
    this.pos += h.headerLength;
    return { ...h, offset, end: h.length === null ? null : this.offset + h.length };
  }

  /** Peeks the next header without consuming it; null at end of input. */
  async peekHeader(): Promise<Header | null> {
    await this.ensure(MAX_HEADER);
    if (this.available === 0) return null;
    return readHeader(this.buf.subarray(0, Math.min(this.buf.length, this.pos + MAX_HEADER)), this.pos, this.consumed);
  }

  /** Consumes end-of-contents octets if they come next. */
  async takeEoc(): Promise<boolean> {
    if (!(await this.ensure(2))) return false;
    if (this.buf[this.pos] === 0 && this.buf[this.pos + 1] === 0) {
      this.pos += 2;
      return true;
    }
    return false;
  }

  /** Whether a container opened with `h` has more children. */
  async hasMore(h: StreamHeader): Promise<boolean> {
    if (h.end !== null) {
      if (this.offset > h.end) throw malformed('element overruns its container', this.offset);
      return this.offset < h.end;
    }
    return !(await this.takeEoc());
  }

  /** Closes a container: checks the definite length was used exactly, or consumes its EOC. */
  async close(h: StreamHeader, what: string): Promise<void> {
    if (h.end !== null) {
      if (this.offset !== h.end) throw malformed(`${what}: ${h.end - this.offset} unexpected bytes at the end`, this.offset);
      return;
    }
    if (!(await this.takeEoc())) throw malformed(`${what}: expected end-of-contents`, this.offset);
  }

  async readBytes(n: number, what: string): Promise<Uint8Array> {
    if (!(await this.ensure(n))) throw malformed(`${what}: input ends inside the element`, this.offset);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads one complete element into memory (at most `maxSize` bytes) and decodes it. */
  async readElement(what: string, maxSize: number): Promise<Asn1Node> {
    const start = this.offset;
    const parts: Uint8Array[] = [];
    let size = 0;
    const take = async (n: number): Promise<void> => {
      size += n;
      if (size > maxSize) throw new CmsError(CmsErrorCode.limitExceeded, `${what} is larger than ${maxSize} bytes`, { offset: start });
      parts.push(new Uint8Array(await this.readBytes(n, what)));
    };
    const walk = async (depth: number): Promise<void> => {
      if (depth > this.limits.maxDepth) throw new CmsError(CmsErrorCode.limitExceeded, `${what}: nesting deeper than ${this.limits.maxDepth}`, { offset: this.offset });
      await this.ensure(MAX_HEADER);
      const h = readHeader(this.buf.subarray(0, Math.min(this.buf.length, this.pos + MAX_HEADER)), this.pos, this.consumed);
      if (!h) throw malformed(`${what}: truncated header`, this.offset);
      await take(h.headerLength);
      if (h.length !== null) {
        await take(h.length);
        return;
      }
      for (;;) {
        if (await this.takeEoc()) {
          size += 2;
          parts.push(Uint8Array.of(0, 0));
          return;
        }
        if (await this.atEnd()) throw malformed(`${what}: missing end-of-contents`, this.offset);
        await walk(depth + 1);
      }
    };
    await walk(0);
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    return decodeBer(bytes, this.limits, start);
  }

  /**
   * Yields the content of an OCTET STRING (or an IMPLICIT-tagged one) whose header was just read:
   * primitive content directly, constructed segments recursively (depth-limited).
   */
  async *octetStringContent(h: StreamHeader, what: string, depth = 0): AsyncGenerator<Uint8Array> {
    if (!h.constructed) {
      yield* this.content(h.length!, what);
      return;
    }
    if (depth > 8) throw new CmsError(CmsErrorCode.limitExceeded, `${what}: constructed OCTET STRING nested deeper than 8`, { offset: h.offset });
    for (;;) {
      // Fast path: segments already buffered in full are taken synchronously and handed on as one
      // batch (OpenSSL's -stream output uses segments of ~1 KiB; an await per segment costs more
      // than the AES work).
      const batch = this.takeBufferedSegments(h, 4 * 1024 * 1024);
      if (batch.length === 1) yield batch[0]!;
      else if (batch.length > 1) yield Buffer.concat(batch);
      if (!(await this.hasMore(h))) break;
      const seg = await this.readHeader(what);
      if (seg.tagClass !== 0 || seg.tag !== 0x04) throw malformed(`${what}: segment is not an OCTET STRING`, seg.offset);
      yield* this.octetStringContent(seg, what, depth + 1);
    }
    if (h.end !== null && this.offset !== h.end) throw malformed(`${what}: segments overrun the constructed length`, this.offset);
  }

  /** Primitive OCTET STRING segments of `h` that are fully buffered, up to `max` content bytes. */
  private takeBufferedSegments(h: StreamHeader, max: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let total = 0;
    while (total < max) {
      if (h.end !== null ? this.offset >= h.end : this.available >= 2 && this.buf[this.pos] === 0 && this.buf[this.pos + 1] === 0) break;
      const seg = readHeader(this.buf, this.pos, this.consumed);
      if (!seg || seg.constructed || seg.tagClass !== 0 || seg.tag !== 0x04 || seg.length === null) break;
      const size = seg.headerLength + seg.length;
      if (this.available < size || (h.end !== null && this.offset + size > h.end)) break;
      if (seg.length > 0) out.push(this.buf.subarray(this.pos + seg.headerLength, this.pos + size));
      this.pos += size;
      total += seg.length;
    }
    return out;
  }

  /** Yields exactly `n` bytes as they arrive. */
  private async *content(n: number, what: string): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      if (this.available === 0 && !(await this.ensure(1))) throw malformed(`${what}: input ends inside the content (${left} bytes missing)`, this.offset);
      const take = Math.min(left, this.available);
      const out = this.buf.subarray(this.pos, this.pos + take);
      this.pos += take;
      left -= take;
      yield out;
    }
  }
}
