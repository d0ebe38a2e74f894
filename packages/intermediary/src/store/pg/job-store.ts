/**
 * The shared store: jobs, documents, forwarding state, output devices and delivery leases in one
 * PostgreSQL database, so several intermediary instances behind a load balancer serve one queue.
 *
 * - Records are the directory spool's JSON (spool/json.ts) in text columns; ciphertext is in chunk
 *   rows behind the BlobStore interface (blobs.ts).
 * - Every write that makes data visible is one transaction (job row + document rows + the blobs
 *   marked committed), so a job is wholly there or not, whichever instance dies when.
 * - `updateStatus` reads the row FOR UPDATE and writes the change in the same transaction: two
 *   instances updating one job run one after the other, each seeing the other's result.
 * - Each row remembers the transaction that last wrote it (xid8). `changes()` returns the rows
 *   written by other instances in transactions this instance has not yet seen: it keeps the xmin of
 *   the snapshot of its previous pull (every transaction below it had ended then) and reads rows
 *   whose xid is at or above it, in the same statement (so the same snapshot).
 * - Leases (tno_jobs.lease_holder/lease_until) give each job's delivery to one instance; free or
 *   expired ones are claimed in batches with FOR UPDATE SKIP LOCKED, so instances never wait on
 *   each other's claims.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import pg from 'pg';
import type { FailureThrottleOptions, SignInThrottle } from '@trustnoone/ipp-http';
import { IntermediaryError, IntermediaryErrorCode } from '../../errors.js';
import type { FaultHook } from '../../faults.js';
import type { OutputDevice } from '../../infra/devices.js';
import { fromJson, toJson } from '../../spool/json.js';
import { isTerminal, type JobStatus, type SpoolDocument, type SpoolJob } from '../../spool/types.js';
import type { CommitAdmission, DeviceStore, JobStore, LeaseStore, StagedBlob, StoreChanges, StoredJob, WriteBlobOptions } from '../types.js';
import { PgBlobStore } from './blobs.js';
import { PgEncryptedRequests } from './encrypted-requests.js';
import { PgEventLog } from './events.js';
import { checkSchema } from './migrations.js';
import { PgSignInThrottle } from './sign-in-throttle.js';
import { fromDatabase, unavailable } from './unavailable.js';
import { JOBS_CHANNEL, Wakeups } from './wakeups.js';

export interface PgStoreOptions {
  /** postgres:// URL (node-postgres connection string). */
  readonly url: string;
  /** Connections this instance may hold (default 20). */
  readonly maxConnections?: number;
  /** A name for this instance in the lease and writer columns (default: random). */
  readonly instance?: string;
  /** How long a tombstone of a deleted job stays for other instances to see (default 1 h). */
  readonly tombstoneMs?: number;
  /** Crash tests: upload.chunk is passed after each chunk row (faults.ts). */
  readonly faults?: FaultHook;
}

/** First key of the per-owner queue lock (any constant distinct from the migration lock). */
const QUEUE_LOCK = 0x746e6f71;

interface JobRow {
  id: string | null;
  job: string;
  status: string;
  deleted: boolean;
  xid: string;
}

export class PgJobStore implements JobStore {
  readonly pool: pg.Pool;
  readonly blobs: PgBlobStore;
  readonly instance: string;
  readonly leases: LeaseStore;
  readonly devices: DeviceStore;
  readonly infra: { readonly events: PgEventLog; readonly requests: PgEncryptedRequests };
  private readonly wakeups: Wakeups;
  /** xmin of the previous pull's snapshot: rows written below it were all seen. */
  private cursor = '0';
  /** The xid each job was last seen at, so a row re-read above the cursor is reported once. */
  private readonly seenAt = new Map<number, string>();

  constructor(private readonly o: PgStoreOptions) {
    this.pool = new pg.Pool({ connectionString: o.url, max: o.maxConnections ?? 20 });
    // A connection the server dropped (restart, failover) is replaced on the next query; the error
    // must not end the process.
    this.pool.on('error', () => undefined);
    this.instance = o.instance ?? randomUUID();
    this.blobs = new PgBlobStore(this.pool, () => o.faults?.hit('upload.chunk'));
    this.leases = new PgLeases(this.pool, this.instance);
    this.devices = new PgDevices(this.pool);
    this.wakeups = new Wakeups(o.url, this.instance);
    this.infra = { events: new PgEventLog(this.pool, this.wakeups), requests: new PgEncryptedRequests(this.pool, this.wakeups) };
  }

  async recover(): Promise<StoredJob[]> {
    await checkSchema(this.pool);
    await this.blobs.collectStale();
    await this.pool.query(`DELETE FROM tno_jobs WHERE deleted_at < now() - make_interval(secs => $1::double precision / 1000)`, [this.o.tombstoneMs ?? 3_600_000]);
    const { updated } = await this.pull(true);
    return [...updated].sort((a, b) => a.job.id - b.job.id);
  }

  changes(): Promise<StoreChanges> {
    return this.pull(false);
  }

  onChanged(listener: () => void): void {
    this.wakeups.onJobs(listener);
  }

  private async pull(everything: boolean): Promise<StoreChanges> {
    // One statement, so one snapshot: the rows and the xmin the next pull starts from agree.
    let rows: Array<JobRow & { snapshot_xmin: string }>;
    try {
      const r = await this.pool.query<JobRow & { snapshot_xmin: string }>(
        `WITH s AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS snapshot_xmin)
         SELECT s.snapshot_xmin, j.id::text, j.job, j.status, j.deleted_at IS NOT NULL AS deleted, j.xid::text
           FROM s LEFT JOIN tno_jobs j ON ${everything ? 'j.deleted_at IS NULL' : 'j.xid >= $1::xid8 AND j.written_by <> $2'}`,
        everything ? [] : [this.cursor, this.instance],
      );
      rows = r.rows;
    } catch (err) {
      throw unavailable(err);
    }
    this.cursor = rows[0]!.snapshot_xmin;
    const updated: StoredJob[] = [];
    const deleted: number[] = [];
    for (const r of rows) {
      if (r.id === null) continue; // the snapshot row alone: nothing changed
      const id = Number(r.id);
      if (!everything && this.seenAt.get(id) === r.xid) continue;
      this.seenAt.set(id, r.xid);
      if (r.deleted) {
        deleted.push(id);
        continue;
      }
      updated.push({ job: fromJson<SpoolJob>(r.job), status: fromJson<JobStatus>(r.status) });
    }
    return { updated, deleted };
  }

  async allocateJobId(): Promise<number> {
    const r = await this.pool.query<{ id: string }>("SELECT nextval('tno_job_ids')::text AS id");
    return Number(r.rows[0]!.id);
  }

  writeBlob(data: Readable, options: WriteBlobOptions): Promise<StagedBlob> {
    return this.blobs.write(data, options);
  }

  discard(blob: StagedBlob): Promise<void> {
    return this.blobs.remove(blob.token);
  }

  async commitJob(job: SpoolJob, status: JobStatus, blobs: readonly StagedBlob[], admission?: CommitAdmission): Promise<void> {
    if (blobs.length !== job.documents.length) throw new RangeError(`commitJob: ${job.documents.length} documents but ${blobs.length} blobs`);
    try {
      await this.tx(async (c) => {
        if (admission) await this.admitOwner(c, job.owner, admission.maxActivePerOwner);
        await c.query('INSERT INTO tno_jobs (id, job, status, terminal, written_by) VALUES ($1, $2, $3, $4, $5)', [job.id, toJson(job), toJson(status), isTerminal(status.state), this.instance]);
        for (const [i, blob] of blobs.entries()) await this.attach(c, job.id, job.documents[i]!.number, blob);
      });
    } catch (err) {
      for (const blob of blobs) await this.discard(blob).catch(() => undefined);
      throw err;
    }
  }

  signInThrottle(options?: FailureThrottleOptions): SignInThrottle {
    return new PgSignInThrottle(this.pool, options);
  }

  /**
   * The queue limit across instances: the owner's unfinished jobs are counted and this job inserted
   * under one per-owner transaction lock, so two instances admitting the same owner at once run one
   * after the other and the second sees the first's job.
   */
  private async admitOwner(c: pg.PoolClient, owner: string, max: number): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [QUEUE_LOCK, owner]);
    const r = await c.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM tno_jobs WHERE NOT terminal AND deleted_at IS NULL AND (job::jsonb ->> 'owner') = $1",
      [owner],
    );
    const active = r.rows[0]!.n;
    if (active >= max) {
      throw new IntermediaryError(
        IntermediaryErrorCode.limitExceeded,
        'server-error-too-many-jobs',
        `${owner} already has ${active} unfinished jobs on this service (limit ${max}); try again when some complete`,
      );
    }
  }

  addDocument(jobId: number, document: SpoolDocument, blob: StagedBlob | undefined, closed: boolean): Promise<SpoolJob> {
    return this.tx(async (c) => {
      const job = await this.lockJob(c, jobId);
      if (job.closed) throw new IntermediaryError(IntermediaryErrorCode.jobState, 'client-error-not-possible', `job ${jobId} is closed`);
      const next: SpoolJob = { ...job, documents: blob ? [...job.documents, document] : job.documents, closed: closed || job.closed };
      await c.query('UPDATE tno_jobs SET job = $2, written_by = $3, xid = pg_current_xact_id() WHERE id = $1', [jobId, toJson(next), this.instance]);
      if (blob) await this.attach(c, jobId, document.number, blob);
      return next;
    });
  }

  closeJob(jobId: number): Promise<SpoolJob> {
    return this.tx(async (c) => {
      const job = await this.lockJob(c, jobId);
      if (job.closed) return job;
      const next: SpoolJob = { ...job, closed: true };
      await c.query('UPDATE tno_jobs SET job = $2, written_by = $3, xid = pg_current_xact_id() WHERE id = $1', [jobId, toJson(next), this.instance]);
      return next;
    });
  }

  updateStatus(jobId: number, change: (s: JobStatus) => JobStatus): Promise<JobStatus> {
    return this.tx(async (c) => {
      const r = await c.query<{ status: string }>('SELECT status FROM tno_jobs WHERE id = $1 AND deleted_at IS NULL FOR UPDATE', [jobId]);
      if (!r.rows[0]) throw notFound(jobId);
      const next = change(fromJson<JobStatus>(r.rows[0].status));
      await c.query('UPDATE tno_jobs SET status = $2, terminal = $3, written_by = $4, xid = pg_current_xact_id() WHERE id = $1', [jobId, toJson(next), isTerminal(next.state), this.instance]);
      return next;
    });
  }

  openDocument(jobId: number, number: number): Readable {
    const blobs = this.blobs;
    const pool = this.pool;
    // The token is looked up when the stream is first read (openDocument answers synchronously).
    let inner: Readable | undefined;
    const out = new PassThrough({ highWaterMark: 64 * 1024 });
    pool.query<{ blob: string | null }>('SELECT blob FROM tno_documents WHERE job_id = $1 AND number = $2', [jobId, number]).then(
      (r) => {
        const token = r.rows[0]?.blob;
        if (!token) {
          out.destroy(new Error(`document ${number} of job ${jobId} holds no data`));
          return;
        }
        inner = blobs.open(token);
        inner.on('error', (e) => out.destroy(e));
        inner.pipe(out);
      },
      (err: Error) => out.destroy(err),
    );
    out.on('close', () => inner?.destroy());
    return out;
  }

  async delete(jobId: number): Promise<void> {
    await this.tx(async (c) => {
      await c.query('DELETE FROM tno_blobs WHERE token IN (SELECT blob FROM tno_documents WHERE job_id = $1 AND blob IS NOT NULL)', [jobId]);
      await c.query('DELETE FROM tno_documents WHERE job_id = $1', [jobId]);
      // A tombstone: other instances drop the job from their view when they pull it.
      await c.query('UPDATE tno_jobs SET deleted_at = now(), terminal = true, written_by = $2, xid = pg_current_xact_id() WHERE id = $1', [jobId, this.instance]);
    });
  }

  async dropDocumentData(jobId: number, number: number): Promise<void> {
    await this.pool.query('DELETE FROM tno_blobs WHERE token = (SELECT blob FROM tno_documents WHERE job_id = $1 AND number = $2)', [jobId, number]);
  }

  async close(): Promise<void> {
    await this.wakeups.close();
    await this.pool.end();
  }

  private async attach(c: pg.PoolClient, jobId: number, number: number, blob: StagedBlob): Promise<void> {
    const r = await c.query('UPDATE tno_blobs SET committed = true WHERE token = $1 AND NOT committed', [blob.token]);
    if (r.rowCount !== 1) throw new Error(`staged blob ${blob.token} is gone (collected as stale?)`);
    await c.query('INSERT INTO tno_documents (job_id, number, blob) VALUES ($1, $2, $3)', [jobId, number, blob.token]);
  }

  private async lockJob(c: pg.PoolClient, jobId: number): Promise<SpoolJob> {
    const r = await c.query<{ job: string }>('SELECT job FROM tno_jobs WHERE id = $1 AND deleted_at IS NULL FOR UPDATE', [jobId]);
    if (!r.rows[0]) throw notFound(jobId);
    return fromJson<SpoolJob>(r.rows[0].job);
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let c: pg.PoolClient;
    try {
      c = await this.pool.connect();
    } catch (err) {
      throw unavailable(err);
    }
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      // Delivered at COMMIT to the other instances' listening connections (store/pg/wakeups.ts).
      await c.query(`SELECT pg_notify('${JOBS_CHANNEL}', $1)`, [this.instance]);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      // The caller's own errors (a job not fetchable, a closed job) pass through unchanged.
      throw fromDatabase(err) ? unavailable(err) : err;
    } finally {
      c.release();
    }
  }
}

class PgLeases implements LeaseStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly instance: string,
  ) {}

  async claim(jobId: number, ttlMs: number): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE tno_jobs SET lease_holder = $2, lease_until = now() + make_interval(secs => $3::double precision / 1000)
        WHERE id = $1 AND NOT terminal AND deleted_at IS NULL AND (lease_holder IS NULL OR lease_holder = $2 OR lease_until < now())`,
      [jobId, this.instance, ttlMs],
    );
    return r.rowCount === 1;
  }

  async renew(jobId: number, ttlMs: number): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE tno_jobs SET lease_until = now() + make_interval(secs => $3::double precision / 1000) WHERE id = $1 AND lease_holder = $2`,
      [jobId, this.instance, ttlMs],
    );
    return r.rowCount === 1;
  }

  async release(jobId: number): Promise<void> {
    await this.pool.query('UPDATE tno_jobs SET lease_holder = NULL, lease_until = NULL WHERE id = $1 AND lease_holder = $2', [jobId, this.instance]);
  }

  async claimNext(limit: number, ttlMs: number): Promise<number[]> {
    const r = await this.pool.query<{ id: string }>(
      `UPDATE tno_jobs SET lease_holder = $1, lease_until = now() + make_interval(secs => $3::double precision / 1000)
        WHERE id IN (
          SELECT id FROM tno_jobs WHERE NOT terminal AND deleted_at IS NULL AND (lease_holder IS NULL OR lease_until < now())
          ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING id::text`,
      [this.instance, limit, ttlMs],
    );
    return r.rows.map((x) => Number(x.id)).sort((a, b) => a - b);
  }
}

class PgDevices implements DeviceStore {
  private readonly written = new Map<string, number>();
  constructor(private readonly pool: pg.Pool) {}

  async load(): Promise<OutputDevice[]> {
    const r = await this.pool.query<{ record: string }>('SELECT record FROM tno_devices');
    return r.rows.map((x) => fromJson<OutputDevice>(x.record));
  }

  async put(device: OutputDevice): Promise<void> {
    await this.pool.query('INSERT INTO tno_devices (uuid, record) VALUES ($1, $2) ON CONFLICT (uuid) DO UPDATE SET record = EXCLUDED.record', [device.uuid, toJson(device)]);
  }

  async remove(uuid: string): Promise<void> {
    await this.pool.query('DELETE FROM tno_devices WHERE uuid = $1', [uuid]);
  }

  /** At most one write per device per `everyMs` from this instance: devices poll often. */
  async seen(uuid: string, everyMs: number): Promise<void> {
    const now = Date.now();
    if (now - (this.written.get(uuid) ?? 0) < everyMs) return;
    this.written.set(uuid, now);
    await this.pool.query('UPDATE tno_devices SET seen_at = now() WHERE uuid = $1', [uuid]);
  }

  async lastSeen(): Promise<ReadonlyMap<string, number>> {
    const r = await this.pool.query<{ uuid: string; ms: string }>('SELECT uuid, (extract(epoch FROM seen_at) * 1000)::bigint::text AS ms FROM tno_devices WHERE seen_at IS NOT NULL');
    return new Map(r.rows.map((x) => [x.uuid, Number(x.ms)]));
  }
}


function notFound(jobId: number): IntermediaryError {
  return new IntermediaryError(IntermediaryErrorCode.jobNotFound, 'client-error-not-found', `job ${jobId} is not in the store`);
}
