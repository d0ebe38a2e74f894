/** A store named by URL: `postgres://` / `postgresql://` is the shared PostgreSQL store. */
import { IntermediaryError, IntermediaryErrorCode } from '../errors.js';
import type { FaultHook } from '../faults.js';
import { PgJobStore } from './pg/job-store.js';
import { migrate } from './pg/migrations.js';
import type { JobStore } from './types.js';

export function openStore(url: string, options: { readonly maxConnections?: number; readonly faults?: FaultHook } = {}): JobStore {
  if (/^postgres(ql)?:\/\//i.test(url)) return new PgJobStore({ url, ...options });
  throw new IntermediaryError(IntermediaryErrorCode.config, 'server-error-internal-error', `--store: expected a postgres:// URL, got ${url.replace(/\/\/[^@/]*@/, '//…@')}`);
}

/** `tno intermediary migrate`: brings the store's schema to this code's version. */
export async function migrateStore(url: string): Promise<{ from: number; to: number; applied: number[] }> {
  if (!/^postgres(ql)?:\/\//i.test(url)) throw new IntermediaryError(IntermediaryErrorCode.config, 'server-error-internal-error', 'migrate: expected a postgres:// URL');
  const store = new PgJobStore({ url, maxConnections: 1 });
  try {
    return await migrate(store.pool);
  } finally {
    await store.close();
  }
}
