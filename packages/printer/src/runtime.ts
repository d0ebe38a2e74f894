/**
 * Everything the operation handlers share: identity, policy, jobs, the engine and the
 * state directory. Built once by buildApp; handlers receive it explicitly (no globals).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ReplayCache } from '@trustnoone/profile';
import type { PrinterFaultHook } from './faults.js';
import type { PrinterIdentity, PrinterStatus } from './attributes/printer-attributes.js';
import type { Job } from './jobs/job.js';
import type { JobCounter } from './jobs/job-counter.js';
import type { JobRecords } from './jobs/job-records.js';
import type { JobStore } from './jobs/job-store.js';
import type { JobProcessor, ReadyDocument } from './pipeline/processor.js';
import type { StateLayout } from './state/state-dir.js';

export interface PrinterPolicy {
  /** Refuse cleartext jobs (document-format other than application/pkcs7-mime). */
  readonly requireEncryption: boolean;
  /** Refuse sealed jobs that are not signed by a certificate chaining to `trustAnchorsPem`. */
  readonly requireSignature: boolean;
}

export interface OpenedDocument extends ReadyDocument {
  readonly sha256: string;
  /** The bytes are still enveloped to a release code (secure PIN release): hold the job. */
  readonly pinLayer?: boolean;
}

/** What opening a sealed submission yields; everything else about the job is set on `job`. */
export interface SealedSubmission {
  readonly operation: 'Print-Job' | 'Send-Document';
  /** Outer last-document (Send-Document only). */
  readonly outerLastDocument?: boolean;
  /** The envelope as it arrives from the network (decrypted while streaming). */
  readonly ciphertext: AsyncIterable<Uint8Array>;
  /**
   * The replay cache to claim the job nonce in, when not the printer's own: the receiving path
   * records the claim in the job record first, recovery admits the job's own earlier claim.
   */
  readonly replay?: ReplayCache;
}

/**
 * Opens, verifies and binds a sealed submission (docs/spec-notes.md §2), then validates the inner request.
 * Resolves with the verified document in the job's private directory, or rejects with a
 * SecurityFailure / Refusal; on rejection nothing decrypted is left on disk.
 */
export type SealedOpener = (job: Job, submission: SealedSubmission) => Promise<OpenedDocument>;

export interface PrinterRuntime {
  readonly identity: PrinterIdentity;
  readonly layout: StateLayout;
  readonly store: JobStore;
  /** Durable highest job id: a job's creation is answered only once its id is on disk. */
  readonly jobCounter: JobCounter;
  /** jobs/<id>/job.json of every job not yet ended (jobs/job-records.ts). */
  readonly records: JobRecords;
  /** The printer's replay cache of sealed job nonces (secure/replay-cache.ts). */
  readonly replay: ReplayCache & { has(key: string): boolean };
  /** Crash-test fault points (faults.ts); a no-op unless configured. */
  readonly faults: PrinterFaultHook;
  readonly processor: JobProcessor;
  readonly policy: PrinterPolicy;
  readonly openSealed: SealedOpener;
  readonly limits: {
    readonly maxDocumentBytes: number;
    /** Jobs not yet ended at most (server-error-busy beyond). */
    readonly maxActiveJobs: number;
    /** RFC 8011 / PWG 5100.5 multiple-operation-time-out, ms. */
    readonly multipleOperationTimeoutMs: number;
  };
  readonly startedAt: Date;
  readonly log: FastifyBaseLogger;
  status(): PrinterStatus;
}
