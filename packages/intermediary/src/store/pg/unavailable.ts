/**
 * Database failures (the server down, a connection cut, a statement refused) become
 * INTERMEDIARY_STORE_UNAVAILABLE, answered as server-error-service-unavailable: the client or
 * device asks again later; our own errors pass through unchanged.
 */
import pg from 'pg';
import { IntermediaryError, IntermediaryErrorCode } from '../../errors.js';

/** An error of the database or the connection to it, as opposed to one thrown by our own code. */
export function fromDatabase(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return true;
  const e = err as { code?: unknown; message?: unknown };
  return (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) || /Connection terminated|connection timeout/i.test(String(e.message));
}

export function unavailable(err: unknown): IntermediaryError {
  if (err instanceof IntermediaryError) return err;
  return new IntermediaryError(IntermediaryErrorCode.storeUnavailable, 'server-error-service-unavailable', `the job store is unavailable: ${(err as Error).message}`, { cause: err });
}

/** `pool.query` with database failures mapped to INTERMEDIARY_STORE_UNAVAILABLE. */
export async function query<R extends pg.QueryResultRow>(pool: pg.Pool, text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
  try {
    return await pool.query<R>(text, values);
  } catch (err) {
    throw fromDatabase(err) ? unavailable(err) : err;
  }
}
