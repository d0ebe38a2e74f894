/**
 * Job history: a finished job's record stays visible to Get-Job-Attributes / Get-Jobs for
 * `historyMs` after it ended (its document bytes are dropped at once), then the job is deleted
 * from the spool. Swept on a timer that never keeps the process alive.
 */
import type { JobTable } from './jobs.js';
import { isTerminal } from './spool/types.js';

export interface RetentionOptions {
  readonly historyMs: number;
  readonly intervalMs?: number;
  readonly onError?: (err: unknown) => void;
}

/** Deletes every terminal job that ended more than `historyMs` before `now`; returns their ids. */
export async function sweepHistory(table: JobTable, historyMs: number, now = Date.now()): Promise<number[]> {
  const removed: number[] = [];
  for (const e of table.all()) {
    const ended = e.status.completedAt;
    if (isTerminal(e.status.state) && ended !== undefined && now - ended > historyMs) {
      await table.remove(e.job.id);
      removed.push(e.job.id);
    }
  }
  return removed;
}

export function startRetention(table: JobTable, options: RetentionOptions): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepHistory(table, options.historyMs)
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => {
        running = false;
      });
  }, options.intervalMs ?? Math.min(60_000, Math.max(1000, options.historyMs / 4)));
  timer.unref();
  return () => clearInterval(timer);
}
