/**
 * The replay cache of sealed submissions (docs/spec-notes.md §2): a key (job nonce + document number)
 * may be accepted once. Entries are appended to a log in the state directory and fsynced before
 * the job is accepted, so a replay is refused even after a restart or a crash.
 *
 * The log is one line per entry: `<unix-ms> <key>\n` (the key is the rest of the line). Entries older than `retentionMs` are
 * dropped when the log is loaded (and the log rewritten), which bounds its size. What is dropped
 * cannot come back: the opener refuses a job whose sealed date-time-at-creation is older than the
 * retention less the clock skew it allows (open-sealed.ts, issue 11.2).
 */
import { open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplayCache } from '@trustnoone/profile';

const MAX_KEY_LENGTH = 512;

export class PersistentReplayCache implements ReplayCache {
  readonly #seen = new Map<string, number>();
  #log: FileHandle | undefined;
  readonly #file: string;
  readonly #retentionMs: number;
  #queue: Promise<void> = Promise.resolve();

  private constructor(file: string, retentionMs: number) {
    this.#file = file;
    this.#retentionMs = retentionMs;
  }

  static async open(dir: string, retentionMs: number): Promise<PersistentReplayCache> {
    const cache = new PersistentReplayCache(join(dir, 'seen.log'), retentionMs);
    await cache.#load();
    return cache;
  }

  get size(): number {
    return this.#seen.size;
  }

  has(key: string): boolean {
    return this.#seen.has(key);
  }

  /**
   * Records `key` durably; resolves true once it is on disk, false if it was already there or is
   * being recorded by a concurrent call (exactly one of several concurrent claims of a key wins,
   * decided synchronously). Claims arriving together share one append and one fdatasync (group
   * commit), so durability costs one disk flush per batch rather than per job.
   */
  remember(key: string): Promise<boolean> {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH || /[\r\n]/.test(key)) {
      return Promise.reject(new RangeError(`replay key must be 1..${MAX_KEY_LENGTH} characters on one line`));
    }
    if (this.#seen.has(key) || this.#claimed.has(key)) return Promise.resolve(false);
    this.#claimed.add(key);
    return new Promise<boolean>((resolve, reject) => {
      this.#batch.push({ key, resolve, reject });
      if (!this.#flushing) this.#queue = this.#flush();
    });
  }

  readonly #claimed = new Set<string>();
  #batch: { key: string; resolve: (v: boolean) => void; reject: (e: unknown) => void }[] = [];
  #flushing = false;

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#batch.length > 0) {
        const batch = this.#batch;
        this.#batch = [];
        const now = Date.now();
        try {
          const log = this.#log;
          if (!log) throw new Error('replay cache is closed');
          await log.appendFile(batch.map((b) => `${now} ${b.key}\n`).join(''));
          await log.datasync();
          for (const b of batch) {
            this.#seen.set(b.key, now);
            this.#claimed.delete(b.key);
            b.resolve(true);
          }
        } catch (err) {
          for (const b of batch) {
            this.#claimed.delete(b.key);
            b.reject(err);
          }
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.#log?.close();
    this.#log = undefined;
  }

  async #load(): Promise<void> {
    let text = '';
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const cutoff = Date.now() - this.#retentionMs;
    let dropped = 0;
    for (const line of text.split('\n')) {
      const m = /^(\d{1,16}) ([^\r\n]{1,512})$/.exec(line);
      if (!m) {
        if (line !== '') dropped++; // a torn last line after a crash: the claim never completed
        continue;
      }
      const t = Number(m[1]);
      if (t < cutoff) {
        dropped++;
        continue;
      }
      this.#seen.set(m[2]!, t);
    }
    if (dropped > 0) {
      const tmp = `${this.#file}.tmp`;
      const body = [...this.#seen].map(([k, t]) => `${t} ${k}\n`).join('');
      await writeFile(tmp, body, { mode: 0o600 });
      await rename(tmp, this.#file);
    }
    this.#log = await open(this.#file, 'a', 0o600);
  }
}
