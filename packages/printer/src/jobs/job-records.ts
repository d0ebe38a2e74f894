/**
 * jobs/<id>/job.json: what the printer must know about a job that has not ended yet to carry it
 * through a restart (issue 12 "acknowledged means printed"). Written from the job's creation on,
 * before each answer that acknowledges something, and superseded by manifest.json once the job
 * ends (jobs/manifest.ts). It holds routing facts only — id, owner, the name shown in clear,
 * the Job Template sent in clear, which documents were accepted — never sealed content; the
 * sealed documents themselves wait as received ciphertext in jobs/<id>/spool/ (job-recovery.ts).
 *
 * Each write replaces the file atomically (temp file, fsync, rename, fsync of the directory), so a
 * power cut leaves the previous version or the new one, never a mix.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileDurably } from '@trustnoone/ipp-http/durable-file';
import { GroupTag, messageFromJson, messageToJson, type IppAttribute } from '@trustnoone/ipp';
import type { JsonAttribute } from '@trustnoone/ipp';
import { jobPaths, type StateLayout } from '../state/state-dir.js';
import type { Job } from './job.js';

const MAX_RECORD_BYTES = 256 * 1024;

/** How one document arrived: enough to open its ciphertext again exactly as it was opened. */
export interface RecordedDocument {
  readonly number: number;
  readonly operation: 'Print-Job' | 'Send-Document';
  /** Outer last-document (Print-Job: true). */
  readonly last: boolean;
  readonly sealed: boolean;
}

export interface JobRecord {
  readonly version: 1;
  readonly jobId: number;
  readonly jobUuid: string;
  readonly owner: string;
  readonly clearName: string;
  readonly createdAt: number;
  readonly documentFormat: string;
  /** Job Template attributes sent in clear with the creation request (RFC 8011 §5.2). */
  readonly clearTemplate: readonly JsonAttribute[];
  /** Documents accepted and acknowledged, in order. */
  readonly documents: readonly RecordedDocument[];
  /** A document being received (its bytes may be incomplete). */
  readonly incoming: RecordedDocument | null;
  /**
   * The replay-cache key this job claimed (profile replayKey), written before the claim so a
   * restart can open the job's own ciphertext again without reading it as a replay.
   */
  readonly replayKey: string | null;
  /** Close-Job (or a last document) was received. */
  readonly closed: boolean;
}

export function recordFile(layout: StateLayout, id: number): string {
  return `${jobPaths(layout, id).dir}/job.json`;
}

/** Reads a record; undefined when absent or not one of ours (a foreign file is never trusted). */
export async function readJobRecord(layout: StateLayout, id: number): Promise<JobRecord | undefined> {
  let text: string;
  try {
    text = await readFile(recordFile(layout, id), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (text.length > MAX_RECORD_BYTES) return undefined;
  try {
    const r = JSON.parse(text) as JobRecord;
    return r.version === 1 && r.jobId === id && typeof r.owner === 'string' && Array.isArray(r.documents) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The clear Job Template of a record, as IPP attributes again. */
export function recordTemplate(r: JobRecord): IppAttribute[] {
  if (r.clearTemplate.length === 0) return [];
  const m = messageFromJson({ version: '2.0', code: 0, requestId: 1, groups: [{ tag: GroupTag.job, attributes: r.clearTemplate }] });
  return [...(m.groups[0]?.attributes ?? [])];
}

/** Keeps each live job's record and writes it durably, one write at a time per job. */
export class JobRecords {
  readonly #records = new Map<number, JobRecord>();
  readonly #queues = new Map<number, Promise<void>>();

  constructor(private readonly layout: StateLayout) {}

  /** The job exists: its first record (before Create-Job or Print-Job is answered or read further). */
  created(job: Job, clearTemplate: readonly IppAttribute[], incoming?: RecordedDocument): Promise<void> {
    const template = clearTemplate.length
      ? messageToJson({ version: { major: 2, minor: 0 }, code: 0, requestId: 1, groups: [{ tag: GroupTag.job, attributes: clearTemplate }] }).groups[0]!.attributes
      : [];
    return this.#put({
      version: 1,
      jobId: job.id,
      jobUuid: job.uuid,
      owner: job.owner,
      clearName: job.clearName,
      createdAt: job.timings.createdAt,
      documentFormat: job.documentFormat,
      clearTemplate: template,
      documents: [],
      incoming: incoming ?? null,
      replayKey: null,
      closed: false,
    });
  }

  /** Adopts a record read back at start (job-recovery.ts). */
  adopt(record: JobRecord): void {
    this.#records.set(record.jobId, record);
  }

  /** A document starts to arrive. */
  incoming(job: Job, doc: RecordedDocument): Promise<void> {
    return this.#change(job.id, (r) => ({ ...r, incoming: doc }));
  }

  /** The job claims `key` in the replay cache (written before the claim is made). */
  claiming(job: Job, key: string): Promise<void> {
    return this.#change(job.id, (r) => ({ ...r, replayKey: key }));
  }

  /** A document was accepted; written before the acknowledgement. */
  accepted(job: Job, doc: RecordedDocument): Promise<void> {
    return this.#change(job.id, (r) => ({
      ...r,
      documents: [...r.documents.filter((d) => d.number !== doc.number), doc],
      incoming: null,
      closed: r.closed || doc.last,
    }));
  }

  /** Replaces the record of a job carried through a restart with what was recovered. */
  recovered(record: JobRecord): Promise<void> {
    return this.#put(record);
  }

  closed(job: Job): Promise<void> {
    return this.#change(job.id, (r) => ({ ...r, closed: true }));
  }

  /** The job ended (its manifest is written): the record is no longer needed in memory. */
  ended(id: number): void {
    this.#records.delete(id);
  }

  get(id: number): JobRecord | undefined {
    return this.#records.get(id);
  }

  #change(id: number, f: (r: JobRecord) => JobRecord): Promise<void> {
    const r = this.#records.get(id);
    // A job without a record predates this module's start (none since creation writes one).
    if (!r) return Promise.resolve();
    return this.#put(f(r));
  }

  #put(record: JobRecord): Promise<void> {
    this.#records.set(record.jobId, record);
    const prev = this.#queues.get(record.jobId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => writeDurably(recordFile(this.layout, record.jobId), `${JSON.stringify(this.#records.get(record.jobId) ?? record)}\n`));
    this.#queues.set(record.jobId, next);
    void next.finally(() => {
      if (this.#queues.get(record.jobId) === next) this.#queues.delete(record.jobId);
    }).catch(() => undefined);
    return next;
  }
}

/** Replaces `file` atomically and durably (one writer per job: the record's queue). */
export async function writeDurably(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileDurably(file, text);
}
