/**
 * The sign-in failure throttle (ipp-http's FailureThrottle: 5 wrong per user, 10 per address, then
 * 429 with a delay doubling from 1 s to 60 s) with its counts in the shared database, so wrong
 * passwords spread over several instances add up as they would at one.
 *
 * Each failure reads its row FOR UPDATE and writes the next count in one transaction (the same
 * arithmetic as the in-memory throttle, countFailure), so concurrent failures at different
 * instances are counted one after the other, none lost. Times are each instance's clock (ms);
 * instances behind one load balancer are expected to agree to well under the 1 s first delay.
 * Rows quiet longer than forgetAfterMs are deleted now and then, which bounds the tables as the
 * in-memory maps are bounded. A database failure is INTERMEDIARY_STORE_UNAVAILABLE, as elsewhere
 * in the store, answered HTTP 503 with Retry-After: the attempt is neither admitted nor counted.
 */
import type pg from 'pg';
import { closedFor, countFailure, throttleSettings, type FailureCount, type FailureThrottleOptions, type Refusal, type SignInThrottle, type ThrottleSettings } from '@trustnoone/ipp-http';
import { fromDatabase, query, unavailable } from './unavailable.js';
import { answeringStoreDown } from '../unavailable-answer.js';

/** At most one sweep of forgotten rows per instance this often. */
const SWEEP_EVERY_MS = 60_000;

export class PgSignInThrottle implements SignInThrottle {
  private readonly s: ThrottleSettings;
  private lastSweep = 0;

  constructor(private readonly pool: pg.Pool, options: FailureThrottleOptions = {}) {
    this.s = throttleSettings(options);
  }

  // Each method answers the store down with HttpServiceUnavailable (a 503 to the sign-in, not a 500).
  check(user: string, address: string): Promise<Refusal | undefined> {
    return answeringStoreDown(() => this.checkNow(user, address));
  }

  failure(user: string, address: string): Promise<number> {
    return answeringStoreDown(() => this.failureNow(user, address));
  }

  success(user: string, address: string): Promise<void> {
    return answeringStoreDown(() => this.successNow(user, address));
  }

  private async checkNow(user: string, address: string): Promise<Refusal | undefined> {
    const t = this.s.now();
    const r = await query<{ kind: string; failures: number; open_at: string; last: string }>(
      this.pool,
      "SELECT kind, failures, open_at, last FROM tno_auth_failures WHERE (kind = 'address' AND key = $1) OR (kind = 'user' AND key = $2)",
      [address, user],
    );
    const of = (kind: string): FailureCount | undefined => {
      const row = r.rows.find((x) => x.kind === kind);
      return row ? { failures: row.failures, openAt: Number(row.open_at), last: Number(row.last) } : undefined;
    };
    const byAddress = closedFor(of('address'), t, this.s);
    if (byAddress > 0) return { by: 'address', retryAfterMs: byAddress };
    const byUser = closedFor(of('user'), t, this.s);
    if (byUser === 0) return undefined;
    const good = await query(this.pool, 'SELECT 1 FROM tno_auth_known_good WHERE username = $1 AND address = $2 AND until > $3', [user, address, t]);
    return good.rowCount ? undefined : { by: 'user', retryAfterMs: byUser };
  }

  private async failureNow(user: string, address: string): Promise<number> {
    const t = this.s.now();
    await this.bump('address', address, t, this.s.freePerAddress);
    const failures = await this.bump('user', user, t, this.s.free);
    if (t - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = t;
      await query(this.pool, 'DELETE FROM tno_auth_failures WHERE last < $1', [t - this.s.forget]);
      await query(this.pool, 'DELETE FROM tno_auth_known_good WHERE until < $1', [t]);
    }
    return failures;
  }

  private async successNow(user: string, address: string): Promise<void> {
    await query(this.pool, "DELETE FROM tno_auth_failures WHERE kind = 'address' AND key = $1", [address]);
    await query(
      this.pool,
      'INSERT INTO tno_auth_known_good (username, address, until) VALUES ($1, $2, $3) ON CONFLICT (username, address) DO UPDATE SET until = EXCLUDED.until',
      [user, address, this.s.now() + this.s.knownGoodMs],
    );
  }

  /** One more failure for a key, under its row lock; returns the failures in a row. */
  private async bump(kind: 'user' | 'address', key: string, t: number, free: number): Promise<number> {
    const c = await this.pool.connect().catch((err: unknown) => {
      throw unavailable(err);
    });
    try {
      await c.query('BEGIN');
      await c.query("INSERT INTO tno_auth_failures (kind, key, failures, open_at, last) VALUES ($1, $2, 0, 0, $3) ON CONFLICT DO NOTHING", [kind, key, t]);
      const r = await c.query<{ failures: number; open_at: string; last: string }>('SELECT failures, open_at, last FROM tno_auth_failures WHERE kind = $1 AND key = $2 FOR UPDATE', [kind, key]);
      const row = r.rows[0]!;
      const prev: FailureCount | undefined = row.failures === 0 ? undefined : { failures: row.failures, openAt: Number(row.open_at), last: Number(row.last) };
      const next = countFailure(prev, t, free, this.s);
      await c.query('UPDATE tno_auth_failures SET failures = $3, open_at = $4, last = $5 WHERE kind = $1 AND key = $2', [kind, key, next.failures, next.openAt, next.last]);
      await c.query('COMMIT');
      return next.failures;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw fromDatabase(err) ? unavailable(err) : err;
    } finally {
      c.release();
    }
  }
}
