/**
 * The job nonces this client sealed, by printer URI and job-id (issue 11.4): a sealed
 * Get-Encrypted-Job-Attributes answer names the job it describes by that nonce (its sealed
 * job-uuid), the only job identity that is the same on every hop and that no relay can choose.
 * One small file per job under STATE/sealed-jobs/, named by a hash of the URI and job-id, so
 * concurrent `tno print` runs never write the same file.
 *
 * Records do not pile up: once the client has seen a job end (`tno print` following it, `tno
 * status`), its record says when, and each new sealed job removes the records of jobs that ended
 * more than `ENDED_RETENTION_MS` ago, and of any job recorded more than `RECORD_RETENTION_MS` ago
 * (its end never seen). Asking about a pruned job still works; the answer is then reported as not
 * checked against the job, as for a job printed from another machine.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirectory } from './state-dir.js';

/** A job seen ending is forgotten this long after its end (7 days: printers keep history less). */
export const ENDED_RETENTION_MS = 7 * 24 * 3600_000;
/** Any record is forgotten this long after the job was sealed, its end seen or not (90 days). */
export const RECORD_RETENTION_MS = 90 * 24 * 3600_000;
/** At most this many records are looked at per pruning pass, so one print never stalls on it. */
const PRUNE_SCAN_MAX = 2000;

interface SealedJobRecord {
  readonly printerUri: string;
  readonly jobId: number;
  readonly jobNonce: string;
  /** When the job was sealed (ISO 8601). */
  readonly at: string;
  /** When this client saw the job in a terminal state (ISO 8601). */
  readonly endedAt?: string;
}

const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function fileOf(stateDir: string, printerUri: string, jobId: number): string {
  const key = createHash('sha256').update(`${printerUri}\n${jobId}`).digest('hex').slice(0, 32);
  return join(stateDir, 'sealed-jobs', `${key}.json`);
}

/** Records the nonce sealed into job `jobId` at `printerUri` (the URI the client printed to). */
export async function rememberSealedJob(stateDir: string, printerUri: string, jobId: number, jobNonce: string): Promise<void> {
  const file = fileOf(stateDir, printerUri, jobId);
  await makeDirectory(join(stateDir, 'sealed-jobs'));
  await writeRecord(file, { printerUri, jobId, jobNonce: jobNonce.toLowerCase(), at: new Date().toISOString() });
  await pruneSealedJobs(stateDir).catch(() => undefined);
}

async function writeRecord(file: string, record: SealedJobRecord): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

async function readRecord(file: string): Promise<SealedJobRecord | undefined> {
  try {
    const r = JSON.parse(await readFile(file, 'utf8')) as Partial<SealedJobRecord>;
    if (typeof r.printerUri !== 'string' || typeof r.jobId !== 'number' || typeof r.jobNonce !== 'string' || typeof r.at !== 'string') return undefined;
    return r as SealedJobRecord;
  } catch {
    return undefined;
  }
}

/**
 * Notes that the job has ended (the client saw it canceled, aborted or completed), so its record
 * can be pruned once `ENDED_RETENTION_MS` have passed. Nothing happens for a job not recorded.
 */
export async function noteSealedJobEnded(stateDir: string, printerUri: string, jobId: number, now = Date.now()): Promise<void> {
  const file = fileOf(stateDir, printerUri, jobId);
  const r = await readRecord(file);
  if (!r || r.printerUri !== printerUri || r.jobId !== jobId || r.endedAt !== undefined) return;
  await writeRecord(file, { ...r, endedAt: new Date(now).toISOString() });
}

/**
 * Removes the records of jobs that ended more than `ENDED_RETENTION_MS` ago and of jobs sealed
 * more than `RECORD_RETENTION_MS` ago; returns how many were removed. Unreadable files are left.
 */
export async function pruneSealedJobs(stateDir: string, now = Date.now()): Promise<number> {
  const dir = join(stateDir, 'sealed-jobs');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^[0-9a-f]{32}\.json$/.test(n)).slice(0, PRUNE_SCAN_MAX);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    const r = await readRecord(join(dir, name));
    if (!r) continue;
    const ended = r.endedAt !== undefined && now - Date.parse(r.endedAt) > ENDED_RETENTION_MS;
    const old = now - Date.parse(r.at) > RECORD_RETENTION_MS;
    if (ended || old) {
      await rm(join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}

/** The nonce this client sealed into that job, or undefined when it did not print it. */
export async function sealedJobNonce(stateDir: string, printerUri: string, jobId: number): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(fileOf(stateDir, printerUri, jobId), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const r = JSON.parse(text) as { printerUri?: unknown; jobId?: unknown; jobNonce?: unknown };
    if (r.printerUri !== printerUri || r.jobId !== jobId || typeof r.jobNonce !== 'string' || !URN_UUID.test(r.jobNonce)) return undefined;
    return r.jobNonce;
  } catch {
    return undefined;
  }
}
