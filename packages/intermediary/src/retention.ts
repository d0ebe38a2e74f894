/**
 * Housekeeping on a timer that never keeps the process alive:
 * - job history: a finished job's record stays visible to Get-Job-Attributes / Get-Jobs for
 *   `historyMs` after it ended (its document bytes are dropped at once), then it is deleted;
 * - multiple-operation time-out (RFC 8011 §5.4.31, PWG 5100.11): a job left open by its client
 *   (Create-Job without a last document or Close-Job) is closed after `openJobTimeoutMs` of silence
 *   and printed with the documents it has ("process-job"); one with no document is canceled.
 */
import type { JobTable } from './jobs.js';
import type { Spool } from './spool/types.js';
import { isTerminal } from './spool/types.js';

export interface RetentionOptions {
  readonly historyMs: number;
  /** Silence after which an open job is closed (default 5 min). */
  readonly openJobTimeoutMs?: number;
  readonly spool?: Spool;
  readonly kick?: (jobId: number) => void;
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

/** Closes (or, without documents, cancels) open jobs idle for more than `timeoutMs`; returns their ids. */
export async function closeIdleJobs(table: JobTable, spool: Spool, kick: (jobId: number) => void, timeoutMs: number, now = Date.now()): Promise<number[]> {
  const closed: number[] = [];
  for (const e of table.all()) {
    if (e.job.closed || isTerminal(e.status.state)) continue;
    const last = Math.max(e.job.createdAt, ...e.job.documents.map((d) => d.receivedAt ?? 0));
    if (now - last <= timeoutMs) continue;
    table.setJob(await spool.closeJob(e.job.id));
    if (e.job.documents.length === 0) {
      await table.update(e.job.id, (s) => ({ ...s, cancelRequested: true, message: 'no document arrived before the multiple-operation time-out' }));
    }
    kick(e.job.id);
    closed.push(e.job.id);
  }
  return closed;
}

export function startRetention(table: JobTable, options: RetentionOptions): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const idle = options.spool && options.kick ? closeIdleJobs(table, options.spool, options.kick, options.openJobTimeoutMs ?? 300_000) : Promise.resolve([]);
    idle
      .then(() => sweepHistory(table, options.historyMs))
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => {
        running = false;
      });
  }, options.intervalMs ?? Math.min(60_000, Math.max(1000, Math.min(options.historyMs, options.openJobTimeoutMs ?? 300_000) / 4)));
  timer.unref();
  return () => clearInterval(timer);
}
