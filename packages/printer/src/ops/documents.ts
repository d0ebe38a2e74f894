/**
 * Receiving a document for a job (Print-Job, Send-Document): spool it as it streams in, then
 * either hand the cleartext to the engine or open the sealed envelope first (docs/spec-notes.md §2).
 * Any failure ends the job here, before anything is rendered.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ByteLimitExceeded, type IppReply, type IppRequestContext } from '@trustnoone/ipp-http';
import { PKCS7_MIME } from '../attributes/capabilities.js';
import { jobCreationAttributes } from '../jobs/job-attributes.js';
import { saveSealedRecord } from '../jobs/sealed-record.js';
import type { Job, JobDocument } from '../jobs/job.js';
import type { RecordedDocument } from '../jobs/job-records.js';
import { armMultipleOperationTimeout } from '../jobs/multiple-operation-timeout.js';
import { sniffFormat } from '../pipeline/sniff.js';
import { SpoolLimitError, spoolToFile } from '../pipeline/spool.js';
import type { PrinterRuntime } from '../runtime.js';
import { KeptCiphertext } from '../secure/kept-ciphertext.js';
import { jobComplete } from '../secure/pin-release.js';
import { PoolRefusal } from '../pool/pool-replay.js';
import { GENERIC_SECURITY_MESSAGE, SecurityFailure } from '../secure/security-failure.js';
import { ciphertextFile, jobPaths } from '../state/state-dir.js';
import type { JobRequestCheck } from '../requests/job-request.js';
import { Refusal, unsupportedGroup } from '../requests/refusal.js';
import { IppStatus as Status } from '@trustnoone/ipp';
import { GroupTag } from '@trustnoone/ipp';

const SEALED_REQUEST_REFUSED = 'The encrypted job asks for something this printer does not support.';

export interface DocumentArrival {
  readonly operation: 'Print-Job' | 'Send-Document';
  readonly check: JobRequestCheck;
  readonly lastDocument: boolean;
}

/** The reply of a successful job creation / document request (RFC 8011 §4.2.1.2). */
export function jobReply(rt: PrinterRuntime, job: Job, unsupported: JobRequestCheck['template']['unsupported']): IppReply {
  const ignored = unsupported.length > 0;
  return {
    status: ignored ? Status.successfulOkIgnoredOrSubstitutedAttributes : Status.successfulOk,
    groups: [...(unsupportedGroup(unsupported) ?? []), { tag: GroupTag.job, attributes: jobCreationAttributes(job, rt.identity.uris[0]!) }],
  };
}

/** True when `err` (or an error it wraps) is a full disk or quota. */
export function isOutOfSpace(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  }
  return false;
}

export const OUT_OF_SPACE_MESSAGE = 'the printer is out of space; try again later';

/** Ends a job the disk had no room for; the sender is told to retry (RFC 8011 §4.1.6.1). */
async function outOfSpace(rt: PrinterRuntime, job: Job): Promise<IppReply> {
  rt.log.error({ jobId: job.id }, 'printer: out of space while receiving a job');
  rt.store.transition(job, 'aborted', 'The printer ran out of space.', { add: ['aborted-by-system'] });
  await rt.processor.finish(job, { error: 'PRINTER_OUT_OF_SPACE' });
  return { ...jobReply(rt, job, []), status: Status.serverErrorTemporaryError, statusMessage: OUT_OF_SPACE_MESSAGE };
}

/** True when `err` (or an error it wraps) is a document size limit. */
function isTooLarge(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof SpoolLimitError || e instanceof ByteLimitExceeded) return true;
  }
  return false;
}

export async function receiveDocument(rt: PrinterRuntime, job: Job, ctx: IppRequestContext, arrival: DocumentArrival): Promise<IppReply> {
  // Marked before the first await: a concurrent Send-Document for this job sees it and is refused.
  rt.store.transition(job, 'pending', 'Receiving.', { add: ['job-incoming'], remove: ['job-data-insufficient'] });
  const paths = jobPaths(rt.layout, job.id);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await rt.records.incoming(job, recorded(job, arrival));
  return arrival.check.format === PKCS7_MIME ? receiveSealed(rt, job, ctx, arrival) : receiveClear(rt, job, ctx, arrival);
}

function recorded(job: Job, arrival: DocumentArrival): RecordedDocument {
  return { number: job.documentsReceived + 1, operation: arrival.operation, last: arrival.lastDocument, sealed: arrival.check.format === PKCS7_MIME };
}

async function receiveClear(rt: PrinterRuntime, job: Job, ctx: IppRequestContext, arrival: DocumentArrival): Promise<IppReply> {
  const paths = jobPaths(rt.layout, job.id);
  await mkdir(paths.private, { recursive: true, mode: 0o700 });
  const number = job.documentsReceived + 1;
  const file = join(paths.private, `document-${number}`);
  let spooled;
  try {
    spooled = await spoolToFile(ctx.data, file, { maxBytes: rt.limits.maxDocumentBytes, compression: arrival.check.compression });
  } catch (err) {
    const tooLarge = isTooLarge(err);
    if (isOutOfSpace(err)) return outOfSpace(rt, job);
    const compressionError = (err as { code?: string })?.code?.startsWith?.('Z_') ?? false;
    rt.log.info({ jobId: job.id, err: (err as Error).message }, 'printer: document not received');
    rt.store.transition(job, 'aborted', 'Document not received.', { add: ['aborted-by-system'] });
    await rt.processor.finish(job, { error: tooLarge ? 'PRINTER_DOCUMENT_TOO_LARGE' : compressionError ? 'PRINTER_COMPRESSION_ERROR' : 'PRINTER_RECEIVE_FAILED' });
    if (tooLarge) throw new Refusal(Status.clientErrorRequestEntityTooLarge, 'document too large');
    if (compressionError) throw new Refusal(Status.clientErrorCompressionError, 'document could not be decompressed');
    throw err;
  }
  job.timings.lastByteAt = Date.now();
  await rt.records.accepted(job, recorded(job, arrival));
  job.documentsReceived = number;
  job.kOctets += Math.ceil(spooled.receivedBytes / 1024);
  rt.store.touch(job);

  if (job.state !== 'pending') {
    // Canceled while the data was arriving.
    await rt.processor.finish(job, { documentBytes: spooled.bytes });
    return jobReply(rt, job, arrival.check.template.unsupported);
  }
  const format = arrival.check.format === 'application/octet-stream' ? sniffFormat(spooled.head) : arrival.check.format;
  if (format === undefined) {
    rt.store.transition(job, 'aborted', 'Document format not recognised.', { add: ['unsupported-document-format', 'aborted-by-system'] });
    await rt.processor.finish(job, { documentBytes: spooled.bytes, error: 'PRINTER_FORMAT_NOT_DETECTED' });
    return { ...jobReply(rt, job, arrival.check.template.unsupported), status: Status.clientErrorDocumentFormatNotSupported, statusMessage: 'document format not recognised' };
  }
  documentReady(rt, job, { number, path: file, format, bytes: spooled.bytes, sha256: spooled.sha256 }, arrival.lastDocument);
  return jobReply(rt, job, arrival.check.template.unsupported);
}

/**
 * A verified document joins its job; the last one (last-document, or Print-Job) closes the job and
 * hands it to the engine, otherwise the job waits for the next (PWG 5100.5 multiple documents).
 */
function documentReady(rt: PrinterRuntime, job: Job, doc: JobDocument, lastDocument: boolean): void {
  job.documents.push(doc);
  if (doc.number === 1) {
    job.documentSha256 = doc.sha256;
    job.renderFormat = doc.format;
  }
  if (lastDocument) {
    job.closed = true;
    jobComplete(rt, job); // queued, or held for its release code
    return;
  }
  rt.store.transition(job, 'pending', 'Waiting for the next document.', { add: ['job-data-insufficient'], remove: ['job-incoming'] });
  armMultipleOperationTimeout(rt, job);
}

/**
 * The envelope is decrypted as it arrives (smime streams it into a private temporary file and
 * releases it only once the tag and signatures verified), so the work left after the last byte is
 * the tag check, the inner request and unpacking the document: sealing adds little to the time
 * from last byte to completed.
 */
async function receiveSealed(rt: PrinterRuntime, job: Job, ctx: IppRequestContext, arrival: DocumentArrival): Promise<IppReply> {
  let received = 0;
  let lastByte: number | undefined;
  const number = job.documentsReceived + 1;
  const meta = recorded(job, arrival);
  // The ciphertext is kept as received until the job ends: after a restart it is opened again,
  // so a job acknowledged here is printed even if the printer stops before printing it.
  await mkdir(jobPaths(rt.layout, job.id).spool, { recursive: true, mode: 0o700 });
  const kept = await KeptCiphertext.create(ciphertextFile(rt.layout, job.id, number), () => rt.faults.hit('receive.chunk'));
  const closeKept = (sync: boolean): Promise<void> => kept.close(sync);
  // The iterator below sees every stream error; this keeps one emitted after it stopped listening
  // (the size limit hit mid-chunk) from becoming an uncaught 'error' event.
  ctx.data.on('error', () => undefined);
  // Pulled by the decryptor: nothing is read from the socket faster than it is decrypted. Keeping
  // a chunk's ciphertext runs alongside its decryption (kept-ciphertext.ts).
  const counted = (async function* () {
    for await (const chunk of ctx.data as AsyncIterable<Buffer>) {
      // The transport caps the bytes that arrive (ByteLimitExceeded), so none is counted against a limit here.
      received += chunk.length;
      await kept.add(chunk);
      yield chunk;
    }
    lastByte = Date.now();
    await closeKept(true);
    rt.faults.hit('receive.kept');
  })();
  // The job claims its nonce only once its record says so: a restart then knows the claim is its own.
  const replay = {
    async remember(key: string): Promise<boolean> {
      if (rt.replay.has(key)) return false;
      await rt.records.claiming(job, key);
      rt.faults.hit('receive.claimed');
      return rt.replay.remember(key);
    },
  };
  const received_ = (whole = true) => {
    job.timings.lastByteAt = lastByte ?? Date.now();
    // number-of-documents (PWG 5100.5) counts documents received whole: a sender that was cut off
    // reads it to learn what it must send again.
    if (whole) job.documentsReceived = number;
    job.kOctets += Math.ceil(received / 1024);
    rt.store.touch(job);
  };
  try {
    const opened = await rt.openSealed(job, {
      operation: arrival.operation,
      ciphertext: counted,
      replay,
      ...(arrival.operation === 'Send-Document' ? { outerLastDocument: arrival.lastDocument } : {}),
    });
    await closeKept(true);
    rt.faults.hit('receive.opened');
    await rt.records.accepted(job, meta);
    rt.faults.hit('receive.accepted');
    received_();
    job.timings.openedAt = Date.now();
    if (number === 1) {
      // The sealed name, options and owner binding must outlive a restart (issue 11.8).
      await saveSealedRecord(rt.layout, job).catch((err: unknown) => rt.log.warn({ jobId: job.id, err: (err as Error).message }, 'printer: sealed record not written'));
    }
    if (job.state !== 'pending') {
      // Canceled while the data was arriving or being opened.
      await rt.processor.finish(job, { documentBytes: opened.bytes });
      return jobReply(rt, job, []);
    }
    documentReady(
      rt,
      job,
      { number, path: opened.path, format: opened.format, bytes: opened.bytes, sha256: opened.sha256, ...(opened.pinLayer ? { pinLayer: true } : {}) },
      arrival.lastDocument,
    );
    // Unsupported inner attributes are not echoed in clear: they came from inside the envelope.
    return jobReply(rt, job, []);
  } catch (err) {
    await closeKept(false).catch(() => undefined);
    received_(lastByte !== undefined);
    job.timings.openedAt = Date.now();
    if (isTooLarge(err)) {
      rt.log.info({ jobId: job.id }, 'printer: sealed document too large');
      rt.store.transition(job, 'aborted', 'Document not received.', { add: ['aborted-by-system'] });
      await rt.processor.finish(job, { error: 'PRINTER_DOCUMENT_TOO_LARGE' });
      throw new Refusal(Status.clientErrorRequestEntityTooLarge, 'document too large');
    }
    if (err instanceof SecurityFailure) {
      // The exact check goes to the local log only (docs/spec-notes.md §2).
      rt.log.warn({ jobId: job.id, check: err.check, code: err.code, detail: err.message }, 'printer: sealed job refused');
      rt.store.transition(job, 'aborted', GENERIC_SECURITY_MESSAGE, { add: [err.reason, 'aborted-by-system'] });
      await rt.processor.finish(job, { error: err.reason === 'document-password-error' ? 'PRINTER_DOCUMENT_PASSWORD_ERROR' : 'PRINTER_DOCUMENT_SECURITY_ERROR' });
      return { ...jobReply(rt, job, []), status: err.status, statusMessage: GENERIC_SECURITY_MESSAGE };
    }
    if (err instanceof Refusal) {
      // The inner request was opened and verified but asks for something this printer cannot do.
      rt.log.info({ jobId: job.id, status: err.status, reason: err.statusMessage }, 'printer: sealed job request refused');
      rt.store.transition(job, 'aborted', 'Job request not supported.', {
        add: [err.status === Status.clientErrorDocumentFormatNotSupported ? 'unsupported-document-format' : 'aborted-by-system'],
      });
      await rt.processor.finish(job, { error: 'PRINTER_INNER_REQUEST_REFUSED' });
      // The status says what kind of request it was; the message would quote sealed values (an
      // inner document-format, a job-name), so only the local log has it.
      return { ...jobReply(rt, job, []), status: err.status, statusMessage: SEALED_REQUEST_REFUSED };
    }
    if (err instanceof PoolRefusal) {
      // Opened and verified, but not this pool member's to print (docs/decisions.md D32).
      rt.log.warn({ jobId: job.id, code: err.code, detail: err.message }, 'printer: sealed job refused by the pool ledger');
      rt.store.transition(job, 'aborted', err.jobMessage, { add: [...err.reasons] });
      await rt.processor.finish(job, { error: err.code });
      return { ...jobReply(rt, job, []), status: err.status, statusMessage: err.jobMessage };
    }
    if (isOutOfSpace(err)) return outOfSpace(rt, job);
    rt.log.error({ jobId: job.id, err }, 'printer: opening a sealed job failed');
    rt.store.transition(job, 'aborted', 'Internal error.', { add: ['aborted-by-system'] });
    await rt.processor.finish(job, { error: 'PRINTER_INTERNAL' });
    throw err;
  }
}
