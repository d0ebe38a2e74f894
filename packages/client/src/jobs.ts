/**
 * Job status: reading Job Status attributes (RFC 8011 §5.3.7) and the user commands status, jobs,
 * cancel, and following a job to a terminal state.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { enumName, findGroups, getInteger, GroupTag, integerOf, IppStatus, stringOf, type IppGroup, type IppMessage, type IppValue } from '@trustnoone/ipp';
import { ClientError } from './errors.js';
import { cancelJobRequest, getJobAttributesRequest, getJobsRequest, type WhichJobs } from './requests.js';
import { defaultUserName, exchange, newRequestId, type Connection } from './transport.js';

/** RFC 8011 §5.3.7 job-state keywords; the numbers are the registry's (enumName). */
const JOB_STATE_NAMES = ['pending', 'pending-held', 'processing', 'processing-stopped', 'canceled', 'aborted', 'completed'] as const;
export type JobStateName = (typeof JOB_STATE_NAMES)[number];
const TERMINAL = new Set<JobStateName>(['canceled', 'aborted', 'completed']);

export interface JobStatus {
  readonly jobId: number;
  readonly jobUri: string | undefined;
  readonly state: JobStateName | 'unknown';
  readonly stateReasons: readonly string[];
  readonly stateMessage: string | undefined;
  readonly jobName: string | undefined;
  readonly owner: string | undefined;
  /**
   * PWG 5100.7 *-completed counters: a number, 'unknown' when the server says so (a sealed job's
   * counters are 'unknown' in clear; its owner reads them sealed), undefined when it says nothing.
   */
  readonly impressionsCompleted: JobCounter | undefined;
  readonly mediaSheetsCompleted: JobCounter | undefined;
  readonly pagesCompleted: JobCounter | undefined;
}

/** A progress counter: a number, or the out-of-band 'unknown' (RFC 8011 §5.1.2). */
export type JobCounter = number | 'unknown';

function counterOf(value: IppValue | undefined): JobCounter | undefined {
  return value?.tag === 'unknown' ? 'unknown' : integerOf(value);
}

export function isTerminal(s: JobStatus): boolean {
  return s.state !== 'unknown' && TERMINAL.has(s.state);
}

export function jobStatusFrom(group: IppGroup): JobStatus {
  const get = (name: string) => group.attributes.find((x) => x.name === name);
  const state = integerOf(get('job-state')?.values[0]);
  const stateName = state === undefined ? undefined : enumName('job-state', state);
  return {
    jobId: integerOf(get('job-id')?.values[0]) ?? 0,
    jobUri: stringOf(get('job-uri')?.values[0]),
    state: JOB_STATE_NAMES.find((n) => n === stateName) ?? 'unknown',
    stateReasons: (get('job-state-reasons')?.values ?? []).map((v) => stringOf(v)).filter((s): s is string => s !== undefined),
    stateMessage: stringOf(get('job-state-message')?.values[0]),
    jobName: stringOf(get('job-name')?.values[0]),
    owner: stringOf(get('job-originating-user-name')?.values[0]),
    impressionsCompleted: counterOf(get('job-impressions-completed')?.values[0]),
    mediaSheetsCompleted: counterOf(get('job-media-sheets-completed')?.values[0]),
    pagesCompleted: counterOf(get('job-pages-completed')?.values[0]),
  };
}

function requireJobId(jobId: number): void {
  if (!Number.isInteger(jobId) || jobId < 1 || jobId > 0x7fffffff) throw new ClientError('CLIENT_BAD_INPUT', `job id must be an integer from 1 to 2147483647, got ${jobId}`);
}

export async function status(conn: Connection, jobId: number): Promise<JobStatus> {
  requireJobId(jobId);
  const req = getJobAttributesRequest({ printerUri: conn.printer, requestId: newRequestId(), userName: conn.userName ?? defaultUserName() }, jobId);
  const res = await exchange(conn, req, { what: `Get-Job-Attributes for job ${jobId}` });
  const group = findGroups(res.message, GroupTag.job)[0];
  if (!group) throw new ClientError('CLIENT_IPP_STATUS', `Get-Job-Attributes for job ${jobId}: the printer returned no job attributes`);
  const s = jobStatusFrom(group);
  return s.jobId === 0 ? { ...s, jobId } : s;
}

export async function jobs(conn: Connection, options: { which?: WhichJobs; myJobs?: boolean; limit?: number } = {}): Promise<JobStatus[]> {
  const req = getJobsRequest(
    { printerUri: conn.printer, requestId: newRequestId(), userName: conn.userName ?? defaultUserName() },
    options.which ?? 'not-completed',
    options.myJobs ?? false,
    options.limit,
  );
  const res = await exchange(conn, req, { what: 'Get-Jobs' });
  return findGroups(res.message, GroupTag.job).map(jobStatusFrom);
}

export async function cancel(conn: Connection, jobId: number): Promise<void> {
  requireJobId(jobId);
  const req = cancelJobRequest({ printerUri: conn.printer, requestId: newRequestId(), userName: conn.userName ?? defaultUserName() }, jobId);
  await exchange(conn, req, { what: `Cancel-Job for job ${jobId}` });
}

export interface FollowOptions {
  /** Give up after this long (default 10 minutes). */
  readonly timeoutMs?: number;
  /** First poll interval; doubles up to maxIntervalMs (default 100 ms → 1 s). */
  readonly intervalMs?: number;
  readonly maxIntervalMs?: number;
  readonly onStatus?: (s: JobStatus) => void;
}

/** Polls Get-Job-Attributes until the job is completed, aborted or canceled. */
/** Transient failures tolerated in a row while following an accepted job (0.25 + 0.5 + 1 + 2 s). */
const FOLLOW_RETRIES = 4;

export async function follow(conn: Connection, jobId: number, options: FollowOptions = {}): Promise<JobStatus> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let interval = options.intervalMs ?? 100;
  let last = '';
  let failures = 0;
  for (;;) {
    let s: JobStatus;
    try {
      s = await status(conn, jobId);
      failures = 0;
    } catch (err) {
      // The job was accepted: a server that is briefly unavailable (HTTP 503, server-error-busy,
      // a restart) must not read as a failed job. A few retries, then say what is known.
      const transient = err instanceof ClientError && (err.code === 'CLIENT_UNREACHABLE' || err.code === 'CLIENT_SERVER_BUSY' || (err.ippStatus !== undefined && (err.ippStatus === IppStatus.serverErrorServiceUnavailable || err.ippStatus === IppStatus.serverErrorBusy)));
      if (!transient || ++failures > FOLLOW_RETRIES || Date.now() > deadline) {
        if (err instanceof ClientError && transient) {
          throw new ClientError(err.code, `job ${jobId} was accepted by ${conn.printer}, but following it failed: ${err.message}; check it later with 'tno status ${jobId} --printer ${conn.printer}'`, { cause: err });
        }
        throw err;
      }
      await sleep(250 * 2 ** (failures - 1), undefined, conn.signal ? { signal: conn.signal } : undefined);
      continue;
    }
    const key = `${s.state} ${s.stateReasons.join(',')} ${s.impressionsCompleted ?? ''} ${s.stateMessage ?? ''}`;
    if (key !== last) options.onStatus?.(s);
    last = key;
    if (isTerminal(s)) return s;
    if (Date.now() + interval > deadline) {
      throw new ClientError('CLIENT_TIMEOUT', `job ${jobId} is still ${s.state} after ${Math.round((options.timeoutMs ?? 600_000) / 1000)} s; check it later with 'tno status'`);
    }
    await sleep(interval, undefined, conn.signal ? { signal: conn.signal } : undefined);
    interval = Math.min(interval * 2, options.maxIntervalMs ?? 1000);
  }
}

/** The job-id returned by a Print-Job or Create-Job response. */
export function jobIdFrom(message: IppMessage): number | undefined {
  return getInteger(message, GroupTag.job, 'job-id');
}
