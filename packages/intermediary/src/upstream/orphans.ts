/**
 * Recognising an upstream job our own Create-Job left behind when its answer never reached the
 * spool (the process died, or the answer was lost on the way back).
 *
 * We cannot mark the job: a TRUSTNOONE printer refuses every cleartext attribute beyond the owner's
 * name and a neutral job-name (docs/profile.md §2), so there is no room for a nonce. What we can
 * see through Get-Jobs (which-jobs=not-completed, my-jobs, as the job's owner) is enough to narrow
 * it down: not ended, no document yet, the job-name we sent, not a job any spool record of ours
 * already points at, and — when the printer reports its clock (time-at-creation and
 * job-printer-up-time, RFC 8011 §5.3.14) — made while our Create-Job could have been making it.
 * Two or more such jobs are ambiguous and none is canceled (docs/decisions.md D26).
 */
import { GroupTag, type IppAttribute, type IppMessage } from '@trustnoone/ipp';
import { integerValue, stringValue } from '../attrs.js';

export interface OrphanQuery {
  /** The job-name our Create-Job carried in clear, if it carried one. */
  readonly jobName: string | undefined;
  /** Upstream job-ids that spool records of ours (this job's included) point at: never orphans. */
  readonly known: ReadonlySet<number>;
  /**
   * When our Create-Job could have made the job (ms since the epoch, our clock): from just before
   * it was sent to when we learned it failed (or, after a crash, when recovery began).
   */
  readonly window?: { readonly from: number; readonly to: number };
  /** Our clock when the Get-Jobs answer came (default Date.now()). */
  readonly now?: number;
}

/**
 * Slack around the window: the printer counts in whole seconds (±1 s each end) and the request
 * takes time on the wire to arrive there.
 */
export const WINDOW_SLACK_MS = 1500;

/** Attributes the Get-Jobs asks for. */
export const ORPHAN_ATTRIBUTES = ['job-id', 'job-state', 'number-of-documents', 'job-name', 'time-at-creation', 'job-printer-up-time'] as const;

/** Job-ids in a Get-Jobs answer that look like our orphan, most recent (highest id) first. */
export function orphanCandidates(answer: IppMessage, q: OrphanQuery): number[] {
  const out: number[] = [];
  for (const g of answer.groups) {
    if (g.tag !== GroupTag.job) continue;
    const get = (name: string): IppAttribute | undefined => g.attributes.find((a) => a.name === name);
    const id = integerValue(get('job-id'));
    const state = integerValue(get('job-state'));
    const docs = integerValue(get('number-of-documents'));
    if (id === undefined || q.known.has(id)) continue;
    // pending, pending-held, processing, processing-stopped: a Create-Job'd job waiting for data.
    if (state === undefined || state < 3 || state > 6) continue;
    // Without number-of-documents we cannot tell an empty job from a printing one: leave it alone.
    if (docs !== 0) continue;
    // A printer may name an unnamed job itself ("Untitled"), so the name only counts when we sent one.
    if (q.jobName !== undefined && stringValue(get('job-name')) !== q.jobName) continue;
    if (q.window && !madeWithin(integerValue(get('time-at-creation')), integerValue(get('job-printer-up-time')), q.window, q.now ?? Date.now())) continue;
    out.push(id);
  }
  return out.sort((a, b) => b - a);
}

/**
 * Whether a job the printer says was made `upTime - createdAt` seconds ago falls in the window.
 * Without both values (a printer that does not report them) the job is not excluded.
 */
function madeWithin(createdAt: number | undefined, upTime: number | undefined, window: { from: number; to: number }, now: number): boolean {
  if (createdAt === undefined || upTime === undefined || upTime < createdAt) return true;
  const made = now - (upTime - createdAt) * 1000;
  return made >= window.from - WINDOW_SLACK_MS && made <= window.to + WINDOW_SLACK_MS;
}

/** The highest job-id in Get-Jobs answers (0 when they list none). */
export function highestJobId(answers: readonly IppMessage[]): number {
  let max = 0;
  for (const a of answers) for (const g of a.groups) if (g.tag === GroupTag.job) max = Math.max(max, integerValue(g.attributes.find((x) => x.name === 'job-id')) ?? 0);
  return max;
}

/**
 * Jobs in Get-Jobs answers that may be an earlier delivery of an interrupted Print-Job: made after
 * `highWater` (the owner's highest job-id before we sent it; printers number jobs upwards), not
 * referenced by our spool, with our job-name, holding a document (or not saying), not refused.
 */
export function earlierDeliveries(answers: readonly IppMessage[], q: OrphanQuery & { readonly highWater: number }): number[] {
  const out = new Set<number>();
  for (const a of answers) {
    for (const g of a.groups) {
      if (g.tag !== GroupTag.job) continue;
      const get = (name: string): IppAttribute | undefined => g.attributes.find((x) => x.name === name);
      const id = integerValue(get('job-id'));
      if (id === undefined || id <= q.highWater || q.known.has(id)) continue;
      if (integerValue(get('number-of-documents')) === 0) continue;
      // aborted: the printer did not take it (an upload cut short by the crash ends this way).
      if (integerValue(get('job-state')) === 8) continue;
      if (q.jobName !== undefined && stringValue(get('job-name')) !== q.jobName) continue;
      out.add(id);
    }
  }
  return [...out].sort((x, y) => x - y);
}
