/**
 * Everything the operation handlers share: identity, policy, jobs, the engine and the
 * state directory. Built once by buildApp; handlers receive it explicitly (no globals).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { PrinterIdentity, PrinterStatus } from './attributes/printer-attributes.js';
import type { Job } from './jobs/job.js';
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
