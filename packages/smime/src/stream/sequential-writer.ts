/**
 * Writes a new file front to back for sealFile and openFile: chunks are copied into fixed-size
 * blocks, and each full block is written at its offset while the caller produces the next, with up
 * to `inFlight` writes running on libuv's threads. A chunk is copied before write() resolves, so
 * the caller may release or reuse it then.
 *
 * Large outputs are written with O_DIRECT where the file system accepts it (docs/decisions.md D37).
 * A buffered write copies every byte into the page cache, in the kernel, in the one thread that
 * holds the file's lock: on the 2-core VM this was measured on, that copy was 50% of a `tno smime
 * seal` of 1 GiB (1.2–2.9 s of system time, freshly allocated page-cache pages being slow to touch
 * there), more than the AES and everything else together, and OpenSSL pays it too. Written
 * directly from our own page-aligned blocks, the same GiB took 0.5–1.4 s and ~0.1 s of CPU. The
 * blocks live in a WebAssembly.Memory because its backing store is page-aligned and JavaScript
 * cannot align a Buffer; the last block is padded to the alignment and the file truncated to its
 * length. Wherever O_DIRECT is refused (at open, or EINVAL on a write), the same bytes go through
 * an ordinary descriptor of the same file instead.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Offset, length and address alignment used for direct writes (a page: enough for 4Kn disks). */
const ALIGN = 4096;

/** Outputs expected to be at least this large are written directly (smaller ones: no gain). */
export const DIRECT_WRITE_MIN = 8 * 1024 * 1024;

export interface SequentialWriterOptions {
  /** Bytes per write; a multiple of 4096. */
  readonly blockSize: number;
  /** Block writes allowed to run while the next block fills. */
  readonly inFlight: number;
  /** File mode of the new file. */
  readonly mode: number;
  /** Try O_DIRECT (callers ask for it only for outputs of several MiB). */
  readonly direct: boolean;
}

export class SequentialFileWriter {
  readonly #buffered: FileHandle;
  #direct: FileHandle | undefined;
  readonly #blocks: Uint8Array[];
  readonly #options: SequentialWriterOptions;
  readonly #pending: Promise<void>[] = [];
  #current = 0;
  #fill = 0;
  #offset = 0;
  #failed: unknown;

  private constructor(buffered: FileHandle, direct: FileHandle | undefined, blocks: Uint8Array[], options: SequentialWriterOptions) {
    this.#buffered = buffered;
    this.#direct = direct;
    this.#blocks = blocks;
    this.#options = options;
  }

  /** Creates `path` (which must not exist) and a writer for it. */
  static async create(path: string, options: SequentialWriterOptions): Promise<SequentialFileWriter> {
    if (options.blockSize % ALIGN !== 0 || options.blockSize <= 0) throw new RangeError(`blockSize must be a positive multiple of ${ALIGN} (got ${options.blockSize})`);
    const buffered = await open(path, 'wx', options.mode);
    try {
      const count = options.inFlight + 1;
      const aligned = options.direct ? alignedBlocks(count, options.blockSize) : undefined;
      const direct = aligned ? await reopenDirect(path, buffered) : undefined;
      return new SequentialFileWriter(buffered, direct, direct ? aligned! : new Array<Uint8Array>(count), options);
    } catch (err) {
      await buffered.close().catch(() => undefined);
      throw err;
    }
  }

  /** Appends `chunk`; resolves once it is copied (it may still be being written). */
  async write(chunk: Uint8Array): Promise<void> {
    let at = 0;
    while (at < chunk.length) {
      const block = (this.#blocks[this.#current] ??= new Uint8Array(this.#options.blockSize)); // buffered: made when first needed
      const n = Math.min(chunk.length - at, block.length - this.#fill);
      block.set(at === 0 && n === chunk.length ? chunk : chunk.subarray(at, at + n), this.#fill);
      this.#fill += n;
      at += n;
      if (this.#fill === block.length) await this.#submit();
    }
  }

  /** Writes what is left, waits for every write, sets the exact length and closes the file. */
  async close(): Promise<void> {
    const length = this.#offset + this.#fill;
    if (this.#fill > 0) {
      const block = this.#blocks[this.#current]!;
      // A direct write must be a whole number of aligned units: pad, then truncate below.
      const padded = this.#direct ? Math.ceil(this.#fill / ALIGN) * ALIGN : this.#fill;
      block.fill(0, this.#fill, padded);
      this.#pending.push(this.#writeBlock(block, padded, this.#offset));
    }
    await Promise.all(this.#pending.splice(0));
    if (this.#failed !== undefined) throw this.#failed;
    await this.#direct?.close();
    this.#direct = undefined;
    // Drops the padding of a direct last block (also when a fallback wrote it through the cache).
    await this.#buffered.truncate(length);
    await this.#buffered.close();
  }

  /** Stops after a failure elsewhere: waits for the writes running, closes (the caller unlinks). */
  async abort(): Promise<void> {
    await Promise.allSettled(this.#pending.splice(0));
    await this.#direct?.close().catch(() => undefined);
    await this.#buffered.close().catch(() => undefined);
  }

  async #submit(): Promise<void> {
    const block = this.#blocks[this.#current]!;
    const write = this.#writeBlock(block, block.length, this.#offset);
    write.catch(() => undefined); // awaited below or in close(); never unhandled
    this.#pending.push(write);
    this.#offset += block.length;
    this.#fill = 0;
    this.#current = (this.#current + 1) % this.#blocks.length;
    // The next block to fill is free once the oldest write finished.
    if (this.#pending.length > this.#options.inFlight) await this.#pending.shift();
    if (this.#failed !== undefined) throw this.#failed;
  }

  async #writeBlock(block: Uint8Array, length: number, position: number): Promise<void> {
    try {
      let done = 0;
      if (this.#direct) {
        try {
          done = (await this.#direct.write(block, 0, length, position)).bytesWritten;
        } catch (err) {
          // The file system took O_DIRECT at open but not this write: go on buffered.
          if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
          const direct = this.#direct;
          this.#direct = undefined;
          await direct?.close().catch(() => undefined);
        }
      }
      // The rest (all of it when buffered, a short direct write's remainder) through the page cache.
      while (done < length) {
        const { bytesWritten } = await this.#buffered.write(block, done, length - done, position + done);
        if (bytesWritten === 0) throw new Error('the file system accepted no bytes');
        done += bytesWritten;
      }
    } catch (err) {
      this.#failed ??= err;
      throw err;
    }
  }
}

/** `count` page-aligned blocks of `size` bytes, or undefined when WebAssembly is not available. */
function alignedBlocks(count: number, size: number): Uint8Array[] | undefined {
  try {
    // node's typings leave WebAssembly out; a Memory's backing store is page-aligned.
    const wasm = (globalThis as unknown as { WebAssembly?: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } }).WebAssembly;
    if (!wasm) return undefined;
    const memory = new wasm.Memory({ initial: Math.ceil((count * size) / 65536) });
    return Array.from({ length: count }, (_, i) => new Uint8Array(memory.buffer, i * size, size));
  } catch {
    return undefined;
  }
}

/**
 * A second descriptor of the file just created, with O_DIRECT; undefined when the file system
 * refuses it or the path no longer names the same file (never follow a swapped-in link).
 */
async function reopenDirect(path: string, created: FileHandle): Promise<FileHandle | undefined> {
  const O_DIRECT = constants.O_DIRECT;
  if (O_DIRECT === undefined) return undefined;
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_WRONLY | O_DIRECT | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  const [a, b] = await Promise.all([created.stat({ bigint: true }), fh.stat({ bigint: true })]);
  if (a.dev === b.dev && a.ino === b.ino) return fh;
  await fh.close().catch(() => undefined);
  return undefined;
}
