/**
 * Slows password guessing without handing an attacker a way to lock the real user out.
 *
 * Failures are counted per user name and per client address. After the free ones in a row, each
 * further failure closes that key for a delay that doubles up to `maxDelayMs`; while a key is closed
 * its attempts are refused at once (HTTP 429 with Retry-After) without checking the password and
 * without counting — so a guesser gets one try per window, and each window still opens. The real
 * user is not locked out: an address that has signed in as that user before ("known good") is not
 * held back by that user's failures elsewhere, only by its own address's; from a new address the
 * user waits at most one window. A success clears its address's counter but not the user's: else
 * each sign-in of the real user would hand a guesser elsewhere a fresh set of free failures.
 *
 * All maps are bounded (oldest forgotten first) and entries expire after `forgetAfterMs` of quiet,
 * so a flood of made-up user names or addresses costs a bounded amount of memory.
 */

export interface FailureThrottleOptions {
  /** Failures in a row a user name may have before it is slowed down (default 5). */
  readonly freeFailures?: number;
  /**
   * Failures in a row an address may have (default 10): more than a user's, because several people
   * behind one NAT mistype too.
   */
  readonly freeFailuresPerAddress?: number;
  /** First delay after the free failures (default 1 s), doubled with each further failure. */
  readonly baseDelayMs?: number;
  /** Longest delay (default 60 s). */
  readonly maxDelayMs?: number;
  /** A key quiet this long is forgotten (default 15 minutes). */
  readonly forgetAfterMs?: number;
  /** How long an address stays known good for a user after a success (default 30 days). */
  readonly knownGoodMs?: number;
  /** Keys remembered at most per map (default 100,000). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** One key's standing: failures in a row, when it opens again, when it last failed (ms). */
export interface FailureCount {
  failures: number;
  openAt: number;
  last: number;
}
type Count = FailureCount;

/** The options with their defaults filled in and checked (shared with stores that keep counts elsewhere). */
export interface ThrottleSettings {
  readonly free: number;
  readonly freePerAddress: number;
  readonly base: number;
  readonly max: number;
  readonly forget: number;
  readonly knownGoodMs: number;
  readonly maxEntries: number;
  readonly now: () => number;
}

export function throttleSettings(o: FailureThrottleOptions = {}): ThrottleSettings {
  const s: ThrottleSettings = {
    free: o.freeFailures ?? 5,
    freePerAddress: o.freeFailuresPerAddress ?? 10,
    base: o.baseDelayMs ?? 1000,
    max: o.maxDelayMs ?? 60_000,
    forget: o.forgetAfterMs ?? 15 * 60_000,
    knownGoodMs: o.knownGoodMs ?? 30 * 24 * 3_600_000,
    maxEntries: o.maxEntries ?? 100_000,
    now: o.now ?? Date.now,
  };
  for (const [name, v] of [['freeFailures', s.free], ['freeFailuresPerAddress', s.freePerAddress]] as const) {
    if (!(Number.isInteger(v) && v >= 0)) throw new RangeError(`${name} must be an integer >= 0, got ${v}`);
  }
  if (!(s.base > 0 && s.max >= s.base)) throw new RangeError(`need 0 < baseDelayMs <= maxDelayMs, got ${s.base} and ${s.max}`);
  return s;
}

/** A key's standing after one more failure at `t` (a key quiet for `forget` starts afresh). */
export function countFailure(prev: FailureCount | undefined, t: number, free: number, s: ThrottleSettings): FailureCount {
  const c = !prev || t - prev.last > s.forget ? { failures: 0, openAt: 0, last: t } : { ...prev };
  c.failures++;
  c.last = t;
  if (c.failures >= free) c.openAt = t + Math.min(s.max, s.base * 2 ** Math.min(30, c.failures - free));
  return c;
}

/** How long a key stays closed at `t` (0: open, or forgotten). */
export function closedFor(c: FailureCount | undefined, t: number, s: ThrottleSettings): number {
  if (!c || t - c.last > s.forget) return 0;
  return Math.max(0, c.openAt - t);
}

/**
 * What the Basic scheme asks of a throttle. FailureThrottle keeps its counts in this process; a
 * server whose instances share a database passes one that counts there (async), so guesses spread
 * over instances add up.
 */
export interface SignInThrottle {
  check(user: string, address: string): Refusal | undefined | Promise<Refusal | undefined>;
  /** Records a wrong password; returns the failures in a row now counted for the user. */
  failure(user: string, address: string): number | Promise<number>;
  success(user: string, address: string): void | Promise<void>;
}

export interface Refusal {
  /** Which key is closed: 'user' (guesses at this account) or 'address' (guesses from here). */
  readonly by: 'user' | 'address';
  readonly retryAfterMs: number;
}

export class FailureThrottle implements SignInThrottle {
  private readonly s: ThrottleSettings;
  private readonly users = new Map<string, Count>();
  private readonly addresses = new Map<string, Count>();
  private readonly knownGood = new Map<string, number>();

  constructor(o: FailureThrottleOptions = {}) {
    this.s = throttleSettings(o);
  }

  /** Whether an attempt for `user` from `address` may be checked now; a refusal says for how long not. */
  check(user: string, address: string): Refusal | undefined {
    const t = this.s.now();
    const byAddress = this.closedFor(this.addresses, address, t);
    if (byAddress > 0) return { by: 'address', retryAfterMs: byAddress };
    if (this.isKnownGood(user, address, t)) return undefined;
    const byUser = this.closedFor(this.users, user, t);
    return byUser > 0 ? { by: 'user', retryAfterMs: byUser } : undefined;
  }

  /** Records a wrong password; returns the failures in a row now counted for the user. */
  failure(user: string, address: string): number {
    const t = this.s.now();
    this.bump(this.addresses, address, t, this.s.freePerAddress);
    return this.bump(this.users, user, t, this.s.free).failures;
  }

  success(user: string, address: string): void {
    this.addresses.delete(address);
    const key = `${user}\0${address}`;
    this.knownGood.delete(key);
    this.knownGood.set(key, this.s.now() + this.s.knownGoodMs);
    this.trim(this.knownGood);
  }

  private isKnownGood(user: string, address: string, t: number): boolean {
    const until = this.knownGood.get(`${user}\0${address}`);
    return until !== undefined && until > t;
  }

  private closedFor(map: Map<string, Count>, key: string, t: number): number {
    const c = map.get(key);
    if (c && t - c.last > this.s.forget) map.delete(key);
    return closedFor(c, t, this.s);
  }

  private bump(map: Map<string, Count>, key: string, t: number, free: number): Count {
    const c = countFailure(map.get(key), t, free, this.s);
    map.delete(key);
    map.set(key, c);
    this.trim(map);
    return c;
  }

  private trim(map: Map<string, unknown>): void {
    while (map.size > this.s.maxEntries) map.delete(map.keys().next().value!);
  }
}
