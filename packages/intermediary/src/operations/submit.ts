/**
 * Print-Job, Create-Job, Send-Document, Close-Job (RFC 8011 §4.2.1, §4.2.4, §4.3.1; PWG 5100.11
 * §4.2 for Close-Job). The document is streamed to the spool and committed before the client is
 * answered; forwarding happens afterwards, in the background.
 */
import { randomUUID } from 'node:crypto';
import type { IppAttribute } from '@trustnoone/ipp';
import { IppStatusError, type IppReply, type IppRequestContext } from '@trustnoone/ipp-http';
import { GroupTag, IppStatus } from '@trustnoone/ipp';
import type { Readable } from 'node:stream';
import { envelopeShapeCheck } from '../envelope-shape.js';
import { IntermediaryError } from '../errors.js';
import { enforceEndToEnd, enforceSealedJobCreation, isSealedSubmission, PolicyViolation } from '../policy.js';
import { requireAccess, type Principal } from '../principal.js';
import type { Service } from '../service.js';
import { JobState, type JobStatus, type SpoolDocument, type SpoolJob, type StagedBlob } from '../spool/types.js';
import { jobAttributes } from './job-attributes.js';
import { requireUpstreamOpensSealed } from './upstream-capability.js';
import { checkAttributeCount, findJob, jobGroupAttributes, lastDocument, principalOf, printerUriOf, targetJobId } from './request.js';
import type { JobEntry } from '../jobs.js';
import type { CommitAdmission } from '../store/types.js';

/** Operation attributes that describe one document rather than the job (RFC 8011 §4.2.1.1, PWG 5100.5). */
const DOCUMENT_LEVEL = new Set([
  'document-format',
  'document-name',
  'document-natural-language',
  'compression',
  'encrypted-job-request-format',
  'last-document',
  'document-format-version',
  'document-charset',
]);
/** Not stored: the relay sets its own printer-uri, and job-id/job-uri name our job, not upstream's. */
const NOT_STORED = new Set(['printer-uri', 'job-id', 'job-uri']);

function operationAttrs(ctx: IppRequestContext): IppAttribute[] {
  return ctx.message.groups.filter((g) => g.tag === GroupTag.operation).flatMap((g) => g.attributes).filter((a) => !NOT_STORED.has(a.name));
}

function admit(service: Service, ctx: IppRequestContext): Principal {
  checkAttributeCount(service, ctx.message);
  if (service.requireEncryption || isSealedSubmission(ctx.message)) {
    try {
      enforceEndToEnd(ctx.message);
    } catch (err) {
      if (err instanceof PolicyViolation) ctx.log.info({ status: err.status, reason: err.statusMessage }, 'policy: cleartext submission refused');
      throw err;
    }
  }
  // A sealed document the printer cannot open is refused now rather than aborted there.
  if (isSealedSubmission(ctx.message)) requireUpstreamOpensSealed(service);
  return principalOf(service, ctx);
}

function checkQueue(service: Service, owner: string): void {
  const active = service.table.activeFor(owner);
  if (active >= service.limits.maxQueuedJobsPerUser) {
    throw new IppStatusError(
      IppStatus.serverErrorTooManyJobs,
      `${owner} already has ${active} unfinished jobs here (limit ${service.limits.maxQueuedJobsPerUser}); try again when some complete`,
    );
  }
}

/** The store re-checks the queue limit where it can see every instance's jobs (shared stores). */
const admission = (service: Service): CommitAdmission => ({ maxActivePerOwner: service.limits.maxQueuedJobsPerUser });

/** Streams the request's document to the spool under the concurrent-upload limit. */
async function stage(service: Service, ctx: IppRequestContext): Promise<StagedBlob> {
  if (service.uploads >= service.limits.maxConcurrentUploads) {
    throw new IppStatusError(IppStatus.serverErrorBusy, `${service.uploads} uploads are in progress (limit ${service.limits.maxConcurrentUploads}); retry shortly`);
  }
  service.uploads++;
  try {
    let data: Readable = ctx.data;
    if (service.checkEnvelope) {
      const check = envelopeShapeCheck();
      ctx.data.on('error', (e) => check.destroy(e));
      // The refusal can fire before the spool starts reading (it opens its file first); the
      // reader still sees it as the stream's error, so this listener only prevents a crash.
      check.on('error', () => {});
      data = ctx.data.pipe(check);
    }
    return await service.spool.writeBlob(data, { maxBytes: service.limits.maxDocumentBytes });
  } catch (err) {
    if (err instanceof IntermediaryError) throw new IppStatusError(err.status, err.message, { cause: err });
    throw outOfSpace(err, ctx);
  } finally {
    service.uploads--;
  }
}

/**
 * A full disk (or quota) while writing to the spool, at any step, is answered
 * server-error-temporary-error — RFC 8011 §4.1.6.1: a condition expected to clear, the client may
 * retry later — never internal-error. Other errors pass unchanged.
 */
function outOfSpace(err: unknown, ctx: IppRequestContext): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return err;
  ctx.log.error({ code }, 'spool: out of space');
  return new IppStatusError(IppStatus.serverErrorTemporaryError, 'the spool is out of space; try again later', { cause: err });
}

/** Runs a spool commit, mapping a full disk as outOfSpace does. */
async function committing<T>(ctx: IppRequestContext, commit: () => Promise<T>): Promise<T> {
  try {
    return await commit();
  } catch (err) {
    throw outOfSpace(err, ctx);
  }
}

function reply(service: Service, entry: JobEntry, ctx: IppRequestContext, status = IppStatus.successfulOk): IppReply {
  const all = jobAttributes(entry, printerUriOf(ctx), true, service.clock);
  const keep = new Set(['job-id', 'job-uri', 'job-state', 'job-state-reasons', 'job-state-message', 'number-of-documents']);
  return { status, groups: [{ tag: GroupTag.job, attributes: all.filter((a) => keep.has(a.name)) }] };
}

async function newJob(service: Service, who: Principal, operation: SpoolJob['operation'], attrs: IppAttribute[], ctx: IppRequestContext): Promise<SpoolJob> {
  return {
    id: await service.spool.allocateJobId(),
    uuid: `urn:uuid:${randomUUID()}`,
    owner: who.name,
    ownerAuthenticated: who.authenticated,
    createdAt: Date.now(),
    operation,
    attributes: attrs.filter((a) => !DOCUMENT_LEVEL.has(a.name)),
    jobAttributes: jobGroupAttributes(ctx.message),
    documents: [],
    closed: operation === 'print-job',
  };
}

const initialStatus: JobStatus = { state: JobState.pending, reasons: ['job-queued'], forward: { documentsSent: 0 } };

export async function printJob(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  const who = admit(service, ctx);
  checkQueue(service, who.name);
  const attrs = operationAttrs(ctx);
  const blob = await stage(service, ctx);
  const base = await newJob(service, who, 'print-job', attrs, ctx);
  const doc: SpoolDocument = { number: 1, size: blob.size, sha256: blob.sha256, attributes: attrs.filter((a) => DOCUMENT_LEVEL.has(a.name)), last: true, receivedAt: Date.now() };
  const job: SpoolJob = { ...base, documents: [doc] };
  await committing(ctx, () => service.spool.commitJob(job, initialStatus, [blob], admission(service)));
  const entry = service.table.add(job, initialStatus);
  ctx.log.info({ jobId: job.id, bytes: blob.size }, 'job committed to the spool');
  service.faults.hit('respond.before');
  service.forwarder.kick(job.id);
  return reply(service, entry, ctx);
}

export async function createJob(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  const who = admit(service, ctx);
  checkQueue(service, who.name);
  const job = await newJob(service, who, 'create-job', operationAttrs(ctx), ctx);
  await committing(ctx, () => service.spool.commitJob(job, initialStatus, [], admission(service)));
  const entry = service.table.add(job, initialStatus);
  ctx.log.info({ jobId: job.id }, 'job created');
  return reply(service, entry, ctx);
}

function openJobFor(service: Service, ctx: IppRequestContext, who: Principal): JobEntry {
  const entry = findJob(service, targetJobId(ctx.message));
  requireAccess(who, entry.job, service.users.size > 0);
  if (entry.job.closed || entry.status.state >= JobState.canceled) {
    throw new IppStatusError(IppStatus.clientErrorNotPossible, `job ${entry.job.id} accepts no more documents (it is closed or finished)`);
  }
  return entry;
}

export async function sendDocument(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  const who = admit(service, ctx);
  const entry = openJobFor(service, ctx, who);
  if (isSealedSubmission(ctx.message)) enforceSealedJobCreation(entry.job);
  const last = lastDocument(ctx.message);
  if (last === undefined) throw new IppStatusError(IppStatus.clientErrorBadRequest, 'Send-Document needs last-document (RFC 8011 §4.3.1.1)');
  if (entry.job.documents.length >= service.limits.maxDocumentsPerJob) {
    throw new IppStatusError(IppStatus.serverErrorTooManyDocuments, `job ${entry.job.id} already has ${entry.job.documents.length} documents (limit ${service.limits.maxDocumentsPerJob})`);
  }
  const attrs = operationAttrs(ctx).filter((a) => DOCUMENT_LEVEL.has(a.name) || a.name === 'requesting-user-name');
  const blob = await stage(service, ctx);
  // RFC 8011 §4.3.1: a last Send-Document may carry no data; it only closes the job.
  const empty = blob.size === 0 && last;
  if (empty) await service.spool.discard(blob);
  const number = entry.job.documents.length + 1;
  const doc: SpoolDocument = { number, size: blob.size, sha256: blob.sha256, attributes: attrs, last, receivedAt: Date.now() };
  const job = await service.spool.addDocument(entry.job.id, doc, empty ? undefined : blob, last).catch(async (err: unknown) => {
    await service.spool.discard(blob);
    throw outOfSpace(err, ctx);
  });
  service.table.setJob(job);
  ctx.log.info({ jobId: job.id, document: number, bytes: blob.size, last }, 'document committed to the spool');
  service.faults.hit('respond.before');
  service.forwarder.kick(job.id);
  return reply(service, entry, ctx);
}

export async function closeJob(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  checkAttributeCount(service, ctx.message);
  const who = principalOf(service, ctx);
  const entry = openJobFor(service, ctx, who);
  const job = await committing(ctx, () => service.spool.closeJob(entry.job.id));
  service.table.setJob(job);
  service.forwarder.kick(job.id);
  return reply(service, entry, ctx);
}
