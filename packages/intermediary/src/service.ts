/**
 * The state every operation handler shares: spool, job table, forwarder, upstreams, limits and the
 * admission settings. Built once by buildApp; handlers are plain functions of (service, request).
 */
import type { UpTimeClock } from './clock.js';
import type { FaultHook } from './faults.js';
import type { Forwarder } from './upstream/forwarder.js';
import type { JobTable } from './jobs.js';
import type { Spool } from './spool/types.js';
import type { Upstream } from './upstream/client.js';
import type { UserEntry } from './auth/users-file.js';

export interface Limits {
  /** Bytes of document data per request (request-entity-too-large beyond). */
  readonly maxDocumentBytes: number;
  /** Uploads streaming to the spool at once (server-error-busy beyond). */
  readonly maxConcurrentUploads: number;
  /** Attributes in one request, all groups counted (request-entity-too-large beyond). */
  readonly maxAttributes: number;
  /** Non-terminal jobs one user may have (server-error-too-many-jobs beyond). */
  readonly maxQueuedJobsPerUser: number;
  /** Documents in one job (server-error-too-many-documents beyond). */
  readonly maxDocumentsPerJob: number;
  /** A request body quiet this long is cut off (ms; ipp-http's default when absent). */
  readonly bodyIdleTimeoutMs?: number;
  /** IPP requests one client (account, else address) may have in progress (HTTP 503 beyond). */
  readonly maxRequestsPerClient?: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxDocumentBytes: 2 * 1024 ** 3,
  maxConcurrentUploads: 256,
  maxAttributes: 256,
  maxQueuedJobsPerUser: 100,
  maxDocumentsPerJob: 64,
};

export interface Service {
  readonly spool: Spool;
  readonly table: JobTable;
  /** Delivers jobs: the push forwarder, or the pull-mode queue (infra/queue.ts) with the same contract. */
  readonly forwarder: Pick<Forwarder, 'kick' | 'stop' | 'idle' | 'unreachable'>;
  readonly upstreams: readonly Upstream[];
  readonly limits: Limits;
  readonly faults: FaultHook;
  /** End-to-end policy on (default) or off (--allow-cleartext). */
  readonly requireEncryption: boolean;
  /** Refuse documents whose first bytes are not a CMS envelope header (envelope-shape.ts). */
  readonly checkEnvelope: boolean;
  /** Users who may authenticate; empty = nobody can. */
  readonly users: ReadonlyMap<string, UserEntry>;
  /** Anonymous requests are admitted (owner = requesting-user-name). */
  readonly allowAnonymous: boolean;
  /** Pull mode (PWG 5100.18 INFRA): output devices fetch jobs; `upstreams` stand for them. */
  readonly pullMode: boolean;
  /** printer-up-time and every time-at-* of our jobs (clock.ts). */
  readonly clock: UpTimeClock;
  /** OAuth sign-in, advertised to clients (oauth-authorization-server-uri). */
  readonly oauth?: { readonly issuer: string; readonly scopes: readonly string[] };
  /** Cache lifetime of the upstream's printer attributes. */
  readonly printerAttributesTtlMs: number;
  /** Uploads currently streaming to the spool. */
  uploads: number;
  /** Operation codes this intermediary answers (operations-supported is cut down to these). */
  servedOperations: ReadonlySet<number>;
}
