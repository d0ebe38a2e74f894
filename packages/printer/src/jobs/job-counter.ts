/**
 * The highest job id ever handed out, kept on disk so ids stay monotonic across restarts
 * (RFC 8011 §5.3.2: a job-id identifies one job of this printer; reusing one after a restart would
 * let a client polling its old job read another's). Job directories alone cannot say it: a job
 * that never received a document had none, and ended jobs' directories may be removed.
 *
 * The file holds one decimal number. It is replaced atomically (temp file, fsync, rename, fsync of
 * the directory) before a job's creation is answered; concurrent creations share one write.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

const MAX_ID = 2 ** 31 - 1; // RFC 8011 §5.3.2 job-id is integer(1:MAX)

export class JobCounter {
  #durable: number;
  #wanted: number;
  #writing: Promise<void> | undefined;

  private constructor(
    private readonly file: string,
    highest: number,
  ) {
    this.#durable = highest;
    this.#wanted = highest;
  }

  /** Reads the counter (0 when absent); an unreadable file is an error, never a silent reset. */
  static async open(file: string): Promise<JobCounter> {
    let highest = 0;
    try {
      const text = (await readFile(file, 'utf8')).trim();
      if (!/^[0-9]{1,10}$/.test(text) || Number(text) > MAX_ID) throw new RangeError(`job counter ${file}: expected a job id, got ${JSON.stringify(text.slice(0, 20))}`);
      highest = Number(text);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return new JobCounter(file, highest);
  }

  /** The highest id known to have been handed out. */
  get highest(): number {
    return this.#wanted;
  }

  /** Resolves once the counter on disk is at least `id`. */
  async issued(id: number): Promise<void> {
    if (id > this.#wanted) this.#wanted = id;
    while (this.#durable < id) {
      if (!this.#writing) this.#writing = this.#write().finally(() => (this.#writing = undefined));
      await this.#writing;
    }
  }

  async #write(): Promise<void> {
    const value = this.#wanted;
    const tmp = `${this.file}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(`${value}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.file);
    const dir = await open(dirname(this.file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.#durable = Math.max(this.#durable, value);
  }
}
