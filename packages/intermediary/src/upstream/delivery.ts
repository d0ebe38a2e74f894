/**
 * The delivery state machine of one job, one step at a time; each step records its outcome in the
 * job's status before the next begins, so a restart (or another instance taking the job over)
 * resumes at the right step:
 *   record "creating" → Create-Job upstream → record its job-id → mark document N in flight →
 *   Send-Document N → record N sent → ... → Close-Job → poll Get-Job-Attributes until terminal.
 * "creating" found without a job-id: the upstream may hold an empty job of ours, which orphan
 * recovery cancels before the job is created again (orphan-recovery.ts, docs/decisions.md D8).
 * Document N found "in flight": the upstream is asked how many documents the job holds
 * (number-of-documents, PWG 5100.5) before N is sent again. When the upstream lacks Create-Job the
 * job goes as one Print-Job, and a crash between the upstream's acceptance and our record of it can
 * repeat the delivery (at-least-once); the README says so.
 * An IPP refusal ends the job aborted with the upstream's status (reject()); anything else thrown
 * is for the scheduler (forwarder.ts) to retry.
 */
import { Transform, type Readable } from 'node:stream';
import { GroupTag, IppOperation, IppStatus, type IppAttribute, type IppMessage } from '@trustnoone/ipp';
import { attr, integerValue, keywords, findAttribute, stringValue } from '../attrs.js';
import type { FaultHook } from '../faults.js';
import type { JobEntry, JobTable } from '../jobs.js';
import { JobState, isTerminal, type CompletedCounters, type JobStatus, type JobStateValue, type Spool, type SpoolJob } from '../spool/types.js';
import { COUNTER_ATTRIBUTES, countersFrom, sameCounters } from './counters.js';
import { upstreamRequest, type Upstream } from './client.js';
import { UpstreamRejected, neverSent, type UpstreamExchange } from './exchange.js';
import { jobGroup, owner, reasonsFor, submitAttributes } from './job-request.js';
import type { OrphanRecovery, RecoveryLog } from './orphan-recovery.js';

/** PWG 5100.13 client-error-document-security-error: a TRUSTNOONE printer's answer to a replay, among others. */
const DOCUMENT_SECURITY_ERROR = IppStatus.clientErrorDocumentSecurityError;

/** 'poll' after a state change, 'poll-quiet' when the upstream reported nothing new. */
export type Step = 'continue' | 'poll' | 'poll-quiet' | 'wait-client' | 'done';

export interface DeliveryOptions {
  readonly spool: Spool;
  readonly table: JobTable;
  readonly net: UpstreamExchange;
  readonly recovery: OrphanRecovery;
  /** The upstream this job goes to (bound once chosen; the scheduler spreads new ones). */
  readonly pick: (status: JobStatus, jobId: number) => Upstream;
  readonly faults: FaultHook;
  readonly log: RecoveryLog;
  /** When this process (or instance) began delivering the job: the latest a crashed predecessor sent anything. */
  readonly resumedAt: (jobId: number) => number;
  /** Send a Print-Job upstream as Create-Job + Send-Document when the upstream supports it. */
  readonly preferCreateJob?: boolean;
}

export class Delivery {
  constructor(private readonly o: DeliveryOptions) {}

  /** The upstream refused the job: it ends aborted with the upstream's status, and a job left upstream is canceled. */
  async reject(entry: JobEntry, err: UpstreamRejected): Promise<void> {
    const jobId = entry.job.id;
    this.o.log.warn({ jobId, status: err.status }, 'forward: upstream refused the job');
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
      const upstream = this.o.pick(entry.status, jobId);
      await this.o.net.exchangeNow(upstream, upstreamRequest(IppOperation.cancelJob, upstream.uri, [attr.integer('job-id', fwd.upstreamJobId), ...owner(entry.job)])).catch(() => undefined);
    }
  }

  /** A Create-Job of this job may have left an empty job at `uri`: cancel it, then forget the intent. */
  private async cancelOrphan(job: SpoolJob, creating: NonNullable<JobStatus['forward']['creating']>): Promise<void> {
    const upstream = this.upstreamByUri(creating.upstream, job);
    // The job may have been made from just before the Create-Job went out until its failure was
    // seen; after a crash, until this process (or instance) took the job up.
    const window = { from: creating.since, to: creating.failedAt ?? Math.max(creating.since, this.o.resumedAt(job.id)) };
    if (upstream) await this.o.recovery.cancelOrphan(upstream, job, window);
    await this.o.table.update(job.id, (s) => ({ ...s, forward: { ...s.forward, creating: undefined } }));
  }

  private upstreamByUri(uri: string, job: SpoolJob): Upstream | undefined {
    const u = this.o.pick({ state: JobState.pending, reasons: [], forward: { upstream: uri, documentsSent: 0 } }, job.id);
    return u.uri === uri ? u : undefined;
  }

  async step(entry: JobEntry): Promise<Step> {
    const { job, status } = entry;
    const fwd = status.forward;
    if (status.cancelRequested && fwd.upstreamJobId === undefined) {
      // Best effort: an upstream that is down does not keep the cancel from completing here.
      if (fwd.creating) await this.cancelOrphan(job, fwd.creating).catch(() => undefined);
      await this.finish(job.id, JobState.canceled, ['job-canceled-by-user'], 'canceled before it reached the printer');
      return 'done';
    }

    if (fwd.upstreamJobId === undefined) {
      if (job.documents.length === 0 && !job.closed && job.operation === 'print-job') return 'wait-client';
      if (fwd.creating) {
        await this.cancelOrphan(job, fwd.creating);
        return 'continue';
      }
      const upstream = this.o.pick(status, job.id);
      const viaCreate = job.operation === 'create-job' || ((this.o.preferCreateJob ?? true) && (await this.o.net.supportsCreateJob(upstream)));
      if (!viaCreate) return this.printJob(upstream, job, status);
      await this.createUpstream(upstream, job);
      this.o.faults.hit('forward.recorded');
      return 'continue';
    }
    const upstream = this.o.pick(status, job.id);
    const upstreamJobId = fwd.upstreamJobId;

    if (status.cancelRequested) {
      if (!fwd.cancelSent) {
        await this.o.net.exchange(upstream, upstreamRequest(IppOperation.cancelJob, upstream.uri, [attr.integer('job-id', upstreamJobId), ...owner(job)])).catch((err: unknown) => {
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
          this.o.log.info({ jobId: job.id, document: doc.number }, 'forward: interrupted document had reached the upstream');
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
          await this.o.net.exchange(upstream, upstreamRequest(IppOperation.cancelJob, upstream.uri, [attr.integer('job-id', upstreamJobId), ...owner(job)])).catch((err: unknown) => {
            if (!(err instanceof UpstreamRejected)) throw err; // already ended there
          });
          this.o.log.warn({ jobId: job.id, upstream: upstream.uri, upstreamJobId }, 'forward: a cut-off forward goes again into a new upstream job (the cut-off one canceled)');
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
      await this.o.net.exchange(upstream, upstreamRequest(IppOperation.sendDocument, upstream.uri, ops), () => this.documentStream(job.id, doc.number));
      this.o.faults.hit('forward.sent');
      await this.o.table.update(job.id, (s) => ({
        ...s,
        reasons: ['job-queued'],
        message: undefined,
        forward: { ...s.forward, documentsSent: doc.number, inFlight: undefined, closeSent: last || s.forward.closeSent },
      }));
      this.o.faults.hit('forward.done');
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
    return this.o.recovery.submitting(upstream.uri, async () => {
      // Canceled meanwhile (operations/jobs.ts ends a job not yet upstream at once): send nothing.
      const began = await this.o.table.update(job.id, (s) => (isTerminal(s.state) ? s : { ...s, forward: { ...s.forward, creating: { upstream: upstream.uri, since: Date.now() } } }));
      if (isTerminal(began.state)) return;
      let res: IppMessage;
      try {
        res = await this.o.net.exchange(upstream, upstreamRequest(IppOperation.createJob, upstream.uri, submitAttributes(job, job.attributes), jobGroup(job)));
      } catch (err) {
        // Certainly not created (refused, or no connection was ever made): nothing to look for
        // later, and the job stays free to go to another upstream.
        if (err instanceof UpstreamRejected || neverSent(err)) {
          await this.o.table.update(job.id, (s) => ({ ...s, forward: { ...s.forward, creating: undefined } }));
        } else {
          // Unknown outcome: the upstream may have made the job, but not after now (orphan window).
          const failedAt = Date.now();
          await this.o.table.update(job.id, (s) => (s.forward.creating ? { ...s, forward: { ...s.forward, creating: { ...s.forward.creating, failedAt } } } : s));
        }
        throw err;
      }
      const upstreamJobId = integerValue(findAttribute(res, GroupTag.job, 'job-id'));
      if (upstreamJobId === undefined) throw new UpstreamRejected(IppStatus.serverErrorInternalError, 'Create-Job answer carried no job-id');
      this.o.faults.hit('forward.created');
      await this.o.table.update(job.id, (s) => ({
        ...s,
        reasons: ['job-queued'],
        message: undefined,
        forward: { ...s.forward, upstream: upstream.uri, upstreamJobId, creating: undefined },
      }));
    });
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
      earlier = await this.o.recovery.earlierPrintJobs(upstream, job, interrupted.highWater);
      this.o.log.warn(
        { jobId: job.id, upstream: upstream.uri, possibleDuplicateOf: earlier },
        earlier.length > 0
          ? 'forward: an interrupted Print-Job is sent again although the upstream may already hold it (possible duplicate; upstream lacks Create-Job)'
          : 'forward: an interrupted Print-Job is sent again (upstream lacks Create-Job)',
      );
    }
    return this.o.recovery.submitting(upstream.uri, async () => {
      const highWater = interrupted?.highWater ?? (await this.o.recovery.highestOwnerJobId(upstream, job));
      const began = await this.o.table.update(job.id, (s) =>
        isTerminal(s.state) ? s : { ...s, forward: { ...s.forward, upstream: upstream.uri, inFlight: { document: 1, since: Date.now(), ...(highWater !== undefined ? { highWater } : {}) } } },
      );
      // Canceled meanwhile (operations/jobs.ts): send nothing.
      if (isTerminal(began.state)) return 'done' as const;
      let upstreamJobId: number | undefined;
      try {
        const res = await this.o.net.exchange(
          upstream,
          upstreamRequest(IppOperation.printJob, upstream.uri, submitAttributes(job, [...job.attributes, ...doc.attributes.filter((a) => !job.attributes.some((b) => b.name === a.name))]), jobGroup(job)),
          () => this.documentStream(job.id, 1),
        );
        upstreamJobId = integerValue(findAttribute(res, GroupTag.job, 'job-id'));
      } catch (err) {
        if (!(err instanceof UpstreamRejected && err.status === DOCUMENT_SECURITY_ERROR && earlier.length === 1)) throw err;
        upstreamJobId = earlier[0]!;
        this.o.log.info({ jobId: job.id, upstream: upstream.uri, upstreamJobId }, 'forward: the upstream refused the resend as a replay; its earlier delivery stands');
      }
      this.o.faults.hit('forward.sent');
      await this.o.table.update(job.id, (s) => ({
        ...s,
        reasons: ['job-queued'],
        message: undefined,
        forward: { ...s.forward, upstreamJobId: upstreamJobId ?? 0, documentsSent: 1, inFlight: undefined, closeSent: true },
      }));
      this.o.faults.hit('forward.done');
      return 'continue' as const;
    });
  }

  private async closeUpstream(upstream: Upstream, upstreamJobId: number, job: SpoolJob): Promise<void> {
    try {
      await this.o.net.exchange(upstream, upstreamRequest(IppOperation.closeJob, upstream.uri, [attr.integer('job-id', upstreamJobId), ...owner(job)]));
    } catch (err) {
      // client-error-not-possible: the job is closed or already ended there (its last document
      // arrived, or it ended while we were away); the mirror that follows reports how it ended.
      if (err instanceof UpstreamRejected && err.status === IppStatus.clientErrorNotPossible) return;
      if (!(err instanceof UpstreamRejected) || err.status !== IppStatus.serverErrorOperationNotSupported) throw err;
      // No Close-Job upstream (PWG 5100.11 is optional): an empty last Send-Document ends the job.
      await this.o.net.exchange(
        upstream,
        upstreamRequest(IppOperation.sendDocument, upstream.uri, [attr.integer('job-id', upstreamJobId), ...owner(job), attr.boolean('last-document', true)]),
      );
    }
  }

  /** How many documents the upstream job holds whole (PWG 5100.5 number-of-documents) and its state. */
  private async upstreamJob(upstream: Upstream, upstreamJobId: number): Promise<{ documents: number; state: number | undefined }> {
    let res: IppMessage;
    try {
      res = await this.o.net.exchange(
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
    const res = await this.o.net.exchange(
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
    const faults = this.o.faults;
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
