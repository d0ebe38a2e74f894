/**
 * Moves committed jobs from the spool to an upstream printer and mirrors their state back.
 *
 * Exactly-once delivery across crashes (the spool status records each step before the next):
 *   record "creating" → Create-Job upstream → record its job-id → mark document N in flight →
 *   Send-Document N → record N sent → ... → Close-Job → poll Get-Job-Attributes until terminal.
 * A restart (or retry) that finds "creating" without a job-id cannot know whether the upstream made
 * the job: it looks for the empty job with Get-Jobs (orphans.ts) and cancels it before creating
 * the job again, so the printer ends with one job holding the documents and at most one canceled
 * empty one (docs/decisions.md D8 says why cancel rather than adopt).
 * A restart that finds document N "in flight" asks the upstream how many documents the job holds
 * (number-of-documents, PWG 5100.5) before sending N again. When the upstream lacks Create-Job the
 * job goes as one Print-Job, and a crash between the upstream's acceptance and our record of it can
 * repeat the delivery (at-least-once); the README says so.
 *
 * Transient failures (no connection, HTTP errors, server-error-busy/-service-unavailable/
 * -not-accepting-jobs) are retried with exponential backoff; the job then says why it waits. An
 * IPP rejection ends the job aborted with the upstream's status, which the client sees on the job.
 */
import { setMaxListeners } from 'node:events';
import { Transform, type Readable } from 'node:stream';
import type { IppAttribute, IppMessage } from '@trustnoone/ipp';
import { attr, integerValue, keywords, findAttribute, stringValue } from '../attrs.js';
import { noFaults, type FaultHook } from '../faults.js';
import type { JobEntry, JobTable } from '../jobs.js';
import { JobState, isTerminal, type CompletedCounters, type JobStatus, type JobStateValue, type Spool, type SpoolJob } from '../spool/types.js';
import { discard, passThroughOperationAttributes, upstreamRequest, type Upstream, type UpstreamAnswer } from './client.js';
import { COUNTER_ATTRIBUTES, countersFrom, sameCounters } from './counters.js';
import { CreateGate } from './create-gate.js';
import { ORPHAN_ATTRIBUTES, earlierDeliveries, highestJobId, orphanCandidates } from './orphans.js';
import { GroupTag, IppOperation, IppStatus, isSuccessful } from '@trustnoone/ipp';
import { IppTransportError } from '@trustnoone/ipp-http';

/** RFC 8011 §4.1.6.1: service-unavailable, temporary-error, not-accepting-jobs, busy — "try again later", not "no". */
const TRANSIENT = new Set<number>([IppStatus.serverErrorServiceUnavailable, IppStatus.serverErrorTemporaryError, IppStatus.serverErrorNotAcceptingJobs, IppStatus.serverErrorBusy]);
/** PWG 5100.13 client-error-document-security-error: a TRUSTNOONE printer's answer to a replay, among others. */
const DOCUMENT_SECURITY_ERROR = IppStatus.clientErrorDocumentSecurityError;

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
}

interface Slot {
  busy: number;
  waiting: Array<() => void>;
}

async function acquire(slot: Slot, max: number): Promise<void> {
  while (slot.busy >= max) await new Promise<void>((r) => slot.waiting.push(r));
  slot.busy++;
}

function release(slot: Slot): void {
  slot.busy--;
  slot.waiting.shift()?.();
}

/** The upstream refused the job with an IPP status: permanent for this job. */
class UpstreamRejected extends Error {
  constructor(
    readonly status: number,
    readonly statusMessage: string | undefined,
  ) {
    super(`upstream refused with status 0x${status.toString(16).padStart(4, '0')}${statusMessage ? `: ${statusMessage}` : ''}`);
  }
}

/** 'poll' after a state change, 'poll-quiet' when the upstream reported nothing new. */
type Step = 'continue' | 'poll' | 'poll-quiet' | 'wait-client' | 'done';
const quietLog: ForwarderLog = { info() {}, warn() {} };

export class Forwarder {
  private readonly running = new Map<number, Promise<void>>();
  private readonly wakers = new Map<number, () => void>();
  private readonly again = new Set<number>();
  private readonly createSupport = new Map<string, boolean>();
  /** Keeps orphan searches from running while a Create-Job of ours is unrecorded (create-gate.ts). */
  private readonly createGate = new CreateGate();
  /** Per upstream: requests (and uploads) in progress and callers waiting for a slot. */
  private readonly slots = new Map<string, Slot>();
  /** Shutting down: exchanges in flight may finish, no new one starts (stop()). */
  private draining = false;
  /** Aborted by stop(): in-flight exchanges end at once instead of running to their timeouts. */
  private readonly abort = new AbortController();
  /** Upstream URIs whose last exchange failed for transport reasons. */
  readonly unreachable = new Set<string>();
  private readonly faults: FaultHook;
  private readonly log: ForwarderLog;

  constructor(private readonly o: ForwarderOptions) {
    // Every in-flight exchange (up to 16 per upstream, several upstreams) listens on this one
    // signal at once; that is the design, not a leak, so lift Node's default warning threshold.
    setMaxListeners(0, this.abort.signal);
    if (o.upstreams.length === 0) throw new RangeError('at least one upstream printer is required');
    this.faults = o.faults ?? noFaults;
    this.log = o.log ?? quietLog;
  }

  /** Starts (or nudges) forwarding of a job: after commit, new document, close or cancel. */
  kick(jobId: number): void {
    if (this.draining) return;
    const waker = this.wakers.get(jobId);
    if (waker) return waker();
    if (this.running.has(jobId)) {
      this.again.add(jobId);
      return;
    }
    const run = this.run(jobId).finally(() => {
      this.running.delete(jobId);
      if (this.again.delete(jobId)) this.kick(jobId);
    });
    this.running.set(jobId, run);
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
    this.abort.abort();
    for (const wake of this.wakers.values()) wake();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Resolves when no job is being forwarded (tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private async run(jobId: number): Promise<void> {
    let delay = this.o.retryInitialMs ?? 250;
    let pollDelay = this.o.pollMs ?? 1000;
    while (!this.draining) {
      const entry = this.o.table.get(jobId);
      if (!entry || isTerminal(entry.status.state)) return;
      let step: Step;
      try {
        step = await this.step(entry);
        delay = this.o.retryInitialMs ?? 250;
      } catch (err) {
        // Shutting down: the exchange was refused or aborted on purpose; the spool says where to resume.
        if (this.draining) return;
        if (err instanceof UpstreamRejected) {
          this.log.warn({ jobId, status: err.status }, 'forward: upstream refused the job');
          await this.o.table.update(jobId, (s) => ({
            ...s,
            state: JobState.aborted,
            reasons: ['aborted-by-system', ...reasonsFor(err.status)],
            message: `the upstream printer refused the job: ${err.statusMessage ?? `status 0x${err.status.toString(16).padStart(4, '0')}`}`,
            upstreamStatus: err.status,
            completedAt: Date.now(),
            forward: { ...s.forward, inFlight: undefined },
          }));
          // A job created upstream and then refused a document would otherwise wait there for
          // documents that never come: cancel it, best effort (it may already be terminal).
          const fwd = entry.status.forward;
          if (fwd.upstreamJobId) {
            const upstream = this.pick(entry.status, jobId);
            await this.exchangeNow(upstream, upstreamRequest(IppOperation.cancelJob, upstream.uri, [attr.integer('job-id', fwd.upstreamJobId), ...owner(entry.job)])).catch(() => undefined);
          }
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

  /**
   * Every forwarding exchange takes a slot of its upstream: document uploads up to
   * maxConcurrentSends, all requests together up to maxConcurrentRequests. Thousands of queued
   * jobs then make a bounded number of connections, also to an upstream that is down.
   */
  private async exchange(upstream: Upstream, message: IppMessage, data?: () => Readable): Promise<IppMessage> {
    const all = this.slot(`all ${upstream.uri}`);
    const sends = data ? this.slot(`send ${upstream.uri}`) : undefined;
    // An upload first waits for an upload slot, so queued uploads never hold the slots polls need.
    if (sends) await acquire(sends, this.o.maxConcurrentSends ?? 4);
    try {
      await acquire(all, this.o.maxConcurrentRequests ?? 16);
      try {
        // The stream is opened only once the slots are ours: no file handles held by queued jobs.
        return await this.exchangeNow(upstream, message, data?.());
      } finally {
        release(all);
      }
    } finally {
      if (sends) release(sends);
    }
  }

  private slot(key: string): Slot {
    let s = this.slots.get(key);
    if (!s) this.slots.set(key, (s = { busy: 0, waiting: [] }));
    return s;
  }

  private async exchangeNow(upstream: Upstream, message: IppMessage, data?: Readable): Promise<IppMessage> {
    if (this.draining) {
      data?.destroy();
      throw new Error('forwarding stopped');
    }
    let answer: UpstreamAnswer;
    try {
      answer = await upstream.send(message, data, this.abort.signal);
    } catch (err) {
      data?.destroy();
      throw err;
    }
    discard(answer.data);
    this.unreachable.delete(upstream.uri);
    const status = answer.message.code;
    if (isSuccessful(status)) return answer.message;
    const msg = stringValue(findAttribute(answer.message, GroupTag.operation, 'status-message'));
    if (TRANSIENT.has(status)) throw new Error(`upstream busy (status 0x${status.toString(16).padStart(4, '0')}${msg ? `: ${msg}` : ''})`);
    throw new UpstreamRejected(status, msg);
  }

  private async supportsCreateJob(upstream: Upstream): Promise<boolean> {
    const known = this.createSupport.get(upstream.uri);
    if (known !== undefined) return known;
    const res = await this.exchange(
      upstream,
      upstreamRequest(IppOperation.getPrinterAttributes, upstream.uri, [attr.keyword('requested-attributes', 'operations-supported')]),
    );
    const ops = findAttribute(res, GroupTag.printer, 'operations-supported')?.values.flatMap((v) => (v.tag === 'enum' ? [v.value] : [])) ?? [];
    const yes = ops.includes(IppOperation.createJob) && ops.includes(IppOperation.sendDocument);
    this.createSupport.set(upstream.uri, yes);
    return yes;
  }

  private async step(entry: JobEntry): Promise<Step> {
    const { job, status } = entry;
    const fwd = status.forward;
    if (status.cancelRequested && fwd.upstreamJobId === undefined) {
      // Best effort: an upstream that is down does not keep the cancel from completing here.
      if (fwd.creating) await this.cancelOrphan(job, fwd.creating.upstream).catch(() => undefined);
      await this.finish(job.id, JobState.canceled, ['job-canceled-by-user'], 'canceled before it reached the printer');
      return 'done';
    }

    if (fwd.upstreamJobId === undefined) {
      if (job.documents.length === 0 && !job.closed && job.operation === 'print-job') return 'wait-client';
      if (fwd.creating) {
        await this.cancelOrphan(job, fwd.creating.upstream);
        return 'continue';
      }
      const upstream = this.pick(status, job.id);
      const viaCreate = job.operation === 'create-job' || ((this.o.preferCreateJob ?? true) && (await this.supportsCreateJob(upstream)));
      if (!viaCreate) return this.printJob(upstream, job, status);
      await this.createUpstream(upstream, job);
      this.faults.hit('forward.recorded');
      return 'continue';
    }
    const upstream = this.pick(status, job.id);
    const upstreamJobId = fwd.upstreamJobId;

    if (status.cancelRequested) {
      if (!fwd.cancelSent) {
        await this.exchange(upstream, upstreamRequest(IppOperation.cancelJob, upstream.uri, [attr.integer('job-id', upstreamJobId), ...owner(job)])).catch((err: unknown) => {
          // Already terminal upstream (client-error-not-possible): the mirror below says how it ended.
          if (!(err instanceof UpstreamRejected)) throw err;
        });
        await this.o.table.update(job.id, (s) => ({ ...s, forward: { ...s.forward, cancelSent: true } }));
      }
      return this.mirror(upstream, upstreamJobId, job);
    }

    const doc = job.documents[fwd.documentsSent];
    if (doc) {
      if (fwd.inFlight?.document === doc.number) {
        const there = await this.upstreamJob(upstream, upstreamJobId);
        if (there.documents >= doc.number) {
          this.log.info({ jobId: job.id, document: doc.number }, 'forward: interrupted document had reached the upstream');
          // It went with last-document=true when it was the job's last: the upstream job is closed.
          const wasLast = job.closed && doc.number === job.documents.length;
          await this.o.table.update(job.id, (s) => ({ ...s, forward: { ...s.forward, documentsSent: doc.number, inFlight: undefined, closeSent: wasLast || s.forward.closeSent } }));
          return 'continue';
        }
        // The upload was cut off (we stopped, or the connection died). The printer has ended that
        // job or will wait for a document that may never fit it again: start over in a new job and
        // cancel the cut-off one. Only a later document of a job still waiting for it is resent in
        // place — earlier documents are in that job and cannot be sent twice (docs/decisions.md D22).
        if (doc.number === 1 || there.state === undefined || isTerminal(there.state as JobStateValue)) {
          await this.exchange(upstream, upstreamRequest(IppOperation.cancelJob, upstream.uri, [attr.integer('job-id', upstreamJobId), ...owner(job)])).catch((err: unknown) => {
            if (!(err instanceof UpstreamRejected)) throw err; // already ended there
          });
          this.log.warn({ jobId: job.id, upstream: upstream.uri, upstreamJobId }, 'forward: a cut-off forward goes again into a new upstream job (the cut-off one canceled)');
          await this.o.table.update(job.id, (s) => ({
            ...s,
            forward: { documentsSent: 0 },
          }));
          return 'continue';
        }
      }
      await this.o.table.update(job.id, (s) => ({ ...s, forward: { ...s.forward, inFlight: { document: doc.number, since: Date.now() } } }));
      const last = job.closed && doc.number === job.documents.length;
      const ops: IppAttribute[] = [
        attr.integer('job-id', upstreamJobId),
        ...submitAttributes(job, doc.attributes).filter((a) => a.name !== 'last-document'),
        attr.boolean('last-document', last),
      ];
      await this.exchange(upstream, upstreamRequest(IppOperation.sendDocument, upstream.uri, ops), () => this.documentStream(job.id, doc.number));
      this.faults.hit('forward.sent');
      await this.o.table.update(job.id, (s) => ({
        ...s,
        reasons: ['job-queued'],
        message: undefined,
        forward: { ...s.forward, documentsSent: doc.number, inFlight: undefined, closeSent: last || s.forward.closeSent },
      }));
      this.faults.hit('forward.done');
      return 'continue';
    }
    if (!job.closed) return 'wait-client';
    if (!fwd.closeSent) {
      await this.closeUpstream(upstream, upstreamJobId, job);
      await this.o.table.update(job.id, (s) => ({ ...s, forward: { ...s.forward, closeSent: true } }));
    }
    return this.mirror(upstream, upstreamJobId, job);
  }

  /**
   * Create-Job upstream with the intent recorded first and the job-id recorded as soon as the answer
   * is in, both inside the gate's shared side so no orphan search runs in between.
   */
  private createUpstream(upstream: Upstream, job: SpoolJob): Promise<void> {
    return this.createGate.shared(upstream.uri, async () => {
      // Canceled meanwhile (operations/jobs.ts ends a job not yet upstream at once): send nothing.
      const began = await this.o.table.update(job.id, (s) => (isTerminal(s.state) ? s : { ...s, forward: { ...s.forward, creating: { upstream: upstream.uri, since: Date.now() } } }));
      if (isTerminal(began.state)) return;
      let res: IppMessage;
      try {
        res = await this.exchange(upstream, upstreamRequest(IppOperation.createJob, upstream.uri, submitAttributes(job, job.attributes), jobGroup(job)));
      } catch (err) {
        // Certainly not created (refused, or no connection was ever made): nothing to look for
        // later, and the job stays free to go to another upstream.
        if (err instanceof UpstreamRejected || neverSent(err)) {
          await this.o.table.update(job.id, (s) => ({ ...s, forward: { ...s.forward, creating: undefined } }));
        }
        throw err;
      }
      const upstreamJobId = integerValue(findAttribute(res, GroupTag.job, 'job-id'));
      if (upstreamJobId === undefined) throw new UpstreamRejected(IppStatus.serverErrorInternalError, 'Create-Job answer carried no job-id');
      this.faults.hit('forward.created');
      await this.o.table.update(job.id, (s) => ({
        ...s,
        reasons: ['job-queued'],
        message: undefined,
        forward: { ...s.forward, upstream: upstream.uri, upstreamJobId, creating: undefined },
      }));
    });
  }

  /**
   * The answer to an earlier Create-Job of this job was never recorded: find the empty job it may
   * have left at `uri` and cancel it, then forget the intent. An upstream that cannot list jobs
   * (no Get-Jobs) gets a warning instead; a transient failure is retried like any other.
   */
  private async cancelOrphan(job: SpoolJob, uri: string): Promise<void> {
    const upstream = this.o.upstreams.find((u) => u.uri === uri);
    if (upstream) {
      await this.createGate.exclusive(uri, async () => {
        let answer: IppMessage;
        try {
          answer = await this.exchange(
            upstream,
            upstreamRequest(IppOperation.getJobs, uri, [
              ...owner(job),
              attr.keyword('which-jobs', 'not-completed'),
              attr.boolean('my-jobs', true),
              attr.keyword('requested-attributes', ...ORPHAN_ATTRIBUTES),
            ]),
          );
        } catch (err) {
          if (!(err instanceof UpstreamRejected)) throw err;
          this.log.warn({ jobId: job.id, upstream: uri, status: err.status }, 'forward: the upstream cannot list jobs; an empty job from an interrupted Create-Job may remain there');
          return;
        }
        const known = this.knownUpstreamJobs(uri);
        const jobName = stringValue(submitAttributes(job, job.attributes).find((a) => a.name === 'job-name'));
        const [orphan] = orphanCandidates(answer, { jobName, known });
        if (orphan === undefined) return;
        await this.exchange(upstream, upstreamRequest(IppOperation.cancelJob, uri, [attr.integer('job-id', orphan), ...owner(job)])).catch((err: unknown) => {
          // Already ended upstream: nothing left to clean.
          if (!(err instanceof UpstreamRejected)) throw err;
        });
        this.log.info({ jobId: job.id, upstream: uri, upstreamJobId: orphan }, 'forward: canceled the empty upstream job an interrupted Create-Job left behind');
      });
    }
    await this.o.table.update(job.id, (s) => ({ ...s, forward: { ...s.forward, creating: undefined } }));
  }

  /**
   * The whole job as one Print-Job (the upstream lacks Create-Job). Delivery is at-least-once: a
   * crash or a lost answer after the upstream took the job but before we recorded it sends it
   * again. Duplicates are detected rather than prevented: before each Print-Job we note the owner's
   * highest upstream job-id; on resume, a job of the owner's above it, with our job-name and a
   * document, not referenced by our spool, is a likely earlier delivery (logged). If the resend is
   * then refused with document-security-error — what a TRUSTNOONE printer answers to a replayed
   * job nonce (docs/profile.md §4) — that earlier delivery is adopted instead of failing the job.
   */
  private async printJob(upstream: Upstream, job: SpoolJob, status: JobStatus): Promise<Step> {
    const doc = job.documents[0];
    if (!doc) return 'wait-client';
    const interrupted = status.forward.inFlight;
    let earlier: number[] = [];
    if (interrupted) {
      earlier = await this.createGate.exclusive(upstream.uri, () => this.earlierPrintJobs(upstream, job, interrupted.highWater));
      this.log.warn(
        { jobId: job.id, upstream: upstream.uri, possibleDuplicateOf: earlier },
        earlier.length > 0
          ? 'forward: an interrupted Print-Job is sent again although the upstream may already hold it (possible duplicate; upstream lacks Create-Job)'
          : 'forward: an interrupted Print-Job is sent again (upstream lacks Create-Job)',
      );
    }
    return this.createGate.shared(upstream.uri, async () => {
      const highWater = interrupted?.highWater ?? (await this.highestOwnerJobId(upstream, job));
      const began = await this.o.table.update(job.id, (s) =>
        isTerminal(s.state) ? s : { ...s, forward: { ...s.forward, upstream: upstream.uri, inFlight: { document: 1, since: Date.now(), ...(highWater !== undefined ? { highWater } : {}) } } },
      );
      // Canceled meanwhile (operations/jobs.ts): send nothing.
      if (isTerminal(began.state)) return 'done' as const;
      let upstreamJobId: number | undefined;
      try {
        const res = await this.exchange(
          upstream,
          upstreamRequest(IppOperation.printJob, upstream.uri, submitAttributes(job, [...job.attributes, ...doc.attributes.filter((a) => !job.attributes.some((b) => b.name === a.name))]), jobGroup(job)),
          () => this.documentStream(job.id, 1),
        );
        upstreamJobId = integerValue(findAttribute(res, GroupTag.job, 'job-id'));
      } catch (err) {
        if (!(err instanceof UpstreamRejected && err.status === DOCUMENT_SECURITY_ERROR && earlier.length === 1)) throw err;
        upstreamJobId = earlier[0]!;
        this.log.info({ jobId: job.id, upstream: upstream.uri, upstreamJobId }, 'forward: the upstream refused the resend as a replay; its earlier delivery stands');
      }
      this.faults.hit('forward.sent');
      await this.o.table.update(job.id, (s) => ({
        ...s,
        reasons: ['job-queued'],
        message: undefined,
        forward: { ...s.forward, upstreamJobId: upstreamJobId ?? 0, documentsSent: 1, inFlight: undefined, closeSent: true },
      }));
      this.faults.hit('forward.done');
      return 'continue' as const;
    });
  }

  /** The owner's jobs at the upstream, ended and not (two RFC 8011 Get-Jobs); undefined if it cannot list them. */
  private async ownerJobs(upstream: Upstream, job: SpoolJob): Promise<IppMessage[] | undefined> {
    try {
      const list = (which: string) =>
        this.exchange(
          upstream,
          upstreamRequest(IppOperation.getJobs, upstream.uri, [...owner(job), attr.keyword('which-jobs', which), attr.boolean('my-jobs', true), attr.keyword('requested-attributes', ...ORPHAN_ATTRIBUTES)]),
        );
      return [await list('not-completed'), await list('completed')];
    } catch (err) {
      if (err instanceof UpstreamRejected) return undefined;
      throw err;
    }
  }

  private async highestOwnerJobId(upstream: Upstream, job: SpoolJob): Promise<number | undefined> {
    const answers = await this.ownerJobs(upstream, job);
    return answers ? highestJobId(answers) : undefined;
  }

  private async earlierPrintJobs(upstream: Upstream, job: SpoolJob, highWater: number | undefined): Promise<number[]> {
    if (highWater === undefined) return [];
    const answers = await this.ownerJobs(upstream, job);
    if (!answers) return [];
    const jobName = stringValue(submitAttributes(job, job.attributes).find((a) => a.name === 'job-name'));
    return earlierDeliveries(answers, { jobName, known: this.knownUpstreamJobs(upstream.uri), highWater });
  }

  /** Upstream job-ids our spool records already point at, on `uri`. */
  private knownUpstreamJobs(uri: string): Set<number> {
    const known = new Set<number>();
    for (const e of this.o.table.all()) if (e.status.forward.upstream === uri && e.status.forward.upstreamJobId) known.add(e.status.forward.upstreamJobId);
    return known;
  }

  private async closeUpstream(upstream: Upstream, upstreamJobId: number, job: SpoolJob): Promise<void> {
    try {
      await this.exchange(upstream, upstreamRequest(IppOperation.closeJob, upstream.uri, [attr.integer('job-id', upstreamJobId), ...owner(job)]));
    } catch (err) {
      // client-error-not-possible: the job is closed or already ended there (its last document
      // arrived, or it ended while we were away); the mirror that follows reports how it ended.
      if (err instanceof UpstreamRejected && err.status === IppStatus.clientErrorNotPossible) return;
      if (!(err instanceof UpstreamRejected) || err.status !== IppStatus.serverErrorOperationNotSupported) throw err;
      // No Close-Job upstream (PWG 5100.11 is optional): an empty last Send-Document ends the job.
      await this.exchange(
        upstream,
        upstreamRequest(IppOperation.sendDocument, upstream.uri, [attr.integer('job-id', upstreamJobId), ...owner(job), attr.boolean('last-document', true)]),
      );
    }
  }

  /** How many documents the upstream job holds whole (PWG 5100.5 number-of-documents) and its state. */
  private async upstreamJob(upstream: Upstream, upstreamJobId: number): Promise<{ documents: number; state: number | undefined }> {
    let res: IppMessage;
    try {
      res = await this.exchange(
        upstream,
        upstreamRequest(IppOperation.getJobAttributes, upstream.uri, [attr.integer('job-id', upstreamJobId), attr.keyword('requested-attributes', 'number-of-documents', 'job-state')]),
      );
    } catch (err) {
      // The upstream no longer knows the job (client-error-not-found): nothing of it is there.
      if (err instanceof UpstreamRejected && err.status === IppStatus.clientErrorNotFound) return { documents: 0, state: undefined };
      throw err;
    }
    return { documents: integerValue(findAttribute(res, GroupTag.job, 'number-of-documents')) ?? 0, state: integerValue(findAttribute(res, GroupTag.job, 'job-state')) };
  }

  private async mirror(upstream: Upstream, upstreamJobId: number, job: SpoolJob): Promise<Step> {
    const res = await this.exchange(
      upstream,
      upstreamRequest(IppOperation.getJobAttributes, upstream.uri, [
        attr.integer('job-id', upstreamJobId),
        ...owner(job),
        attr.keyword('requested-attributes', 'job-state', 'job-state-reasons', 'job-state-message', ...COUNTER_ATTRIBUTES),
      ]),
    );
    const state = integerValue(findAttribute(res, GroupTag.job, 'job-state'));
    if (state === undefined || state < JobState.pending || state > JobState.completed) return 'poll-quiet';
    const reasons = keywords(findAttribute(res, GroupTag.job, 'job-state-reasons'));
    const message = stringValue(findAttribute(res, GroupTag.job, 'job-state-message'));
    const completed = countersFrom(res);
    if (isTerminal(state)) {
      await this.finish(job.id, state as JobStateValue, reasons, message, completed);
      return 'done';
    }
    const cur = this.o.table.get(job.id)!.status;
    if (cur.state !== state || cur.reasons.join() !== reasons.join() || cur.message !== message || !sameCounters(cur.completed, completed)) {
      await this.o.table.update(job.id, (s) => ({ ...s, state: state as JobStateValue, reasons, message, completed }));
      return 'poll';
    }
    return 'poll-quiet';
  }

  private async finish(jobId: number, state: JobStateValue, reasons: readonly string[], message: string | undefined, completed?: CompletedCounters): Promise<void> {
    await this.o.table.update(jobId, (s) => ({ ...s, state, reasons: reasons.length ? reasons : ['none'], message, completedAt: Date.now(), ...(completed ? { completed } : {}) }));
    // The ciphertext has done its job; keep the record for Get-Jobs, not the bytes.
    const e = this.o.table.get(jobId);
    for (const d of e?.job.documents ?? []) await this.o.spool.dropDocumentData(jobId, d.number);
  }

  /** The stored document, with the `forward.sending` fault point after its first chunk. */
  private documentStream(jobId: number, number: number): Readable {
    const source = this.o.spool.openDocument(jobId, number);
    let first = true;
    const faults = this.faults;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        done(null, chunk);
        if (first) {
          first = false;
          faults.hit('forward.sending');
        }
      },
    });
    source.on('error', (e) => tap.destroy(e));
    return source.pipe(tap);
  }
}

/** A transport failure that proves the request never left: no connection was ever made. */
function neverSent(err: unknown): boolean {
  const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
  return err instanceof IppTransportError && err.code === 'IPP_HTTP_CONNECT' && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(cause?.code ?? '');
}

function owner(job: SpoolJob): IppAttribute[] {
  return [attr.name('requesting-user-name', job.owner)];
}

/**
 * job-state-reasons (RFC 8011 §5.3.8, PWG 5100.7, docs/spec-notes.md §2) that carry an upstream refusal's
 * meaning onto the job, so a client polling the intermediary learns what the printer said.
 */
function reasonsFor(status: number): string[] {
  switch (status) {
    case IppStatus.clientErrorDocumentFormatNotSupported:
      return ['unsupported-document-format'];
    case IppStatus.clientErrorAttributesOrValuesNotSupported:
      return ['unsupported-attributes-or-values'];
    case IppStatus.clientErrorDocumentPasswordError:
      return ['document-password-error'];
    case IppStatus.clientErrorDocumentPermissionError:
      return ['document-permission-error'];
    case IppStatus.clientErrorDocumentSecurityError:
      return ['document-security-error'];
    default:
      return [];
  }
}

/** The client's cleartext operation attributes, with the job's owner as requesting-user-name. */
function submitAttributes(job: SpoolJob, attributes: readonly IppAttribute[]): IppAttribute[] {
  return [...owner(job), ...passThroughOperationAttributes(attributes).filter((a) => a.name !== 'requesting-user-name')];
}

function jobGroup(job: SpoolJob): { tag: number; attributes: readonly IppAttribute[] }[] {
  return job.jobAttributes.length ? [{ tag: GroupTag.job, attributes: job.jobAttributes }] : [];
}
