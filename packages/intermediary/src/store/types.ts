/**
 * The store seam: everything the intermediary keeps beyond one request — jobs, their documents'
 * ciphertext, forwarding state, output devices and who forwards what — behind interfaces with two
 * implementations: the embedded directory (spool/dir-spool.ts, the default; one process owns it)
 * and PostgreSQL (store/pg/, shared by several instances behind a load balancer).
 *
 * The contract every implementation keeps:
 * - a job is wholly stored or not at all: `commitJob` and `addDocument` are the only ways data
 *   becomes visible, each atomic across a crash of this process (and, when shared, of any other);
 * - `updateStatus` is an atomic read-modify-write: the change sees the stored record, so two
 *   instances updating one job never overwrite each other;
 * - a shared store reports what other instances changed (`changes`), and grants each job's
 *   delivery to one instance at a time (`leases`); a single-process store needs neither.
 * Document bytes are opaque here: counted, hashed, streamed; never interpreted.
 */
import type { Readable } from 'node:stream';
import type { FailureThrottleOptions, SignInThrottle } from '@trustnoone/ipp-http';
import type { OutputDevice } from '../infra/devices.js';
import type { EncryptedRequestLog } from '../infra/encrypted-requests.js';
import type { EventLog } from '../infra/events.js';
import type { JobStatus, SpoolDocument, SpoolJob } from '../spool/types.js';

/** A document written to temporary storage, not yet part of any job. */
export interface StagedBlob {
  readonly token: string;
  readonly size: number;
  readonly sha256: string;
}

export interface WriteBlobOptions {
  /** Refuse (and delete) once more than this many bytes arrived. */
  readonly maxBytes: number;
}

/**
 * Where ciphertext lives, streamed in and out in bounded chunks (memory stays flat whatever the
 * size). A blob is staged, then committed by the job store that references it, then removed. The
 * PostgreSQL store keeps blobs in chunk rows (store/pg/blobs.ts); an S3-compatible object store
 * would implement the same four calls (multipart upload, GetObject, DeleteObject).
 */
export interface BlobStore {
  /** Streams `data` to storage; durable when the promise resolves. Nothing references it yet. */
  write(data: Readable, options: WriteBlobOptions): Promise<StagedBlob>;
  /** The stored bytes, streamed. */
  open(token: string): Readable;
  /** Removes a blob (staged or committed); removing one that is gone is not an error. */
  remove(token: string): Promise<void>;
}

/** A job as stored with its status. */
export interface StoredJob {
  readonly job: SpoolJob;
  readonly status: JobStatus;
}

/** What changed in a shared store since the last call (store/pg/job-store.ts). */
export interface StoreChanges {
  readonly updated: readonly StoredJob[];
  readonly deleted: readonly number[];
}

/**
 * Who delivers a job: one instance at a time. A lease lasts `ttlMs` unless renewed; an instance
 * that dies stops renewing and another claims the job, resuming from the recorded forward state.
 * Writes by a holder whose lease has passed to another are refused (LeaseLost), so a paused
 * instance that wakes up cannot act on a job someone else now owns.
 */
export interface LeaseStore {
  /** Takes the job's lease if free or expired; false if another live holder has it. */
  claim(jobId: number, ttlMs: number): Promise<boolean>;
  /** Extends a held lease; false if it was lost meanwhile. */
  renew(jobId: number, ttlMs: number): Promise<boolean>;
  release(jobId: number): Promise<void>;
  /**
   * Claims up to `limit` non-terminal jobs whose lease is free or expired (new work, or the work of
   * an instance that died), oldest first; returns their ids.
   */
  claimNext(limit: number, ttlMs: number): Promise<number[]>;
}

/** Output devices registered with the Infrastructure Printer (infra/devices.ts). */
export interface DeviceStore {
  load(): Promise<OutputDevice[]>;
  put(device: OutputDevice): Promise<void>;
  remove(uuid: string): Promise<void>;
  /**
   * Shared stores: records that a device made a request here, and reads when each device was last
   * seen by any instance (ms since the epoch), so an instance does not take a device that talks
   * only to another instance for a silent one.
   */
  seen?(uuid: string, everyMs: number): Promise<void>;
  lastSeen?(): Promise<ReadonlyMap<string, number>>;
}

export interface CommitAdmission {
  /** The owner's unfinished jobs, this one excluded, must be fewer than this. */
  readonly maxActivePerOwner: number;
}

export interface JobStore {
  /** Crash recovery: removes uncommitted temporary state; returns the committed jobs. */
  recover(): Promise<StoredJob[]>;
  /** Next unused job id (monotonic for the store's lifetime, unique across instances). */
  allocateJobId(): Promise<number>;
  /** Streams a document to temporary storage durably. Nothing is visible yet. */
  writeBlob(data: Readable, options: WriteBlobOptions): Promise<StagedBlob>;
  /** Drops a staged blob that will not be committed. */
  discard(blob: StagedBlob): Promise<void>;
  /**
   * Atomically makes a job (with its staged documents) visible. A shared store also enforces
   * `admission.maxActivePerOwner` in the same transaction (the owner's unfinished jobs across all
   * instances), refusing with INTERMEDIARY_LIMIT_EXCEEDED / server-error-too-many-jobs; a
   * single-process store leaves that to the caller's in-memory count.
   */
  commitJob(job: SpoolJob, status: JobStatus, blobs: readonly StagedBlob[], admission?: CommitAdmission): Promise<void>;
  /** Atomically adds a document (and may close the job). */
  addDocument(jobId: number, document: SpoolDocument, blob: StagedBlob | undefined, closed: boolean): Promise<SpoolJob>;
  /** Atomically closes a job without a new document (Close-Job). */
  closeJob(jobId: number): Promise<SpoolJob>;
  /**
   * Atomic read-modify-write of the job's status. `cached` is the caller's view: a single-process
   * store may trust it (nobody else writes); a shared store reads the stored record under a lock.
   */
  updateStatus(jobId: number, change: (s: JobStatus) => JobStatus, cached?: JobStatus): Promise<JobStatus>;
  /** The stored bytes of one document. */
  openDocument(jobId: number, number: number): Readable;
  /** Removes a job and its documents (after it is terminal and retained long enough). */
  delete(jobId: number): Promise<void>;
  /** Removes a document's bytes once delivered (the record stays). */
  dropDocumentData(jobId: number, number: number): Promise<void>;
  /** Shared stores: what other instances changed since the last call. */
  changes?(): Promise<StoreChanges>;
  /**
   * Shared stores: calls `listener` soon after another instance changed a job (PostgreSQL:
   * LISTEN/NOTIFY), so the caller pulls `changes()` at once; it still polls as the fallback.
   */
  onChanged?(listener: () => void): void;
  /** Shared stores: one deliverer per job. Absent: this process delivers every job. */
  readonly leases?: LeaseStore;
  /** Where output devices are kept; absent: the INFRA queue uses its state directory. */
  readonly devices?: DeviceStore;
  /**
   * Shared stores: INFRA subscriptions with their numbered events, and owners' Get-Encrypted-Job-
   * Attributes requests waiting for devices' answers, so any instance answers a device or an owner.
   * Absent: the INFRA queue keeps both in memory.
   */
  readonly infra?: { readonly events: EventLog; readonly requests: EncryptedRequestLog };
  /**
   * Shared stores: a sign-in failure throttle counting in the store, so wrong passwords at any
   * instance add up. Absent: each process counts its own (ipp-http's FailureThrottle).
   */
  signInThrottle?(options?: FailureThrottleOptions): SignInThrottle;
  /** Releases connections and timers (shared stores). */
  close?(): Promise<void>;
}
