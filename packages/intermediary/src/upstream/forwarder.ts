/**
 * Scheduling of deliveries: which job is delivered when, by whom, and how often it is retried.
 * One run per job drives the delivery state machine (delivery.ts) step by step: transient failures
 * (no connection, HTTP errors, server-error-busy/-service-unavailable/-not-accepting-jobs) are
 * retried with exponential backoff, and the job says why it waits; polls of a forwarded job back off
 * while nothing changes. With a shared store (several instances) a run first takes the job's lease
 * and renews it while it runs, so one instance at a time delivers a job and another takes it over
 * when its holder dies (store/types.ts LeaseStore).
 */
import { noFaults, type FaultHook } from '../faults.js';
import type { JobTable } from '../jobs.js';
import { isTerminal, type JobStatus, type Spool } from '../spool/types.js';
import type { Upstream } from './client.js';
import { Delivery, type Step } from './delivery.js';
import { UpstreamExchange, UpstreamRejected } from './exchange.js';
import { OrphanRecovery } from './orphan-recovery.js';

export interface ForwarderLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ForwarderOptions {
  readonly spool: Spool;
  readonly table: JobTable;
  readonly upstreams: readonly Upstream[];
  readonly faults?: FaultHook;
  readonly log?: ForwarderLog;
  /** First retry delay after a transient failure; doubles up to retryMaxMs. */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** Interval of Get-Job-Attributes polls upstream while a forwarded job is not terminal. */
  readonly pollMs?: number;
  /** Longest interval polls back off to while nothing changes (default 10 × pollMs). */
  readonly pollMaxMs?: number;
  /** Send a Print-Job upstream as Create-Job + Send-Document when the upstream supports it. */
  readonly preferCreateJob?: boolean;
  /** Document uploads to one upstream at a time (default 4): a printer takes jobs one by one anyway. */
  readonly maxConcurrentSends?: number;
  /** Requests of any kind to one upstream at a time (default 16), uploads included. */
  readonly maxConcurrentRequests?: number;
  /** Shared store: how long a delivery lease lasts unless renewed (default 15 s). */
  readonly leaseMs?: number;
}

const quietLog: ForwarderLog = { info() {}, warn() {} };

export class Forwarder {
  private readonly running = new Map<number, Promise<void>>();
  private readonly wakers = new Map<number, () => void>();
  private readonly again = new Set<number>();
  private scanner: NodeJS.Timeout | undefined;
  /** When the current run of each job began (orphan windows end there after a crash). */
  private readonly runSince = new Map<number, number>();
  /** Shutting down: exchanges in flight may finish, no new one starts (stop()). */
  private draining = false;
  private readonly net: UpstreamExchange;
  private readonly delivery: Delivery;
  private readonly log: ForwarderLog;

  constructor(private readonly o: ForwarderOptions) {
    if (o.upstreams.length === 0) throw new RangeError('at least one upstream printer is required');
    this.log = o.log ?? quietLog;
    this.net = new UpstreamExchange({
      ...(o.maxConcurrentSends !== undefined ? { maxConcurrentSends: o.maxConcurrentSends } : {}),
      ...(o.maxConcurrentRequests !== undefined ? { maxConcurrentRequests: o.maxConcurrentRequests } : {}),
    });
    this.delivery = new Delivery({
      spool: o.spool,
      table: o.table,
      net: this.net,
      recovery: new OrphanRecovery(this.net, o.table, this.log, o.spool.leases ? 2 * (o.leaseMs ?? 15_000) : 0),
      pick: (status, jobId) => this.pick(status, jobId),
      resumedAt: (jobId) => this.runSince.get(jobId) ?? Date.now(),
      faults: o.faults ?? noFaults,
      log: this.log,
      ...(o.preferCreateJob !== undefined ? { preferCreateJob: o.preferCreateJob } : {}),
    });
  }

  /** Upstream URIs whose last exchange failed for transport reasons. */
  get unreachable(): Set<string> {
    return this.net.unreachable;
  }

  /** Starts (or nudges) forwarding of a job: after commit, new document, close or cancel. */
  kick(jobId: number, claimed = false): void {
    if (this.draining) return;
    const waker = this.wakers.get(jobId);
    if (waker) return waker();
    if (this.running.has(jobId)) {
      this.again.add(jobId);
      return;
    }
    if (!this.runSince.has(jobId)) this.runSince.set(jobId, Date.now());
    const run = this.run(jobId, claimed).finally(() => {
      this.running.delete(jobId);
      const e = this.o.table.get(jobId);
      if (!e || isTerminal(e.status.state)) this.runSince.delete(jobId);
      if (this.again.delete(jobId)) this.kick(jobId);
    });
    this.running.set(jobId, run);
  }

  /**
   * Shared store: every `scanMs`, claims jobs no live instance delivers — new ones whose kick went
   * to an instance that died, or the work of an instance whose leases ran out — and runs them.
   */
  startTakeover(scanMs = 1000): void {
    const leases = this.o.spool.leases;
    if (!leases || this.scanner) return;
    let busy = false;
    this.scanner = setInterval(() => {
      if (busy || this.draining) return;
      busy = true;
      void (async () => {
        const ids = await leases.claimNext(32, this.o.leaseMs ?? 15_000);
        if (ids.length === 0) return;
        await this.o.table.sync();
        for (const id of ids) {
          if (this.running.has(id)) continue;
          this.kick(id, true);
        }
      })()
        .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'forward: takeover scan failed'))
        .finally(() => (busy = false));
    }, scanMs);
    this.scanner.unref();
  }

  /**
   * Stops forwarding. With `drainMs` > 0 (a clean shutdown) no new exchange starts but the ones in
   * flight — an upload half-way to the printer above all — may finish for up to that long, each
   * recorded in the spool as usual; whatever is still running then is aborted, and the next start
   * resumes from the spool (a cut-off upload goes into a new upstream job). With 0, all is aborted
   * at once.
   */
  async stop(drainMs = 0): Promise<void> {
    this.draining = true;
    this.net.draining = true;
    if (this.scanner) clearInterval(this.scanner);
    for (const wake of this.wakers.values()) wake();
    if (drainMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.running.values()]),
        new Promise<void>((r) => {
          timer = setTimeout(r, drainMs);
        }),
      ]);
      clearTimeout(timer);
    }
    this.net.abort();
    for (const wake of this.wakers.values()) wake();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Resolves when no job is being forwarded (tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Shared store: a run holds the job's lease from before its first step to after its last,
   * renewing it meanwhile; without the lease (another instance delivers the job) it does nothing.
   */
  private async run(jobId: number, claimed = false): Promise<void> {
    const leases = this.o.spool.leases;
    if (!leases) return this.deliver(jobId, () => true);
    const ttl = this.o.leaseMs ?? 15_000;
    if (!claimed && !(await leases.claim(jobId, ttl).catch(() => false))) return;
    let held = true;
    const renew = setInterval(() => {
      void leases.renew(jobId, ttl).then(
        (ok) => {
          if (ok) return;
          held = false;
          this.log.warn({ jobId }, 'forward: lost the delivery lease (another instance took the job over); this run stops');
          this.wakers.get(jobId)?.();
        },
        () => undefined, // the store is unreachable: the lease runs out unless a later renewal gets through
      );
    }, Math.max(50, Math.floor(ttl / 3)));
    try {
      await this.o.table.sync();
      await this.deliver(jobId, () => held);
    } finally {
      clearInterval(renew);
      if (held) await leases.release(jobId).catch(() => undefined);
    }
  }

  private async deliver(jobId: number, holding: () => boolean): Promise<void> {
    const shared = this.o.spool.changes !== undefined;
    let delay = this.o.retryInitialMs ?? 250;
    let pollDelay = this.o.pollMs ?? 1000;
    while (!this.draining && holding()) {
      // Another instance may have changed the job (a cancel, a document) since our last step.
      if (shared) await this.o.table.sync();
      const entry = this.o.table.get(jobId);
      if (!entry || isTerminal(entry.status.state)) return;
      let step: Step;
      try {
        step = await this.delivery.step(entry);
        delay = this.o.retryInitialMs ?? 250;
      } catch (err) {
        // Shutting down: the exchange was refused or aborted on purpose; the spool says where to resume.
        if (this.draining) return;
        if (err instanceof UpstreamRejected) {
          await this.delivery.reject(entry, err);
          return;
        }
        const uri = entry.status.forward.upstream ?? entry.status.forward.creating?.upstream ?? this.o.upstreams[0]!.uri;
        this.unreachable.add(uri);
        const reason = (err as Error).message;
        this.log.warn({ jobId, upstream: uri, err: reason, retryMs: delay }, 'forward: upstream unavailable, will retry');
        await this.o.table.update(jobId, (s) =>
          s.forward.upstreamJobId === undefined || s.forward.documentsSent < entry.job.documents.length
            ? { ...s, reasons: ['job-queued', 'connecting-to-device'], message: `waiting for the upstream printer: ${reason.slice(0, 200)}` }
            : s,
        );
        await this.sleep(jobId, delay);
        delay = Math.min(delay * 2, this.o.retryMaxMs ?? 30_000);
        continue;
      }
      if (step === 'wait-client' || step === 'done') return;
      if (step === 'poll' || step === 'poll-quiet') {
        // Polls back off while a job sits unchanged upstream (a long queue must not turn into a
        // request storm against the printer) and return to the base rate on any change.
        const base = this.o.pollMs ?? 1000;
        pollDelay = step === 'poll' ? base : Math.min(pollDelay * 2, Math.max(base, this.o.pollMaxMs ?? base * 10));
        await this.sleep(jobId, pollDelay);
      }
    }
  }

  private sleep(jobId: number, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wakers.set(jobId, () => {
        this.wakers.delete(jobId);
        done();
      });
    }).finally(() => this.wakers.delete(jobId));
  }

  private pick(status: JobStatus, jobId: number): Upstream {
    const ups = this.o.upstreams;
    if (status.forward.upstream) {
      const bound = ups.find((u) => u.uri === status.forward.upstream);
      if (bound) return bound;
    }
    // Prefer an upstream not known to be down, starting at a job-dependent index to spread load.
    for (let i = 0; i < ups.length; i++) {
      const u = ups[(jobId + i) % ups.length]!;
      if (!this.unreachable.has(u.uri)) return u;
    }
    return ups[jobId % ups.length]!;
  }
}
