/**
 * The replay cache of sealed submissions (SPEC-NOTES §2): a key (job nonce + document number)
 * may be accepted once. Entries are appended to a log in the state directory and fsynced before
 * the job is accepted, so a replay is refused even after a restart or a crash.
 *
 * The log is one line per entry: `<unix-ms> <key>\n` (the key is the rest of the line). Entries older than `retentionMs` are
 * dropped when the log is loaded (and the log rewritten), which bounds its size; a replay older
 * than the retention window would also have to get past the printer certificate's lifetime.
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
   * Records `key` durably; resolves false (and records nothing) if it was already there. Calls are
   * serialised so two concurrent submissions of the same key cannot both pass.
   */
  remember(key: string): Promise<boolean> {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH || /[\r\n]/.test(key)) {
      return Promise.reject(new RangeError(`replay key must be 1..${MAX_KEY_LENGTH} characters on one line`));
    }
    const run = this.#queue.then(async () => {
      if (this.#seen.has(key)) return false;
      const now = Date.now();
      const log = this.#log!;
      await log.appendFile(`${now} ${key}\n`);
      await log.datasync();
      this.#seen.set(key, now);
      return true;
    });
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
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
