/**
 * A short-lived memory of credentials that just passed the scrypt check, so a device polling every
 * few seconds (or a client sending a job in several requests) does not pay tens of milliseconds of
 * CPU and 32 MiB per request — a cost an attacker holding one valid account could multiply.
 *
 * What is kept per user: HMAC-SHA-256 of `user NUL password` under a key drawn at random for this
 * process (never the password, and useless outside this process), the users-file hash it was
 * checked against, the role, and when the entry expires. A presented password hits only if its HMAC
 * equals the stored one (constant-time comparison) *and* the user's current users-file entry is the
 * one it was checked against, so a changed or removed user misses at once even before the cache is
 * cleared. Only successes are stored; a miss (wrong password included) goes to the full scrypt.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Authenticated, UserEntry } from './users-file.js';

export interface CredentialCacheOptions {
  /** How long a verified credential is trusted without scrypt (default 60 s; 0 disables the cache). */
  readonly ttlMs?: number;
  /** Users remembered at once; the least recently used is forgotten first (default 1024). */
  readonly maxEntries?: number;
  /** Clock (tests). */
  readonly now?: () => number;
}

interface Entry {
  readonly digest: Buffer;
  /** The users-file hash string the password was verified against. */
  readonly hash: string;
  readonly role: UserEntry['role'];
  readonly expires: number;
}

export class CredentialCache {
  private readonly key = randomBytes(32);
  /** Keyed by user name (a user has one password); Map order is recency of use. */
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: CredentialCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = Math.max(1, options.maxEntries ?? 1024);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The principal if `password` was verified for `current` within the TTL; undefined otherwise. */
  lookup(user: string, password: string, current: UserEntry | undefined): Authenticated | undefined {
    // Computed whether or not an entry exists, so a lookup's time does not say who logged in lately.
    const digest = this.digest(user, password);
    const e = this.entries.get(user);
    if (!e) return undefined;
    if (e.expires <= this.now() || !current || current.hash !== e.hash || current.role !== e.role) {
      this.entries.delete(user);
      return undefined;
    }
    if (!timingSafeEqual(digest, e.digest)) return undefined;
    this.entries.delete(user);
    this.entries.set(user, e);
    return { name: current.name, role: current.role };
  }

  /** Records a credential scrypt just accepted for `entry`. Call only after a success. */
  remember(password: string, entry: UserEntry): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(entry.name);
    this.entries.set(entry.name, { digest: this.digest(entry.name, password), hash: entry.hash, role: entry.role, expires: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Forgets everything (the users file changed). */
  clear(): void {
    this.entries.clear();
  }

  private digest(user: string, password: string): Buffer {
    // User names cannot contain NUL (users-file.ts NAME), so the encoding is unambiguous.
    return createHmac('sha256', this.key).update(`${user}\0${password}`, 'utf8').digest();
  }
}
