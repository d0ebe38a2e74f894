/** Finding the job a request names (RFC 8011 §4.3: printer-uri + job-id, or job-uri). */
import type { IppRequestContext } from '@trustnoone/ipp-http';
import type { Job } from '../jobs/job.js';
import type { PrinterRuntime } from '../runtime.js';
import { Refusal } from '../requests/refusal.js';
import { opAttrs } from '../requests/request.js';
import { IppStatus as Status } from '@trustnoone/ipp';

export function requestedJobId(ctx: IppRequestContext): number {
  const ops = opAttrs(ctx.message);
  const id = ops.integer('job-id');
  if (id !== undefined) return id;
  const jobUri = ops.string('job-uri', ['uri']);
  if (jobUri !== undefined) {
    const m = /\/(\d{1,10})$/.exec(jobUri);
    if (m) return Number(m[1]);
    throw new Refusal(Status.clientErrorNotFound, 'job-uri does not name a job of this printer');
  }
  throw new Refusal(Status.clientErrorBadRequest, 'job-id or job-uri is required');
}

export function findJob(rt: PrinterRuntime, ctx: IppRequestContext): Job {
  const id = requestedJobId(ctx);
  const job = rt.store.get(id);
  if (!job) throw new Refusal(Status.clientErrorNotFound, `job ${id} not found`);
  return job;
}
