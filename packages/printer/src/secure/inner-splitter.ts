/**
 * Writes a sealed job's plaintext, as smime decrypts it, into two private files: the inner IPP
 * attribute section and the document after it, hashing the document on the way. Without this the
 * verified plaintext would have to be copied once more after the last byte to strip the inner
 * request, which for a large job costs more than the decryption itself.
 *
 * Design constraint (docs/spec-notes.md §2, RFC 5084 §1.1): plaintext is unauthenticated until smime's
 * openCore resolves, and nothing may act on it before. The splitter does not interpret the
 * attributes: @trustnoone/ipp's SectionScanner follows the RFC 8010 §3.1 framing to find where the
 * document starts. It never fails: input it cannot follow (or an attribute section over the cap) simply goes, whole,
 * to the header file, and after verification the real decoder reports what is wrong. So a
 * tampered envelope is answered exactly as any other tag failure, with no earlier or different
 * error that could serve as an oracle on the plaintext.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { DEFAULT_LIMITS, SectionScanner } from '@trustnoone/ipp';
import { releaseBuffer } from '@trustnoone/smime';
import { writevAll } from './writev-all.js';

/** Plaintext bytes gathered into one write (a writev per file), and at most this many pieces. */
const WRITE_BATCH = 1024 * 1024;
const WRITE_PARTS = 256;

/** Larger attribute sections are left to the decoder (whose own limit is lower). */
const MAX_SECTION = 1 << 20;

/** Only the size cap applies here: names and values up to the wire's maximum are skipped over. */
const SCAN_LIMITS = { ...DEFAULT_LIMITS, maxMessageBytes: MAX_SECTION, maxNameLength: 0xffff, maxValueLength: 0xffff };

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
  readonly #scanner = new SectionScanner(SCAN_LIMITS);
  /** Where the plaintext goes: still the attribute section, the document, or (unfollowable) all to the header file. */
  #phase: 'section' | 'document' | 'opaque' = 'section';
  #headerBytes = 0;
  #documentBytes = 0;
  readonly #hash: Hash = createHash('sha256');
  #head: number[] = [];
  /**
   * The batch being written, still running while openCore decrypts the chunks after it (disk and
   * AES overlap; awaiting each write before decrypting on made the printer's open of a sealed job
   * one file write per network chunk slower, issue 20). openCore hands over a chunk it no longer
   * touches, so holding it until written is safe.
   */
  #pending: Promise<void> = Promise.resolve();
  /** Plaintext gathered for the next write: the attribute section's part, the document's part. */
  #headerParts: Uint8Array[] = [];
  #documentParts: Uint8Array[] = [];
  #gathered = 0;
  /** Chunks openCore gave up (`ours`), released once the batch holding them is written. */
  #owned: Uint8Array[] = [];

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

  /**
   * Takes the next plaintext chunk (called by openCore's sink, in order). `ours`: nothing else
   * refers to the chunk (fresh decipher output), so its memory is given back as soon as it is
   * written instead of waiting for a garbage collection (smime's releaseBuffer): the sealed
   * receive path's garbage was most of the printer's extra CPU over a job in clear (issue 20).
   */
  async write(chunk: Uint8Array, ours = false): Promise<void> {
    const at = this.#boundary(chunk);
    const head = chunk.subarray(0, at);
    const rest = chunk.subarray(at);
    if (head.length > 0) {
      this.#headerBytes += head.length;
      this.#headerParts.push(head);
    }
    if (rest.length > 0) {
      this.#documentBytes += rest.length;
      this.#hash.update(rest);
      if (this.#head.length < 16) this.#head.push(...rest.subarray(0, 16 - this.#head.length));
      this.#documentParts.push(rest);
    }
    if (ours) this.#owned.push(chunk);
    this.#gathered += chunk.length;
    if (this.#gathered >= WRITE_BATCH || this.#documentParts.length + this.#headerParts.length >= WRITE_PARTS) await this.#flush();
  }

  /** Starts writing what is gathered once the previous batch is written. */
  async #flush(): Promise<void> {
    await this.#pending;
    if (this.#gathered === 0) return;
    const headerParts = this.#headerParts;
    const documentParts = this.#documentParts;
    const owned = this.#owned;
    this.#headerParts = [];
    this.#documentParts = [];
    this.#owned = [];
    this.#gathered = 0;
    this.#pending = (async () => {
      if (headerParts.length > 0) await writevAll(this.header, headerParts, 'a private plaintext file');
      if (documentParts.length > 0) await writevAll(this.document, documentParts, 'a private plaintext file');
      for (const c of owned) releaseBuffer(c);
    })();
    this.#pending.catch(() => undefined); // observed by the next write or close; never unhandled
  }

  async close(): Promise<SplitResult> {
    await this.#flush();
    await this.#pending;
    await Promise.all([this.header.close(), this.document.close()]);
    return {
      split: this.#phase === 'document',
      headerBytes: this.#headerBytes,
      documentBytes: this.#documentBytes,
      documentSha256: this.#hash.digest('hex'),
      head: Uint8Array.from(this.#head),
    };
  }

  async abandon(): Promise<void> {
    await this.#pending.catch(() => undefined);
    await Promise.allSettled([this.header.close(), this.document.close()]);
  }

  /** How many bytes of `chunk` still belong to the attribute section. */
  #boundary(chunk: Uint8Array): number {
    if (this.#phase === 'document') return 0;
    if (this.#phase === 'opaque') return chunk.length;
    const base = this.#headerBytes;
    try {
      if (!this.#scanner.feed(chunk, base)) return chunk.length;
    } catch {
      this.#phase = 'opaque'; // over the cap: the decoder reports it after verification
      return chunk.length;
    }
    this.#phase = 'document';
    return this.#scanner.end - base;
  }
}
