/**
 * Recovery of deliveries whose outcome was never recorded (the process died, or an answer was lost):
 * - a Create-Job whose answer is missing may have left an empty job upstream: find it and cancel it
 *   (docs/decisions.md D8) before the job is created again;
 * - a Print-Job whose answer is missing may have been delivered: find the likely earlier delivery
 *   so that a replay refusal of the resend can adopt it.
 * The searches run under the exclusive side of a per-upstream gate whose shared side every
 * Create-Job / Print-Job of this process holds until its answer is recorded (create-gate.ts), so a
 * search never mistakes this process's own unrecorded job for an orphan. What it matches on is in
 * orphans.ts.
 */
import { IppOperation, type IppMessage } from '@trustnoone/ipp';
import { attr, stringValue } from '../attrs.js';
import type { JobTable } from '../jobs.js';
import type { SpoolJob } from '../spool/types.js';
import { upstreamRequest, type Upstream } from './client.js';
import { CreateGate } from './create-gate.js';
import { UpstreamRejected, type UpstreamExchange } from './exchange.js';
import { owner, submitAttributes } from './job-request.js';
import { ORPHAN_ATTRIBUTES, earlierDeliveries, highestJobId, orphanCandidates } from './orphans.js';

export interface RecoveryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export class OrphanRecovery {
  private readonly gate = new CreateGate();

  constructor(
    private readonly net: UpstreamExchange,
    private readonly table: JobTable,
    private readonly log: RecoveryLog,
    /**
     * Shared store: another instance's Create-Job younger than this, still unanswered, may be the
     * job the search would find, and the in-process gate cannot see it; the search waits (0: off).
     */
    private readonly othersInFlightMs = 0,
  ) {}

  /** Runs a Create-Job or Print-Job whose answer is recorded inside `fn`: no search meanwhile. */
  submitting<T>(uri: string, fn: () => Promise<T>): Promise<T> {
    return this.gate.shared(uri, fn);
  }

  /**
   * The answer to an earlier Create-Job of this job was never recorded: find the empty job it may
   * have left at `upstream` and cancel it. An upstream that cannot list jobs (no Get-Jobs) gets a
   * warning instead; a transient failure is thrown for the scheduler to retry.
   */
  cancelOrphan(upstream: Upstream, job: SpoolJob, window: { readonly from: number; readonly to: number }): Promise<void> {
    const uri = upstream.uri;
    return this.gate.exclusive(uri, async () => {
      if (this.othersInFlightMs > 0) {
        await this.table.sync();
        const now = Date.now();
        const busy = this.table
          .all()
          .some((e) => e.job.id !== job.id && e.job.owner === job.owner && e.status.forward.creating?.upstream === uri && e.status.forward.creating.failedAt === undefined && now - e.status.forward.creating.since < this.othersInFlightMs);
        // Thrown as a transient failure: the scheduler retries the search after its back-off.
        if (busy) throw new Error('another instance has a Create-Job of this owner to this upstream unanswered; the orphan search waits for it');
      }
      let answer: IppMessage;
      try {
        answer = await this.net.exchange(
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
      const candidates = orphanCandidates(answer, { jobName: jobNameOf(job), known: this.knownUpstreamJobs(uri), window });
      if (candidates.length > 1) {
        // Ours and someone else's (the same user by another route, in the same moments): canceling
        // the wrong one would lose their job; an empty job of ours left there costs nothing but a
        // line in the printer's queue until its multiple-operation time-out (D26).
        this.log.warn({ jobId: job.id, upstream: uri, candidates }, 'forward: several empty upstream jobs could be the one an interrupted Create-Job left; none is canceled');
        return;
      }
      const [orphan] = candidates;
      if (orphan === undefined) return;
      await this.net.exchange(upstream, upstreamRequest(IppOperation.cancelJob, uri, [attr.integer('job-id', orphan), ...owner(job)])).catch((err: unknown) => {
        // Already ended upstream: nothing left to clean.
        if (!(err instanceof UpstreamRejected)) throw err;
      });
      this.log.info({ jobId: job.id, upstream: uri, upstreamJobId: orphan }, 'forward: canceled the empty upstream job an interrupted Create-Job left behind');
    });
  }

  /** Upstream jobs of the owner made after `highWater` that may be an earlier delivery of this Print-Job. */
  earlierPrintJobs(upstream: Upstream, job: SpoolJob, highWater: number | undefined): Promise<number[]> {
    return this.gate.exclusive(upstream.uri, async () => {
      if (highWater === undefined) return [];
      const answers = await this.ownerJobs(upstream, job);
      if (!answers) return [];
      return earlierDeliveries(answers, { jobName: jobNameOf(job), known: this.knownUpstreamJobs(upstream.uri), highWater });
    });
  }

  /** The owner's highest upstream job-id (the high-water mark recorded before a Print-Job). */
  async highestOwnerJobId(upstream: Upstream, job: SpoolJob): Promise<number | undefined> {
    const answers = await this.ownerJobs(upstream, job);
    return answers ? highestJobId(answers) : undefined;
  }

  /** The owner's jobs at the upstream, ended and not (two RFC 8011 Get-Jobs); undefined if it cannot list them. */
  private async ownerJobs(upstream: Upstream, job: SpoolJob): Promise<IppMessage[] | undefined> {
    try {
      const list = (which: string) =>
        this.net.exchange(
          upstream,
          upstreamRequest(IppOperation.getJobs, upstream.uri, [...owner(job), attr.keyword('which-jobs', which), attr.boolean('my-jobs', true), attr.keyword('requested-attributes', ...ORPHAN_ATTRIBUTES)]),
        );
      return [await list('not-completed'), await list('completed')];
    } catch (err) {
      if (err instanceof UpstreamRejected) return undefined;
      throw err;
    }
  }

  /** Upstream job-ids our store records already point at, on `uri`. */
  private knownUpstreamJobs(uri: string): Set<number> {
    const known = new Set<number>();
    for (const e of this.table.all()) if (e.status.forward.upstream === uri && e.status.forward.upstreamJobId) known.add(e.status.forward.upstreamJobId);
    return known;
  }
}

function jobNameOf(job: SpoolJob): string | undefined {
  return stringValue(submitAttributes(job, job.attributes).find((a) => a.name === 'job-name'));
}
