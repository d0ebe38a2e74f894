/**
 * PWG 5100.5 multiple-operation-time-out with action abort-job: a job waiting for a document
 * (after Create-Job, or after a Send-Document with last-document=false) is aborted when the client
 * goes silent, and any verified plaintext it holds is removed.
 */
import type { Job } from './job.js';
import type { PrinterRuntime } from '../runtime.js';

export function armMultipleOperationTimeout(rt: PrinterRuntime, job: Job): void {
  const documents = job.documentsReceived;
  const timer = setTimeout(() => {
    // After shutdown has begun the job stays as recorded; the next start ends it (job-recovery.ts).
    if (rt.processor.stopped) return;
    const stillWaiting = job.state === 'pending' && !job.closed && job.documentsReceived === documents && !job.reasons.has('job-incoming');
    if (stillWaiting) {
      job.closed = true;
      rt.store.transition(job, 'aborted', 'No further document arrived in time.', { add: ['aborted-by-system'], remove: ['job-data-insufficient'] });
      void rt.processor.finish(job, { error: 'PRINTER_MULTIPLE_OPERATION_TIMEOUT' });
    }
  }, rt.limits.multipleOperationTimeoutMs);
  timer.unref();
}
