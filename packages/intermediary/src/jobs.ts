/**
 * The intermediary's own job table: what the store holds, indexed in memory, with every status
 * change written through to the store before it is visible. With a shared store (several
 * instances, store/pg/) the table is this instance's view: `sync` pulls what others changed, and
 * `update` is the store's atomic read-modify-write, so a change never rests on a stale view.
 */
import type { JobStatus, Spool, SpoolJob } from './spool/types.js';
import { JobState, isTerminal } from './spool/types.js';

export interface JobEntry {
  job: SpoolJob;
  status: JobStatus;
}

export class JobTable {
  private readonly entries = new Map<number, JobEntry>();
  private readonly pending = new Map<number, Promise<void>>();
  private syncing: Promise<number[]> | undefined;
  private nextSync: Promise<number[]> | undefined;
  constructor(private readonly spool: Spool) {}

  load(list: ReadonlyArray<{ job: SpoolJob; status: JobStatus }>): void {
    for (const e of list) this.entries.set(e.job.id, { job: e.job, status: e.status });
  }

  get(id: number): JobEntry | undefined {
    return this.entries.get(id);
  }

  add(job: SpoolJob, status: JobStatus): JobEntry {
    const e = { job, status };
    this.entries.set(job.id, e);
    return e;
  }

  setJob(job: SpoolJob): void {
    const e = this.entries.get(job.id);
    if (e) e.job = job;
  }

  /**
   * Persists and then publishes the new status (a crash never shows a state the disk lacks).
   * Updates of one job run one after another, each `change` seeing the previous one's result, so
   * a cancel and a concurrent state mirror never overwrite each other.
   */
  update(id: number, change: (s: JobStatus) => JobStatus): Promise<JobStatus> {
    const prev = this.pending.get(id) ?? Promise.resolve();
    const run = prev.then(async () => {
      const e = this.entries.get(id);
      if (!e) throw new RangeError(`no job ${id}`);
      const next = await this.spool.updateStatus(id, (stored) => stampProcessing(stored, change(stored)), this.spool.changes ? undefined : e.status);
      e.status = next;
      return next;
    });
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.pending.set(id, tail);
    void tail.then(() => {
      if (this.pending.get(id) === tail) this.pending.delete(id);
    });
    return run;
  }

  async remove(id: number): Promise<void> {
    await this.spool.delete(id);
    this.entries.delete(id);
  }

  /**
   * Shared store: applies what other instances changed since the last sync; returns the ids of
   * jobs that are new or changed here (the caller nudges their delivery). No-op otherwise.
   */
  sync(): Promise<number[]> {
    if (!this.spool.changes) return Promise.resolve([]);
    // A caller must see every change committed before it asked: one that arrives while a pull is
    // running waits for the next pull (shared by everyone who arrived meanwhile).
    if (this.syncing) return (this.nextSync ??= this.syncing.then(() => {
      this.nextSync = undefined;
      return this.sync();
    }));
    const run = this.pull().finally(() => (this.syncing = undefined));
    this.syncing = run;
    return run;
  }

  private async pull(): Promise<number[]> {
    const { updated, deleted } = await this.spool.changes!();
    const touched: number[] = [];
    for (const { job, status } of updated) {
      const e = this.entries.get(job.id);
      if (e) {
        e.job = job;
        e.status = status;
      } else this.entries.set(job.id, { job, status });
      touched.push(job.id);
    }
    for (const id of deleted) this.entries.delete(id);
    return touched;
  }

  all(): JobEntry[] {
    return [...this.entries.values()].sort((a, b) => a.job.id - b.job.id);
  }

  activeFor(owner: string): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.job.owner === owner && !isTerminal(e.status.state)) n++;
    return n;
  }
}

/**
 * RFC 8011 §5.3.14.2: time-at-processing is when the job began processing. Every status change
 * passes here, so the first one that shows the job processing (or stopped in processing, or
 * completed without a processing state having been seen between two polls) records the instant.
 * A job canceled or aborted before it ever processed keeps no value.
 */
function stampProcessing(prev: JobStatus, next: JobStatus): JobStatus {
  if (next.processingAt !== undefined || prev.processingAt !== undefined) return next.processingAt !== undefined ? next : { ...next, processingAt: prev.processingAt };
  const began = next.state === JobState.processing || next.state === JobState.processingStopped || next.state === JobState.completed;
  return began ? { ...next, processingAt: next.state === JobState.completed ? (next.completedAt ?? Date.now()) : Date.now() } : next;
}
