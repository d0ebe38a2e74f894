/**
 * The printer's jobs: creation with increasing ids, state transitions with their timestamps, and
 * the history window (RFC 8011 §5.3.7: a job stays queryable for a while after it ends; the
 * window is the `jobHistoryMs` option).
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Job, JobState, NewJob } from './job.js';
import { isTerminal, startingJob } from './job.js';

export type { NewJob } from './job.js';

export class JobStore {
  readonly #jobs = new Map<number, Job>();
  readonly #events = new EventEmitter();
  #nextId: number;
  readonly #historyMs: number;

  readonly #maxHistory: number;

  constructor(options: { firstId: number; historyMs: number; maxHistory?: number }) {
    this.#nextId = Math.max(1, options.firstId);
    this.#historyMs = options.historyMs;
    this.#maxHistory = options.maxHistory ?? 10_000;
    this.#events.setMaxListeners(0);
  }

  create(n: NewJob): Job {
    const job = startingJob({
      id: this.#nextId++,
      uuid: `urn:uuid:${randomUUID()}`,
      owner: n.owner,
      clearName: n.clearName,
      sealed: n.sealed,
      clearTemplate: n.clearTemplate,
      documentFormat: n.documentFormat,
      template: n.template,
      stateMessage: 'Receiving.',
      createdAt: Date.now(),
    });
    this.#jobs.set(job.id, job);
    this.#emit(job);
    return job;
  }

  /** Adds an ended job read back from disk (job-history.ts); its id is never handed out again. */
  restore(job: Job): void {
    this.#jobs.set(job.id, job);
    this.#nextId = Math.max(this.#nextId, job.id + 1);
  }

  get(id: number): Job | undefined {
    this.purge();
    return this.#jobs.get(id);
  }

  /** Jobs newest first (RFC 8011 §4.2.6.2 leaves the order open; newest first is what CUPS does). */
  list(): Job[] {
    this.purge();
    return [...this.#jobs.values()].sort((a, b) => b.id - a.id);
  }

  /** Jobs not yet in a terminal state. */
  active(): Job[] {
    return this.list().filter((j) => !isTerminal(j.state));
  }

  /**
   * Moves a job to `state`. A terminal job never leaves its state (RFC 8011 §5.3.7: canceled,
   * aborted and completed are final); the return value says whether the transition happened.
   */
  transition(job: Job, state: JobState, message: string, reasons: { add?: readonly string[]; remove?: readonly string[] } = {}): boolean {
    if (isTerminal(job.state)) return false;
    job.state = state;
    job.stateMessage = message;
    for (const r of reasons.remove ?? []) job.reasons.delete(r);
    for (const r of reasons.add ?? []) job.reasons.add(r);
    const now = Date.now();
    job.stateChangedAt = now;
    if (state === 'processing' && job.timings.processingAt === undefined) job.timings.processingAt = now;
    if (isTerminal(state)) {
      job.timings.completedAt = now;
      job.reasons.delete('job-incoming');
      job.reasons.delete('job-data-insufficient');
      job.reasons.delete('job-printing');
      job.reasons.delete('job-queued');
    }
    this.#emit(job);
    return true;
  }

  /** Re-announces a job whose counters changed (pages rendered, documents received). */
  touch(job: Job): void {
    this.#emit(job);
  }

  onChange(listener: (job: Job) => void): () => void {
    this.#events.on('change', listener);
    return () => this.#events.off('change', listener);
  }

  /** Resolves when `predicate(job)` holds (checked now and at every change), or rejects after `timeoutMs`. */
  waitFor(id: number, predicate: (job: Job) => boolean, timeoutMs = 30_000): Promise<Job> {
    return new Promise((resolve, reject) => {
      const job = this.#jobs.get(id);
      if (job && predicate(job)) return resolve(job);
      const timer = setTimeout(() => {
        off();
        reject(new Error(`job ${id} did not reach the expected state within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onChange((j) => {
        if (j.id === id && predicate(j)) {
          clearTimeout(timer);
          off();
          resolve(j);
        }
      });
    });
  }

  /** Resolves when the job has ended and its manifest is on disk. */
  whenFinalized(id: number, timeoutMs = 30_000): Promise<Job> {
    return this.waitFor(id, (j) => j.finalized, timeoutMs);
  }

  /**
   * Forgets terminal jobs older than the history window, and the oldest ended ones beyond
   * `maxHistory` (a flood of small jobs must not grow memory without bound).
   */
  purge(now = Date.now()): void {
    let ended = 0;
    for (const [id, job] of this.#jobs) {
      const at = job.timings.completedAt;
      if (at === undefined || !job.finalized) continue;
      if (now - at > this.#historyMs) this.#jobs.delete(id);
      else ended++;
    }
    if (ended <= this.#maxHistory) return;
    // Map iteration is insertion (= id) order: the first ended jobs are the oldest.
    for (const [id, job] of this.#jobs) {
      if (ended <= this.#maxHistory) break;
      if (job.finalized) {
        this.#jobs.delete(id);
        ended--;
      }
    }
  }

  #emit(job: Job): void {
    this.#events.emit('change', job);
  }
}
