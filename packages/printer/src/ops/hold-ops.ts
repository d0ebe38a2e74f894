/**
 * Hold-Job and Release-Job (RFC 8011 §4.3.5, §4.3.6) and the job-hold-until Job Template attribute
 * (RFC 8011 §5.2.2) with the values 'no-hold' and 'indefinite': a held job waits in pending-held
 * with job-state-reasons job-hold-until-specified until its owner releases it. A job held for its
 * release code (PIN release, job-password-wait) is not released this way: only the code does.
 */
import type { IppHandler } from '@trustnoone/ipp-http';
import type { Job } from '../jobs/job.js';
import type { PrinterRuntime } from '../runtime.js';
import { HOLD_REASON } from '../secure/pin-release.js';
import { HOLD_UNTIL_REASON, holdComplete, holdRequested } from '../jobs/job-hold.js';
import { findJob } from './job-lookup.js';
import { Refusal } from '../requests/refusal.js';
import { opAttrs, requestingUser } from '../requests/request.js';
import { IppStatus as Status } from '@trustnoone/ipp';

function ownJob(rt: PrinterRuntime, ctx: Parameters<IppHandler>[0]): Job {
  const job = findJob(rt, ctx);
  if (job.owner !== requestingUser(ctx.user, ctx.message)) throw new Refusal(Status.clientErrorNotAuthorized, 'not the owner of this job');
  return job;
}

export function holdJob(rt: PrinterRuntime): IppHandler {
  return async (ctx) => {
    const job = ownJob(rt, ctx);
    const until = opAttrs(ctx.message).string('job-hold-until', ['keyword', 'nameWithoutLanguage']) ?? 'indefinite';
    if (until !== 'indefinite') throw new Refusal(Status.clientErrorAttributesOrValuesNotSupported, `job-hold-until ${until} is not supported`);
    // RFC 8011 §4.3.5: only a job not yet processing can be held.
    if (job.state === 'pending-held') return { status: Status.successfulOk };
    if (job.state !== 'pending') throw new Refusal(Status.clientErrorNotPossible, `job is ${job.state}`);
    job.holdUntil = 'indefinite';
    if (rt.processor.withdraw(job)) holdComplete(rt, job);
    // Still receiving documents: held once the last one is in (jobComplete).
    else rt.store.transition(job, 'pending', job.stateMessage, { add: [HOLD_UNTIL_REASON] });
    return { status: Status.successfulOk };
  };
}

export function releaseJob(rt: PrinterRuntime): IppHandler {
  return async (ctx) => {
    const job = ownJob(rt, ctx);
    if (job.reasons.has(HOLD_REASON)) throw new Refusal(Status.clientErrorNotPossible, 'the job waits for its release code at the printer');
    // Still receiving documents, with a hold asked for (job-hold-until or Hold-Job).
    const heldWhileIncoming = job.state === 'pending' && !job.closed && holdRequested(job);
    // RFC 8011 §4.3.6: only a held job can be released.
    if (job.state !== 'pending-held' && !heldWhileIncoming) throw new Refusal(Status.clientErrorNotPossible, `job is ${job.state}, not held`);
    job.holdUntil = 'no-hold';
    if (heldWhileIncoming) rt.store.transition(job, 'pending', job.stateMessage, { remove: [HOLD_UNTIL_REASON] });
    else {
      job.reasons.delete(HOLD_UNTIL_REASON);
      rt.processor.enqueue(job);
    }
    return { status: Status.successfulOk };
  };
}
