/**
 * Checks HTTP Basic credentials for the transport: the users table (fixed, or a users file re-read
 * when it changes on disk) plus the credential cache. Counts full scrypt checks and cache hits so
 * tests and operators can see the cache working without timing anything.
 *
 * A users file is stat'ed on every authenticated request (microseconds, next to scrypt's tens of
 * milliseconds); when its inode, size, mtime or ctime differ from the loaded version it is re-read
 * and the cache cleared, so `tno intermediary --add-user` (which rewrites the file) takes effect
 * on the next request without a restart. A file that no longer parses fails closed: nobody
 * authenticates until it is fixed, rather than yesterday's users staying valid.
 */
import { stat } from 'node:fs/promises';
import { CredentialCache, type CredentialCacheOptions } from './credential-cache.js';
import { authenticate as verifyAgainstTable, loadUsersFile, type Authenticated, type UserEntry } from './users-file.js';

export interface AuthStats {
  /** Full scrypt checks run (cache misses, wrong passwords and unknown users included). */
  readonly verifications: number;
  /** Requests admitted from the cache without scrypt. */
  readonly cacheHits: number;
  /** Times the users file was (re)loaded. */
  readonly reloads: number;
}

export interface AuthenticatorOptions {
  readonly users?: ReadonlyMap<string, UserEntry>;
  /** A users file to read at start and re-read when it changes (takes precedence over `users`). */
  readonly usersFile?: string;
  readonly cache?: CredentialCacheOptions;
  readonly onReloadError?: (err: Error) => void;
}

export class Authenticator {
  private table: ReadonlyMap<string, UserEntry>;
  private version: string | undefined;
  private readonly cache: CredentialCache;
  private counts = { verifications: 0, cacheHits: 0, reloads: 0 };
  private loading: Promise<void> | undefined;

  constructor(private readonly o: AuthenticatorOptions) {
    this.table = o.users ?? new Map();
    this.cache = new CredentialCache(o.cache);
  }

  /** The users as last loaded (device-auth reads roles from here). */
  get users(): ReadonlyMap<string, UserEntry> {
    return this.table;
  }

  stats(): AuthStats {
    return { ...this.counts };
  }

  async authenticate(user: string, password: string): Promise<Authenticated | undefined> {
    await this.refresh();
    const current = this.table.get(user);
    const hit = this.cache.lookup(user, password, current);
    if (hit) {
      this.counts.cacheHits++;
      return hit;
    }
    this.counts.verifications++;
    const table = this.table;
    const who = await verifyAgainstTable(table, user, password);
    // Remember only a success, and only if the table did not change while scrypt ran.
    if (who && current && this.table === table) this.cache.remember(password, current);
    return who;
  }

  /** Re-reads the users file if it changed since it was loaded (no-op for a fixed table). */
  async refresh(): Promise<void> {
    if (!this.o.usersFile) return;
    if ((await this.fileVersion()) === this.version) return;
    this.loading ??= this.load(false).finally(() => (this.loading = undefined));
    await this.loading;
  }

  /**
   * Loads the users file now. At start (`strict`) a bad file is an error and the server does not
   * start; later it fails closed (no users) and reports through onReloadError.
   */
  async load(strict = true): Promise<void> {
    const path = this.o.usersFile;
    if (!path) return;
    // The version is taken before reading: a write racing the read changes it again, so the next
    // request re-reads instead of trusting a half-written file until the next edit.
    this.version = await this.fileVersion();
    this.cache.clear();
    this.counts.reloads++;
    try {
      this.table = await loadUsersFile(path);
    } catch (err) {
      this.table = new Map();
      if (strict) throw err;
      this.o.onReloadError?.(err as Error);
    }
  }

  private fileVersion(): Promise<string> {
    return stat(this.o.usersFile!, { bigint: true }).then(
      (s) => `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`,
      () => 'missing',
    );
  }
}
