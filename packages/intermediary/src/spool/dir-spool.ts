/**
 * The embedded spool: one directory per job under `<root>/jobs/<id>/` holding `job.json` (what the
 * client submitted: cleartext routing attributes and the document list), `status.json` (forwarding
 * progress and mirrored state) and `doc-<n>.blob` (the opaque document bytes, never interpreted).
 *
 * Commit protocol (the only ways data becomes visible):
 * - new job: blobs are streamed to `<root>/tmp/` and fsynced; a job directory is assembled under
 *   `tmp/`, its files and the directory fsynced, then renamed to `jobs/<id>` and `jobs/` fsynced.
 *   A crash before the rename leaves only tmp/ state, which recovery deletes.
 * - new document: the blob is renamed to `jobs/<id>/doc-<n>.blob`, then `job.json` is replaced
 *   atomically. A blob not listed in job.json is uncommitted; recovery deletes it.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { IntermediaryError, IntermediaryErrorCode } from '../errors.js';
import { noFaults, type FaultHook } from '../faults.js';
import { fsyncDir, writeFileAtomic } from './fs-atomic.js';
import { fromJson, toJson } from './json.js';
import type { JobStatus, Spool, SpoolDocument, SpoolJob, StagedBlob, WriteBlobOptions } from './types.js';

const JOB_DIR = /^[1-9][0-9]{0,9}$/;
// 256 KiB: few enough syscalls, and 200 concurrent uploads hold at most ~50 MiB in batches.
const WRITE_BATCH = 256 * 1024;
const DOC_FILE = /^doc-([1-9][0-9]{0,9})\.blob$/;

export interface DirectorySpoolOptions {
  readonly root: string;
  readonly faults?: FaultHook;
}

export class DirectorySpool implements Spool {
  readonly root: string;
  private readonly jobsDir: string;
  private readonly tmpDir: string;
  private readonly faults: FaultHook;
  private nextId = 1;
  /** Job directories recovery could not read, moved to `<root>/quarantine/` (for logs and tests). */
  readonly quarantined: Array<{ job: string; reason: string; movedTo: string }> = [];
  /** Serialises read-modify-write of one job's files. */
  private readonly locks = new Map<number, Promise<unknown>>();

  constructor(options: DirectorySpoolOptions) {
    this.root = options.root;
    this.jobsDir = join(options.root, 'jobs');
    this.tmpDir = join(options.root, 'tmp');
    this.faults = options.faults ?? noFaults;
  }

  async recover(): Promise<Array<{ job: SpoolJob; status: JobStatus }>> {
    await mkdir(this.jobsDir, { recursive: true, mode: 0o700 });
    // Everything in tmp/ is by construction uncommitted: partial uploads and unrenamed job dirs.
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    await fsyncDir(this.root);
    const out: Array<{ job: SpoolJob; status: JobStatus }> = [];
    for (const name of await readdir(this.jobsDir)) {
      const dir = join(this.jobsDir, name);
      if (!JOB_DIR.test(name)) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      let job: SpoolJob;
      let status: JobStatus;
      try {
        job = fromJson<SpoolJob>(await readFile(join(dir, 'job.json'), 'utf8'));
        status = fromJson<JobStatus>(await readFile(join(dir, 'status.json'), 'utf8'));
        if (job.id !== Number(name) || !Array.isArray(job.documents) || typeof status.state !== 'number') throw new Error('records do not describe this job');
      } catch (err) {
        // Our writes cannot leave this behind (every record is replaced atomically), but a damaged
        // disk or a hand edit can: keep the bytes for a person to look at, and serve the rest.
        const aside = join(this.root, 'quarantine', `${name}-${Date.now()}`);
        await mkdir(join(this.root, 'quarantine'), { recursive: true, mode: 0o700 });
        await rename(dir, aside);
        this.quarantined.push({ job: name, reason: (err as Error).message, movedTo: aside });
        continue;
      }
      const listed = new Set(job.documents.map((d) => d.number));
      for (const f of await readdir(dir)) {
        const m = DOC_FILE.exec(f);
        // A document renamed in but not yet listed in job.json was never acknowledged: drop it.
        if ((m && !listed.has(Number(m[1]))) || f.endsWith('.tmp')) await unlink(join(dir, f));
      }
      this.nextId = Math.max(this.nextId, job.id + 1);
      out.push({ job, status });
    }
    out.sort((a, b) => a.job.id - b.job.id);
    return out;
  }

  allocateJobId(): Promise<number> {
    return Promise.resolve(this.nextId++);
  }

  async writeBlob(data: Readable, options: WriteBlobOptions): Promise<StagedBlob> {
    const token = randomBytes(12).toString('hex');
    const path = join(this.tmpDir, `${token}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const fh = await open(path, 'wx', 0o600);
    // Socket chunks are small (16–64 KiB); gathering them into WRITE_BATCH writev calls cuts the
    // number of thread-pool round trips several times over.
    let batch: Buffer[] = [];
    let batched = 0;
    const flush = async (): Promise<void> => {
      if (batched === 0) return;
      const parts = batch;
      batch = [];
      batched = 0;
      await fh.writev(parts);
      this.faults.hit('upload.chunk');
    };
    try {
      for await (const chunk of data) {
        const buf = chunk as Buffer;
        size += buf.length;
        if (size > options.maxBytes) {
          throw new IntermediaryError(
            IntermediaryErrorCode.limitExceeded,
            'client-error-request-entity-too-large',
            `document data exceeds the limit of ${options.maxBytes} bytes`,
          );
        }
        hash.update(buf);
        batch.push(buf);
        batched += buf.length;
        if (batched >= WRITE_BATCH) await flush();
      }
      await flush();
      await fh.sync();
    } catch (err) {
      await fh.close().catch(() => {});
      await unlink(path).catch(() => {});
      throw err;
    }
    await fh.close();
    this.faults.hit('upload.synced');
    return { token, size, sha256: hash.digest('hex') };
  }

  async discard(blob: StagedBlob): Promise<void> {
    await unlink(join(this.tmpDir, `${blob.token}.part`)).catch(() => {});
  }

  async commitJob(job: SpoolJob, status: JobStatus, blobs: readonly StagedBlob[]): Promise<void> {
    if (blobs.length !== job.documents.length) throw new RangeError(`commitJob: ${job.documents.length} documents but ${blobs.length} blobs`);
    const staging = join(this.tmpDir, `job-${job.id}-${randomUUID()}`);
    try {
      await mkdir(staging, { mode: 0o700 });
      for (const [i, blob] of blobs.entries()) {
        await rename(join(this.tmpDir, `${blob.token}.part`), join(staging, `doc-${job.documents[i]!.number}.blob`));
      }
      await writeFileAtomic(join(staging, 'job.json'), toJson(job), false);
      await writeFileAtomic(join(staging, 'status.json'), toJson(status), false);
      await fsyncDir(staging);
      this.faults.hit('commit.staged');
      await rename(staging, join(this.jobsDir, String(job.id)));
    } catch (err) {
      // Not committed (a full disk, most likely): no half-built job directory stays in tmp/, and
      // the staged blobs go with it (the caller answers the client that nothing was accepted).
      await rm(staging, { recursive: true, force: true }).catch(() => {});
      for (const blob of blobs) await this.discard(blob);
      throw err;
    }
    this.faults.hit('commit.renamed');
    await fsyncDir(this.jobsDir);
  }

  addDocument(jobId: number, document: SpoolDocument, blob: StagedBlob | undefined, closed: boolean): Promise<SpoolJob> {
    return this.withLock(jobId, async () => {
      const dir = this.jobDir(jobId);
      const job = await this.readJob(jobId);
      if (job.closed) throw new IntermediaryError(IntermediaryErrorCode.jobState, 'client-error-not-possible', `job ${jobId} is closed`);
      const placed = join(dir, `doc-${document.number}.blob`);
      try {
        if (blob) {
          await rename(join(this.tmpDir, `${blob.token}.part`), placed);
          await fsyncDir(dir);
        }
        const next: SpoolJob = { ...job, documents: blob ? [...job.documents, document] : job.documents, closed: closed || job.closed };
        this.faults.hit('commit.staged');
        await writeFileAtomic(join(dir, 'job.json'), toJson(next));
        this.faults.hit('commit.renamed');
        return next;
      } catch (err) {
        // Not listed in job.json, so not committed: remove it now rather than at the next start.
        if (blob) await unlink(placed).catch(() => {});
        throw err;
      }
    });
  }

  closeJob(jobId: number): Promise<SpoolJob> {
    return this.withLock(jobId, async () => {
      const job = await this.readJob(jobId);
      if (job.closed) return job;
      const next: SpoolJob = { ...job, closed: true };
      await writeFileAtomic(join(this.jobDir(jobId), 'job.json'), toJson(next));
      return next;
    });
  }

  /** Replaces the status record outright. */
  async saveStatus(jobId: number, status: JobStatus): Promise<void> {
    await this.updateStatus(jobId, () => status, status);
  }

  /** One process owns the directory, so the caller's cached status is the stored one. */
  updateStatus(jobId: number, change: (s: JobStatus) => JobStatus, cached?: JobStatus): Promise<JobStatus> {
    return this.withLock(jobId, async () => {
      const current = cached ?? fromJson<JobStatus>(await readFile(join(this.jobDir(jobId), 'status.json'), 'utf8'));
      const next = change(current);
      await writeFileAtomic(join(this.jobDir(jobId), 'status.json'), toJson(next));
      return next;
    });
  }

  openDocument(jobId: number, number: number): Readable {
    return createReadStream(join(this.jobDir(jobId), `doc-${number}.blob`), { highWaterMark: WRITE_BATCH });
  }

  async dropDocumentData(jobId: number, number: number): Promise<void> {
    await unlink(join(this.jobDir(jobId), `doc-${number}.blob`)).catch(() => {});
  }

  async delete(jobId: number): Promise<void> {
    // Rename first so a crash mid-delete never leaves a job dir without its job.json.
    const doomed = join(this.tmpDir, `deleted-${jobId}-${randomUUID()}`);
    await this.withLock(jobId, async () => {
      await rename(this.jobDir(jobId), doomed);
      await fsyncDir(this.jobsDir);
    });
    await rm(doomed, { recursive: true, force: true });
  }

  private jobDir(jobId: number): string {
    if (!Number.isSafeInteger(jobId) || jobId < 1) throw new RangeError(`job id must be a positive integer, got ${jobId}`);
    return join(this.jobsDir, String(jobId));
  }

  private async readJob(jobId: number): Promise<SpoolJob> {
    try {
      return fromJson<SpoolJob>(await readFile(join(this.jobDir(jobId), 'job.json'), 'utf8'));
    } catch (err) {
      throw new IntermediaryError(IntermediaryErrorCode.jobNotFound, 'client-error-not-found', `job ${jobId} is not in the spool`, { cause: err });
    }
  }

  private withLock<T>(jobId: number, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(jobId) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    this.locks.set(jobId, tail);
    void tail.then(() => {
      if (this.locks.get(jobId) === tail) this.locks.delete(jobId);
    });
    return run;
  }
}
