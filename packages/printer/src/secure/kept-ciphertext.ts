/**
 * The ciphertext of a sealed document as received, kept in the job's spool until the job ends (a
 * restart opens it again, so an acknowledged job is printed even if the printer stops first).
 *
 * Socket chunks (16–64 KiB) are gathered into writev calls of about KEEP_BATCH bytes, one in flight
 * at a time, while the decryptor goes on with the chunks after them: waiting for one file write per
 * socket chunk before decrypting it held the sealed receive path to the pace of the thread pool
 * (issue 20). Nothing is weaker for it: `close(true)` waits for every write, then fsyncs, and the
 * caller acknowledges the job only after that, as before. The chunks are the transport's own
 * buffers, which neither the decryptor nor anything else writes to, so holding them until written
 * is safe.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { writevAll } from './writev-all.js';

/** Bytes gathered before a write is started. */
const KEEP_BATCH = 1024 * 1024;
/** Buffers gathered before a write is started, whatever their size (writev takes at most IOV_MAX). */
const KEEP_PARTS = 256;
/**
 * Bytes written between early syncs. The page cache writes nothing back by itself for seconds, so
 * the fsync after the last byte had the whole document to write (most of the sealed job's 'open'
 * step, issue 20); a datasync started every so often while the rest arrives leaves it the tail.
 */
const SYNC_EVERY = 16 * 1024 * 1024;

export class KeptCiphertext {
  #batch: Buffer[] = [];
  #batched = 0;
  /** The write in flight (rejections are observed by the next add, drain or close). */
  #writing: Promise<void> = Promise.resolve();
  #open = true;
  /** An early datasync still running, if any (never waited for by add). */
  #syncing: Promise<void> | undefined;
  /** An early datasync's failure: the file is not durable, whatever a later fsync says. */
  #syncFailure: unknown;
  #unsynced = 0;

  private constructor(
    private readonly fh: FileHandle,
    /** Called after each batch is written (the printer's `receive.chunk` fault point). */
    private readonly onWritten: () => void,
  ) {}

  static async create(path: string, onWritten: () => void): Promise<KeptCiphertext> {
    return new KeptCiphertext(await open(path, 'w', 0o600), onWritten);
  }

  /** Takes the next received chunk; waits only while the previous batch is still being written. */
  async add(chunk: Buffer): Promise<void> {
    if (chunk.length === 0) return;
    this.#batch.push(chunk);
    this.#batched += chunk.length;
    if (this.#batched >= KEEP_BATCH || this.#batch.length >= KEEP_PARTS) await this.#flush();
  }

  /** Writes what is gathered and waits until every byte taken is written (not yet synced). */
  async drain(): Promise<void> {
    await this.#flush();
    await this.#writing;
  }

  /**
   * Closes the file; with `sync`, only after every byte is written and fsynced (the job may be
   * acknowledged once this resolves). Without, pending writes are waited for and their errors
   * ignored: the job is being refused anyway. A second call does nothing.
   */
  async close(sync: boolean): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    try {
      if (sync) {
        await this.drain();
        await this.#syncing?.catch(() => undefined);
        if (this.#syncFailure !== undefined) throw this.#syncFailure;
        await this.fh.sync();
      } else {
        await this.#writing.catch(() => undefined);
        await this.#syncing?.catch(() => undefined);
      }
    } finally {
      await this.fh.close();
    }
  }

  async #flush(): Promise<void> {
    await this.#writing;
    if (this.#batched === 0) return;
    const parts = this.#batch;
    const bytes = this.#batched;
    this.#batch = [];
    this.#batched = 0;
    this.#writing = writevAll(this.fh, parts, 'the kept ciphertext file').then(() => {
      this.onWritten();
      this.#syncEarly(bytes);
    });
    this.#writing.catch(() => undefined); // observed by the next flush or close; never unhandled
  }

  /** Starts a datasync of what is written so far, once enough is and none is running. */
  #syncEarly(written: number): void {
    this.#unsynced += written;
    if (this.#unsynced < SYNC_EVERY || this.#syncing) return;
    this.#unsynced = 0;
    const syncing = this.fh.datasync().then(
      () => {
        this.#syncing = undefined;
      },
      (err: unknown) => {
        this.#syncFailure ??= err; // reported by close(true)
        this.#syncing = undefined;
      },
    );
    this.#syncing = syncing;
  }
}
