/**
 * Print-Job, Validate-Job, Create-Job, Send-Document and Close-Job (RFC 8011 §4.2.1–4.3.1,
 * PWG 5100.5 §11 Close-Job). A sealed submission is recognised by its outer
 * document-format application/pkcs7-mime; its outer request is checked against the profile's
 * cleartext rules before the envelope is even spooled.
 */
import type { IppHandler, IppRequestContext } from '@trustnoone/ipp-http';
import { checkOuterRequest } from '@trustnoone/profile';
import * as cap from '../attributes/capabilities.js';
import { isTerminal, type Job } from '../jobs/job.js';
import type { PrinterRuntime } from '../runtime.js';
import { isOutOfSpace, jobReply, OUT_OF_SPACE_MESSAGE, receiveDocument } from './documents.js';
import { checkJobRequest, type JobRequestCheck } from '../requests/job-request.js';
import { findJob } from './job-lookup.js';
import { Refusal } from '../requests/refusal.js';
import { jobGroup, opAttrs, requestingUser } from '../requests/request.js';
import { IppStatus as Status } from '@trustnoone/ipp';
import { armMultipleOperationTimeout } from '../jobs/multiple-operation-timeout.js';
import { jobComplete } from '../secure/pin-release.js';
import { GENERIC_SECURITY_MESSAGE } from '../secure/security-failure.js';

function outerFormats(rt: PrinterRuntime): readonly string[] {
  return rt.policy.requireEncryption ? [cap.PKCS7_MIME] : cap.DOCUMENT_FORMATS;
}

/** Checks an outer request; refuses cleartext under --require-encryption with a clear message. */
function checkOuter(rt: PrinterRuntime, ctx: IppRequestContext, opts: { createsJob: boolean; hasDocument: boolean }): JobRequestCheck {
  const requested = opAttrs(ctx.message).string('document-format', ['mimeMediaType'])?.toLowerCase();
  if (rt.policy.requireEncryption && opts.hasDocument && requested !== cap.PKCS7_MIME) {
    throw new Refusal(
      Status.clientErrorDocumentFormatNotSupported,
      'this printer accepts only encrypted jobs (document-format application/pkcs7-mime)',
    );
  }
  const check = checkJobRequest(ctx.message, { formats: outerFormats(rt), ...opts });
  if (check.format === cap.PKCS7_MIME) checkSealedOuter(ctx);
  return check;
}

/**
 * docs/spec-notes.md §2: a sealed submission carries only routing attributes in clear. A Job Template
 * attribute in clear next to an envelope is a downgrade attempt (a relay adding copies=999), so
 * the request is refused before the envelope is spooled.
 */
function checkSealedOuter(ctx: IppRequestContext): void {
  const violations = checkOuterRequest(ctx.message);
  if (violations.length > 0) {
    ctx.log.warn({ violations }, 'printer: sealed request carries attributes in clear that the profile forbids');
    throw new Refusal(Status.clientErrorAttributesOrValuesNotSupported, 'attributes not allowed in clear with an encrypted job');
  }
}

async function createJob(rt: PrinterRuntime, ctx: IppRequestContext, check: JobRequestCheck, sealed: boolean): Promise<Job> {
  // RFC 8011 §13.1.5.8: a printer that cannot take another job now says so; the client retries.
  if (rt.store.active().length >= rt.limits.maxActiveJobs) throw new Refusal(Status.serverErrorBusy, 'too many jobs in progress; try again later');
  const job = rt.store.create({
    owner: requestingUser(ctx.user, ctx.message),
    clearName: check.jobName ?? (sealed ? 'encrypted job' : 'untitled'),
    sealed,
    clearTemplate: jobGroup(ctx.message).length > 0,
    documentFormat: check.format,
    template: check.template.applied,
  });
  try {
    // The id is on disk before anyone hears of it, so a restart never hands it out again.
    await rt.jobCounter.issued(job.id);
    rt.faults.hit('create.counted');
    // From here a restart carries the job on (jobs/job-recovery.ts) instead of forgetting it.
    await rt.records.created(job, jobGroup(ctx.message));
    rt.faults.hit('create.recorded');
  } catch (err) {
    rt.store.transition(job, 'aborted', 'The printer could not record the job.', { add: ['aborted-by-system'] });
    await rt.processor.finish(job, { error: isOutOfSpace(err) ? 'OUT_OF_SPACE' : 'INTERNAL' });
    if (isOutOfSpace(err)) throw new Refusal(Status.serverErrorTemporaryError, OUT_OF_SPACE_MESSAGE);
    throw err;
  }
  return job;
}

export function printJob(rt: PrinterRuntime): IppHandler {
  return async (ctx) => {
    const check = checkOuter(rt, ctx, { createsJob: true, hasDocument: true });
    const sealed = check.format === cap.PKCS7_MIME;
    const job = await createJob(rt, ctx, check, sealed);
    return receiveDocument(rt, job, ctx, { operation: 'Print-Job', check, lastDocument: true });
  };
}

export function validateJob(rt: PrinterRuntime): IppHandler {
  return async (ctx) => {
    const check = checkOuter(rt, ctx, { createsJob: true, hasDocument: true });
    const ignored = check.template.unsupported;
    return {
      status: ignored.length > 0 ? Status.successfulOkIgnoredOrSubstitutedAttributes : Status.successfulOk,
      groups: ignored.length > 0 ? [{ tag: 0x05, attributes: [...ignored] }] : [],
    };
  };
}

export function createJobOp(rt: PrinterRuntime): IppHandler {
  return async (ctx) => {
    const check = checkOuter(rt, ctx, { createsJob: true, hasDocument: false });
    // Whether the job is sealed is known when its document arrives (the profile lets a sealed
    // Create-Job carry nothing but routing attributes, docs/spec-notes.md §2).
    const job = await createJob(rt, ctx, check, false);
    rt.store.transition(job, 'pending', 'Waiting for a document.', { add: ['job-data-insufficient'], remove: ['job-incoming'] });
    armMultipleOperationTimeout(rt, job);
    return jobReply(rt, job, check.template.unsupported);
  };
}

function ownedOpenJob(rt: PrinterRuntime, ctx: IppRequestContext): Job {
  const job = findJob(rt, ctx);
  const user = requestingUser(ctx.user, ctx.message);
  if (job.owner !== user) throw new Refusal(Status.clientErrorNotAuthorized, 'not the owner of this job');
  if (isTerminal(job.state)) throw new Refusal(Status.clientErrorNotPossible, `job is ${job.state}`);
  return job;
}

export function sendDocument(rt: PrinterRuntime): IppHandler {
  return async (ctx) => {
    const ops = opAttrs(ctx.message);
    const last = ops.boolean('last-document');
    // RFC 8011 §4.3.1.1: last-document is REQUIRED.
    if (last === undefined) throw new Refusal(Status.clientErrorBadRequest, 'last-document is required');
    const job = ownedOpenJob(rt, ctx);
    // RFC 8011 §4.3.1: no document after the last one.
    if (job.closed) throw new Refusal(Status.clientErrorNotPossible, 'the job is closed: its last document was received');
    if (job.reasons.has('job-incoming')) throw new Refusal(Status.clientErrorNotPossible, 'a document of this job is still arriving');
    const check = checkOuter(rt, ctx, { createsJob: false, hasDocument: true });
    if (job.sealed && check.format !== cap.PKCS7_MIME) {
      // A job whose first document was sealed cannot be continued in clear (downgrade).
      ctx.log.warn({ jobId: job.id }, 'printer: cleartext document for a sealed job refused');
      throw new Refusal(Status.clientErrorDocumentSecurityError, 'this job accepts only encrypted documents');
    }
    if (!job.sealed && job.documentsReceived > 0 && check.format === cap.PKCS7_MIME) {
      throw new Refusal(Status.clientErrorConflictingAttributes, 'an encrypted document cannot join a job printed in clear');
    }
    if (check.format === cap.PKCS7_MIME) {
      if (job.clearTemplate) {
        // Options set in clear would apply to an encrypted document: exactly what the profile forbids.
        ctx.log.warn({ jobId: job.id }, 'printer: encrypted document for a job created with Job Template attributes in clear');
        throw new Refusal(Status.clientErrorAttributesOrValuesNotSupported, 'attributes not allowed in clear with an encrypted job');
      }
      job.sealed = true;
    }
    job.documentFormat = check.format;
    const reply = await receiveDocument(rt, job, ctx, {
      operation: 'Send-Document',
      check: { ...check, template: { ...check.template, applied: job.template } },
      lastDocument: last,
    });
    return reply;
  };
}

export function closeJob(rt: PrinterRuntime): IppHandler {
  return async (ctx) => {
    const job = ownedOpenJob(rt, ctx);
    if (job.reasons.has('job-incoming')) throw new Refusal(Status.clientErrorNotPossible, 'a document of this job is still arriving');
    const wasClosed = job.closed;
    job.closed = true;
    if (job.sealed && job.documentsReceived > 0 && !wasClosed) {
      // docs/profile.md §4 step 3: only the sealed last-document ends a sealed job (it closes the
      // job in documents.ts). A Close-Job before it is a relay cutting the job short: abort it.
      ctx.log.warn({ jobId: job.id, check: 'truncated', documents: job.documentsReceived }, 'printer: sealed job closed before its sealed last document');
      rt.store.transition(job, 'aborted', GENERIC_SECURITY_MESSAGE, { add: ['document-security-error', 'aborted-by-system'], remove: ['job-data-insufficient'] });
      await rt.processor.finish(job, { error: 'DOCUMENT_SECURITY_ERROR' });
      return { ...jobReply(rt, job, []), status: Status.clientErrorDocumentSecurityError, statusMessage: GENERIC_SECURITY_MESSAGE };
    }
    await rt.records.closed(job);
    if (job.documentsReceived === 0) {
      // PWG 5100.5 §11: closing a job without documents ends it; nothing to print.
      rt.store.transition(job, 'aborted', 'Closed without a document.', { add: ['aborted-by-system'], remove: ['job-data-insufficient'] });
      await rt.processor.finish(job, { error: 'NO_DOCUMENT' });
    } else if (job.state === 'pending') {
      // Close-Job ends a job whose last Send-Document said last-document=false (PWG 5100.5 §11).
      jobComplete(rt, job);
    }
    return jobReply(rt, job, []);
  };
}
