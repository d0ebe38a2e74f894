/**
 * @trustnoone/intermediary — a blind print server: it spools and relays TRUSTNOONE sealed jobs to
 * upstream printers, mirrors their state, and can never read them (nothing here imports decryption
 * or private-key code; test/blind-import-graph.test.ts keeps it so).
 */
export { buildApp, type Intermediary, type IntermediaryOptions } from './app.js';
export { startIntermediary, DEFAULT_PORT, type StartOptions, type RunningIntermediary } from './server.js';
export { DirectorySpool, type DirectorySpoolOptions } from './spool/dir-spool.js';
export { openStore, migrateStore } from './store/open.js';
export { SCHEMA_VERSION } from './store/pg/migrations.js';
export type { JobStore, BlobStore, LeaseStore, DeviceStore } from './store/types.js';
export type { Spool, SpoolJob, SpoolDocument, JobStatus, ForwardState, StagedBlob } from './spool/types.js';
export { JobState } from './spool/types.js';
export { httpUpstream, type Upstream, type UpstreamAnswer, type HttpUpstreamOptions } from './upstream/client.js';
export { addUser, loadUsersFile, parseUsersFile, type UserEntry, type Role } from './auth/users-file.js';
export { hashPassword, verifyPassword } from './auth/password.js';
export { DEFAULT_LIMITS, type Limits } from './service.js';
export { FaultPoint, faultsFromSpec, type FaultHook } from './faults.js';
export { IntermediaryError, IntermediaryErrorCode } from './errors.js';
