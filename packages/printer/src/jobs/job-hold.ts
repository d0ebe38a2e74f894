/**
 * A job held until released (RFC 8011 §4.3.5, §4.3.6; job-hold-until, RFC 8011 §5.2.2): whether a
 * job asks to be held, and holding it once its documents are in. Shared by the Hold-Job and
 * Release-Job handlers (ops/hold-ops.ts) and by whatever completes a job (secure/pin-release.ts),
 * so it lives with the jobs rather than with the operations.
 */
import type { PrinterRuntime } from '../runtime.js';
import type { Job } from './job.js';

export const HOLD_UNTIL_REASON = 'job-hold-until-specified';

/** Whether the job is to wait for Release-Job: Hold-Job said so, or its job-hold-until did. */
export function holdRequested(job: Job): boolean {
  if (job.holdUntil !== undefined) return job.holdUntil !== 'no-hold';
  const v = job.template.attributes.find((a) => a.name === 'job-hold-until')?.values[0];
  return v !== undefined && 'value' in v && v.value === 'indefinite';
}

/** Puts a job whose documents are all in on hold (instead of queueing it). */
export function holdComplete(rt: PrinterRuntime, job: Job): void {
  job.closed = true;
  rt.store.transition(job, 'pending-held', 'Held until released.', { add: [HOLD_UNTIL_REASON], remove: ['job-incoming', 'job-data-insufficient', 'job-queued'] });
}
