/**
 * Writes a sealed job's plaintext, as smime decrypts it, into two private files: the inner IPP
 * attribute section and the document after it, hashing the document on the way. Without this the
 * verified plaintext would have to be copied once more after the last byte to strip the inner
 * request, which for a large job costs more than the decryption itself.
 *
 * Design constraint (docs/spec-notes.md §2, RFC 5084 §1.1): plaintext is unauthenticated until smime's
 * openCore resolves, and nothing may act on it before. The splitter does not interpret the
 * attributes: it only follows the RFC 8010 §3.1 framing (8-byte header, then tag / name-length /
 * name / value-length / value up to end-of-attributes-tag) to find where the document starts. It
 * never fails: input it cannot follow (or an attribute section over the cap) simply goes, whole,
 * to the header file, and after verification the real decoder reports what is wrong. So a
 * tampered envelope is answered exactly as any other tag failure, with no earlier or different
 * error that could serve as an oracle on the plaintext.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

/** Larger attribute sections are left to the decoder (whose own limit is lower). */
const MAX_SECTION = 1 << 20;

type Phase = { kind: 'header'; left: number } | { kind: 'tag' } | { kind: 'len'; bytes: number[]; then: 'name' | 'value' } | { kind: 'skip'; left: number; then: 'valueLen' | 'tag' } | { kind: 'document' } | { kind: 'opaque' };

export interface SplitResult {
  /** True when the document part was found (else everything is in the header file). */
  readonly split: boolean;
  readonly headerBytes: number;
  readonly documentBytes: number;
  /** SHA-256 of the document part, lowercase hex. */
  readonly documentSha256: string;
  /** First 16 bytes of the document part (format sniffing). */
  readonly head: Uint8Array;
}

export class InnerSplitter {
  #phase: Phase = { kind: 'header', left: 8 };
  #headerBytes = 0;
  #documentBytes = 0;
  readonly #hash: Hash = createHash('sha256');
  #head: number[] = [];

  private constructor(
    private readonly header: FileHandle,
    private readonly document: FileHandle,
  ) {}

  static async create(headerPath: string, documentPath: string): Promise<InnerSplitter> {
    const header = await open(headerPath, 'wx', 0o600);
    try {
      return new InnerSplitter(header, await open(documentPath, 'wx', 0o600));
    } catch (err) {
      await header.close();
      throw err;
    }
  }

  /** Takes the next plaintext chunk (called by openCore's sink, in order). */
  async write(chunk: Uint8Array): Promise<void> {
    const at = this.#boundary(chunk);
    const head = chunk.subarray(0, at);
    const rest = chunk.subarray(at);
    if (head.length > 0) {
      this.#headerBytes += head.length;
      await writeAll(this.header, head);
    }
    if (rest.length > 0) {
      this.#documentBytes += rest.length;
      this.#hash.update(rest);
      if (this.#head.length < 16) this.#head.push(...rest.subarray(0, 16 - this.#head.length));
      await writeAll(this.document, rest);
    }
  }

  async close(): Promise<SplitResult> {
    await Promise.all([this.header.close(), this.document.close()]);
    return {
      split: this.#phase.kind === 'document',
      headerBytes: this.#headerBytes,
      documentBytes: this.#documentBytes,
      documentSha256: this.#hash.digest('hex'),
      head: Uint8Array.from(this.#head),
    };
  }

  async abandon(): Promise<void> {
    await Promise.allSettled([this.header.close(), this.document.close()]);
  }

  /** How many bytes of `chunk` still belong to the attribute section. */
  #boundary(chunk: Uint8Array): number {
    let i = 0;
    while (i < chunk.length) {
      const p = this.#phase;
      if (p.kind === 'document') return i;
      if (p.kind === 'opaque') return chunk.length;
      if (this.#headerBytes + i >= MAX_SECTION) {
        this.#phase = { kind: 'opaque' };
        return chunk.length;
      }
      switch (p.kind) {
        case 'header': {
          const n = Math.min(p.left, chunk.length - i);
          i += n;
          this.#phase = p.left - n === 0 ? { kind: 'tag' } : { kind: 'header', left: p.left - n };
          break;
        }
        case 'tag': {
          const tag = chunk[i++]!;
          if (tag === 0x03) this.#phase = { kind: 'document' }; // end-of-attributes-tag
          else if (tag > 0x0f) this.#phase = { kind: 'len', bytes: [], then: 'name' }; // a value tag
          // other delimiter tags (0x00-0x0f): a new group starts, the next byte is a tag again
          break;
        }
        case 'len': {
          p.bytes.push(chunk[i++]!);
          if (p.bytes.length === 2) {
            const len = (p.bytes[0]! << 8) | p.bytes[1]!;
            this.#phase = { kind: 'skip', left: len, then: p.then === 'name' ? 'valueLen' : 'tag' };
          }
          break;
        }
        case 'skip': {
          const n = Math.min(p.left, chunk.length - i);
          i += n;
          if (p.left - n > 0) this.#phase = { kind: 'skip', left: p.left - n, then: p.then };
          else this.#phase = p.then === 'valueLen' ? { kind: 'len', bytes: [], then: 'value' } : { kind: 'tag' };
          break;
        }
      }
    }
    return this.#phase.kind === 'document' ? i : chunk.length;
  }
}

async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += (await fh.write(bytes, off, bytes.length - off)).bytesWritten;
}
