/**
 * Secure PIN release at the printer (docs/profile.md "PIN release"). A sealed job whose inner
 * document is itself an envelope to a release code (a PasswordRecipientInfo) is opened, bound and
 * validated on arrival like any sealed job, then held: job-state pending-held with
 * job-state-reasons job-password-wait (PWG 5100.11). While held only the PIN-layer ciphertext is
 * on disk. Entering the code at the panel (PinReleaseDesk.release) decrypts the documents and
 * queues the job; after `maxAttempts` wrong codes the job is aborted with document-password-error
 * and its files deleted. The code is never logged and never leaves this process. The hold, its
 * start and the count of wrong codes survive a restart (release-record.ts, docs/decisions.md D31).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { CmsError, CmsErrorCode, openToFile } from '@trustnoone/smime';
import { PrinterError } from '../errors.js';
import type { Job, JobDocument } from '../jobs/job.js';
import { sniffFormat } from '../pipeline/sniff.js';
import type { PrinterRuntime } from '../runtime.js';
import { holdComplete, holdRequested } from '../jobs/job-hold.js';
import { jobPaths } from '../state/state-dir.js';
import { readReleaseRecord, removeReleaseRecord, writeReleaseRecord, type ReleaseRecord } from './release-record.js';

export const HOLD_REASON = 'job-password-wait';
export const PASSWORD_ERROR_REASON = 'document-password-error';

export type ReleaseResult =
  | { readonly outcome: 'released' }
  | { readonly outcome: 'wrong-pin'; readonly attemptsLeft: number }
  /** Too many wrong codes: the job is aborted and its files are gone. */
  | { readonly outcome: 'aborted' };

const isPinLayer = (d: JobDocument): boolean => d.pinLayer === true;

/** The job's documents are all in: queue it, or hold it when any document is behind a release code. */
export function jobComplete(rt: PrinterRuntime, job: Job): void {
  if (!job.documents.some(isPinLayer)) {
    if (holdRequested(job)) holdComplete(rt, job);
    else rt.processor.enqueue(job);
    return;
  }
  job.closed = true;
  rt.store.transition(job, 'pending-held', 'Held until its release code is entered at the printer.', {
    add: [HOLD_REASON],
    remove: ['job-incoming', 'job-data-insufficient'],
  });
}

export class PinReleaseDesk {
  /** Per held job, its release record (release-record.ts) once read or created. */
  readonly #records = new Map<number, Promise<ReleaseRecord>>();
  readonly #inProgress = new Set<number>();
  readonly #expiry = new Map<number, NodeJS.Timeout>();
  readonly #stopWatching: () => void;

  /**
   * `holdMs`: how long a job waits for its code before it is aborted and its ciphertext deleted,
   * so unreleased jobs do not pile up on the printer's disk. It counts from the first hold, across
   * restarts; so does `maxAttempts` (docs/decisions.md D31).
   */
  constructor(
    private readonly rt: PrinterRuntime,
    private readonly maxAttempts: number,
    private readonly holdMs: number,
  ) {
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('pinAttempts must be a positive integer');
    if (!Number.isSafeInteger(holdMs) || holdMs < 1) throw new RangeError('pinHoldMs must be a positive integer');
    this.#stopWatching = rt.store.onChange((job) => this.#watch(job));
  }

  /**
   * The printer is closing: held jobs stay held for the next start, as queued sealed jobs do. Their
   * record, received ciphertext and release record remain; the PIN-layer copy in private/ goes (the
   * next start opens the printer envelope again and holds the job with its count and hold time).
   */
  async close(): Promise<void> {
    this.#stopWatching();
    for (const t of this.#expiry.values()) clearTimeout(t);
    this.#expiry.clear();
    await Promise.allSettled(this.#records.values());
    for (const id of this.held()) await rm(jobPaths(this.rt.layout, id).private, { recursive: true, force: true });
  }

  #watch(job: Job): void {
    if (job.finalized) {
      // Ended (released and printed, canceled, expired, locked out): its count has served.
      if (this.#records.delete(job.id)) void removeReleaseRecord(this.rt.layout, job.id).catch(() => undefined);
      return;
    }
    const waiting = job.state === 'pending-held' && job.reasons.has(HOLD_REASON);
    if (waiting && !this.#records.has(job.id)) {
      const begun = this.#begin(job);
      begun.catch((err: unknown) => {
        this.rt.log.error({ jobId: job.id, err: (err as Error).message }, 'printer: release record not written');
        // The next code typed tries again (release() begins the record when none is kept).
        if (this.#records.get(job.id) === begun) this.#records.delete(job.id);
      });
      this.#records.set(job.id, begun);
    }
    const timer = this.#expiry.get(job.id);
    if (!waiting && timer) {
      clearTimeout(timer);
      this.#expiry.delete(job.id);
    }
  }

  /** A job is held: its record is read back (after a restart) or written; its time-out armed. */
  async #begin(job: Job): Promise<ReleaseRecord> {
    const found = await readReleaseRecord(this.rt.layout, job.id);
    let record: ReleaseRecord;
    if (found === 'unreadable') {
      this.rt.log.warn({ jobId: job.id }, 'printer: a held job\'s release record is unreadable; locking it out');
      record = { heldAt: Date.now(), attempts: this.maxAttempts };
    } else if (found) {
      record = found;
    } else {
      record = { heldAt: Date.now(), attempts: 0 };
      await writeReleaseRecord(this.rt.layout, job.id, record);
    }
    if (record.attempts >= this.maxAttempts) {
      // The last wrong code was counted but the printer stopped before the job ended.
      queueMicrotask(() => void this.#lockOut(job));
      return record;
    }
    if (job.state === 'pending-held' && !this.#expiry.has(job.id)) {
      const t = setTimeout(() => void this.#expire(job.id), Math.max(0, record.heldAt + this.holdMs - Date.now()));
      t.unref();
      this.#expiry.set(job.id, t);
    }
    return record;
  }

  async #expire(jobId: number): Promise<void> {
    this.#expiry.delete(jobId);
    const job = this.rt.store.get(jobId);
    if (!job || job.state !== 'pending-held' || this.#inProgress.has(jobId)) return;
    this.rt.log.info({ jobId }, 'printer: held job not released in time');
    this.rt.store.transition(job, 'aborted', 'Not released in time.', { add: ['aborted-by-system'], remove: [HOLD_REASON] });
    await this.rt.processor.finish(job, { error: 'PRINTER_RELEASE_TIMEOUT' });
  }

  /** Jobs waiting for their release code (ids), oldest first. */
  held(): number[] {
    return this.rt.store
      .active()
      .filter((j) => j.state === 'pending-held' && j.reasons.has(HOLD_REASON))
      .map((j) => j.id)
      .sort((a, b) => a - b);
  }

  /**
   * Tries `pin` on held job `jobId`. One attempt at a time per job, so parallel guesses cannot
   * get past the attempt limit; the attempt is counted on disk before the code is tried, so a stop
   * during the check cannot give it back. Throws PrinterError JOB_NOT_HELD for a job that is not
   * waiting for its code (unknown, ended, never behind a code, or an attempt already running).
   */
  async release(jobId: number, pin: string | Uint8Array): Promise<ReleaseResult> {
    const job = this.rt.store.get(jobId);
    if (!job || job.state !== 'pending-held' || !job.reasons.has(HOLD_REASON)) throw new PrinterError('PRINTER_JOB_NOT_HELD', `job ${jobId} is not waiting for a release code`);
    if (this.#inProgress.has(jobId)) throw new PrinterError('PRINTER_JOB_NOT_HELD', `a release code for job ${jobId} is being checked; try again when it is done`);
    this.#inProgress.add(jobId);
    try {
      const before = await (this.#records.get(jobId) ?? this.#begin(job));
      if (before.attempts >= this.maxAttempts || job.state !== 'pending-held') throw new PrinterError('PRINTER_JOB_NOT_HELD', `job ${jobId} is not waiting for a release code`);
      const counted = { heldAt: before.heldAt, attempts: before.attempts + 1 };
      await writeReleaseRecord(this.rt.layout, jobId, counted);
      this.#records.set(jobId, Promise.resolve(counted));
      const result = await this.#attempt(job, pin, counted.attempts);
      if (result.outcome === 'released') {
        // The right code is not a wrong attempt: if the printer stops before printing, the job is
        // held again with the count it had.
        await writeReleaseRecord(this.rt.layout, jobId, before).catch(() => undefined);
        if (this.#records.has(jobId)) this.#records.set(jobId, Promise.resolve(before));
      }
      return result;
    } finally {
      this.#inProgress.delete(jobId);
    }
  }

  async #attempt(job: Job, pin: string | Uint8Array, attempts: number): Promise<ReleaseResult> {
    const opened: JobDocument[] = [];
    const discard = async (): Promise<void> => {
      for (const d of opened) await rm(d.path, { force: true });
    };
    try {
      for (const doc of job.documents) opened.push(isPinLayer(doc) ? await openPinLayer(doc, pin) : doc);
    } catch (err) {
      await discard();
      const wrongCode = err instanceof CmsError && (err.code === CmsErrorCode.wrongPassword || err.code === CmsErrorCode.tagMismatch);
      // The PIN layer arrived inside the authenticated printer envelope, so a tag mismatch here
      // is a wrong code that happened to pass the 24-bit check value, not tampering.
      if (wrongCode) return this.#wrongCode(job, attempts);
      return this.#fail(job, err);
    }
    if (job.state !== 'pending-held') {
      // Canceled while the code was being checked: its cleanup removed the private directory.
      await discard();
      throw new PrinterError('PRINTER_JOB_NOT_HELD', `job ${job.id} was ${job.state} while its release code was checked`);
    }
    for (const [i, doc] of job.documents.entries()) if (opened[i] !== doc) await rm(doc.path, { force: true });
    job.documents.splice(0, job.documents.length, ...opened);
    job.documentSha256 = opened[0]!.sha256;
    job.renderFormat = opened[0]!.format;
    this.rt.log.info({ jobId: job.id }, 'printer: held job released at the panel');
    this.rt.store.transition(job, 'pending', 'Released.', { remove: [HOLD_REASON] });
    this.rt.processor.enqueue(job);
    return { outcome: 'released' };
  }

  async #wrongCode(job: Job, wrong: number): Promise<ReleaseResult> {
    this.rt.log.info({ jobId: job.id, wrongAttempts: wrong, maxAttempts: this.maxAttempts }, 'printer: wrong release code');
    if (wrong < this.maxAttempts) return { outcome: 'wrong-pin', attemptsLeft: this.maxAttempts - wrong };
    await this.#lockOut(job);
    return { outcome: 'aborted' };
  }

  /** Too many wrong codes: the job ends aborted and its PIN-layer ciphertext is deleted. */
  async #lockOut(job: Job): Promise<void> {
    if (job.state !== 'pending-held') return;
    this.rt.store.transition(job, 'aborted', 'Too many wrong release codes.', { add: [PASSWORD_ERROR_REASON, 'aborted-by-system'], remove: [HOLD_REASON] });
    await this.rt.processor.finish(job, { error: 'PRINTER_DOCUMENT_PASSWORD_ERROR' }); // deletes private/ and spool/
    this.#records.delete(job.id);
    await removeReleaseRecord(this.rt.layout, job.id);
  }

  async #fail(job: Job, err: unknown): Promise<ReleaseResult> {
    const unrecognised = err instanceof PrinterError && err.code === 'PRINTER_FORMAT_NOT_DETECTED';
    const code = err instanceof CmsError || err instanceof PrinterError ? err.code : 'PRINTER_INTERNAL';
    this.rt.log.warn({ jobId: job.id, code }, 'printer: held job could not be released');
    this.rt.store.transition(job, 'aborted', unrecognised ? 'Document format not recognised.' : 'The document could not be opened securely.', {
      add: [unrecognised ? 'unsupported-document-format' : 'document-security-error', 'aborted-by-system'],
      remove: [HOLD_REASON],
    });
    await this.rt.processor.finish(job, { error: unrecognised ? 'PRINTER_FORMAT_NOT_DETECTED' : 'PRINTER_DOCUMENT_SECURITY_ERROR' });
    return { outcome: 'aborted' };
  }
}

/** Opens one PIN-layer document into a private file beside it; octet-stream is detected now. */
async function openPinLayer(doc: JobDocument, pin: string | Uint8Array): Promise<JobDocument> {
  const path = `${doc.path}.released`;
  await openToFile(createReadStream(doc.path, { highWaterMark: 1 << 20 }), path, { password: pin });
  const hash = createHash('sha256');
  let bytes = 0;
  let head = new Uint8Array(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (head.length < 16) head = new Uint8Array(Buffer.concat([head, chunk.subarray(0, 16 - head.length)]));
    hash.update(chunk);
    bytes += chunk.length;
  }
  const format = doc.format === 'application/octet-stream' ? sniffFormat(head) : doc.format;
  if (format === undefined) {
    await rm(path, { force: true });
    throw new PrinterError('PRINTER_FORMAT_NOT_DETECTED', `document ${doc.number} behind the release code is in no format this printer renders`);
  }
  return { number: doc.number, path, format, bytes, sha256: hash.digest('hex') };
}
