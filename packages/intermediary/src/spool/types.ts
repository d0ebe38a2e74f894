/**
 * The records the store keeps for each job (what the client submitted, and where it stands). The
 * store contract itself is in store/types.ts; the embedded implementation is a directory
 * (dir-spool.ts), the shared one PostgreSQL (store/pg/).
 */
import { IppEnum, type IppAttribute } from '@trustnoone/ipp';

/** A document's opaque data as stored: never interpreted, only counted and hashed. */
export interface SpoolDocument {
  /** 1-based, in the order the client sent them (RFC 8011 §5.3.6 document-number). */
  readonly number: number;
  readonly size: number;
  /** SHA-256 of the stored bytes (hex): lets the forwarder and tests identify a delivery. */
  readonly sha256: string;
  /** The cleartext operation attributes of the request that carried the document. */
  readonly attributes: readonly IppAttribute[];
  /** The client said this is the last document (Print-Job, or Send-Document last-document=true). */
  readonly last: boolean;
  /** When it was committed (ms since the epoch); drives the multiple-operation time-out. */
  readonly receivedAt?: number;
}

/** What the client submitted, as committed. Immutable except for new documents and `closed`. */
export interface SpoolJob {
  readonly id: number;
  readonly uuid: string;
  /** Authenticated user name, or the requesting-user-name of an anonymous client. */
  readonly owner: string;
  /** The owner proved their name (HTTP Basic); anonymous jobs are matched by requesting-user-name only. */
  readonly ownerAuthenticated: boolean;
  readonly createdAt: number;
  /** Which operation created the job; the forwarder replays the same shape upstream. */
  readonly operation: 'print-job' | 'create-job';
  /** Cleartext operation attributes of the creating request, minus printer-uri. */
  readonly attributes: readonly IppAttribute[];
  /** Cleartext job-group attributes of the creating request (only when policy allows them). */
  readonly jobAttributes: readonly IppAttribute[];
  readonly documents: readonly SpoolDocument[];
  /** No more documents will come (last-document seen, Close-Job, or Print-Job). */
  readonly closed: boolean;
}

/** RFC 8011 §5.3.7 job-state values (the registry's, @trustnoone/ipp). */
export const JobState = IppEnum.jobState;
export type JobStateValue = (typeof JobState)[keyof typeof JobState];
export const isTerminal = (s: number): boolean => s >= JobState.canceled;

/** Where forwarding stands; rewritten atomically as it advances so a restart resumes at the right step. */
export interface ForwardState {
  /** The upstream URI the job was (or is being) sent to. */
  readonly upstream?: string;
  /** upstream job-id once Create-Job/Print-Job succeeded there. */
  readonly upstreamJobId?: number;
  /**
   * A Create-Job was sent to `upstream` and its answer is not recorded yet. Found on resume, it
   * means an empty job of ours may exist there: the forwarder looks for it and cancels it before
   * creating the job again (forwarder.ts, docs/decisions.md D8).
   */
  readonly creating?: {
    readonly upstream: string;
    /** Just before the Create-Job was sent. */
    readonly since: number;
    /** When its failure was seen; absent after a crash (the orphan window then ends at recovery). */
    readonly failedAt?: number;
  };
  /** Documents the upstream has acknowledged. */
  readonly documentsSent: number;
  /** A Print-Job or Send-Document was started upstream and its outcome is not recorded. */
  readonly inFlight?: {
    readonly document: number;
    readonly since: number;
    /** Print-Job only: the owner's highest upstream job-id before it was sent (duplicate detection). */
    readonly highWater?: number;
  };
  /** Close-Job already sent upstream. */
  readonly closeSent?: boolean;
  /** Cancel-Job already sent upstream. */
  readonly cancelSent?: boolean;
}

/**
 * A PWG 5100.7 *-completed counter as the upstream printer reported it: a number, or 'unknown'
 * (the out-of-band value a TRUSTNOONE printer gives for a sealed job, docs/decisions.md D9 (counters)).
 */
export type CompletedCounter = number | 'unknown';

/** The progress counters mirrored from upstream (clear jobs only show them; issue 15.7). */
export interface CompletedCounters {
  readonly impressions?: CompletedCounter;
  readonly mediaSheets?: CompletedCounter;
  readonly pages?: CompletedCounter;
}

export interface JobStatus {
  readonly state: JobStateValue;
  readonly reasons: readonly string[];
  readonly message?: string;
  /** Status an upstream rejection carried, surfaced to the client on the job. */
  readonly upstreamStatus?: number;
  readonly completedAt?: number;
  /** When the job was first seen processing (ms since the epoch): RFC 8011 §5.3.14.2 time-at-processing. */
  readonly processingAt?: number;
  /** The client asked to cancel before the job reached upstream or while it was there. */
  readonly cancelRequested?: boolean;
  /** job-impressions/media-sheets/pages-completed as last mirrored from upstream. */
  readonly completed?: CompletedCounters;
  readonly forward: ForwardState;
}

/** The store contract moved to store/types.ts; `Spool` stays its name where jobs are concerned. */
export type { StagedBlob, WriteBlobOptions } from '../store/types.js';
export type { JobStore as Spool } from '../store/types.js';
