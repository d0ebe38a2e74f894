/** Cancel-Job (RFC 8011 §4.3.3) and Cancel-My-Jobs (PWG 5100.11 §4.2). */
import type { IppHandler } from '@trustnoone/ipp-http';
import { isTerminal, type Job } from '../jobs/job.js';
import type { PrinterRuntime } from '../runtime.js';
import { findJob } from './job-lookup.js';
import { Refusal } from '../requests/refusal.js';
import { opAttrs, requestingUser } from '../requests/request.js';
import { IppStatus as Status } from '@trustnoone/ipp';

/**
 * Cancels at any stage: waiting for a document, receiving, queued (the engine skips it) or
 * processing (the renderer's result is discarded; a terminal state is final).
 */
export async function cancel(rt: PrinterRuntime, job: Job, reason: string): Promise<void> {
  // Not yet with the engine and no document arriving, or held for a release code: nobody else
  // will finish it (and finishing deletes a held job's PIN-layer ciphertext).
  const waiting = (!job.closed && !job.reasons.has('job-incoming')) || job.state === 'pending-held';
  if (!rt.store.transition(job, 'canceled', 'Canceled.', { add: [reason], remove: ['job-data-insufficient'] })) return;
  if (waiting) await rt.processor.finish(job);
}

export function cancelJob(rt: PrinterRuntime): IppHandler {
  return async (ctx) => {
    const job = findJob(rt, ctx);
    if (job.owner !== requestingUser(ctx.user, ctx.message)) throw new Refusal(Status.clientErrorNotAuthorized, 'not the owner of this job');
    // RFC 8011 §4.3.3: a job already in a terminal state cannot be canceled.
    if (isTerminal(job.state)) throw new Refusal(Status.clientErrorNotPossible, `job is already ${job.state}`);
    await cancel(rt, job, 'job-canceled-by-user');
    return { status: Status.successfulOk };
  };
}

export function cancelMyJobs(rt: PrinterRuntime): IppHandler {
  return async (ctx) => {
    const user = requestingUser(ctx.user, ctx.message);
    const ids = opAttrs(ctx.message).get('job-ids');
    const wanted = ids ? new Set(ids.values.map((v) => (v.tag === 'integer' ? v.value : -1))) : undefined;
    const mine = rt.store.active().filter((j) => j.owner === user && (!wanted || wanted.has(j.id)));
    if (wanted && mine.length !== wanted.size) {
      throw new Refusal(Status.clientErrorNotPossible, 'some job-ids are not active jobs of this user');
    }
    for (const job of mine) await cancel(rt, job, 'job-canceled-by-user');
    return { status: Status.successfulOk };
  };
}
