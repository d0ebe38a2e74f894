/**
 * Owners' Get-Encrypted-Job-Attributes requests in the shared store (the `EncryptedRequestLog` of
 * infra/encrypted-requests.ts): the owner's HTTP request waits at the instance it reached while the
 * job's output device fetches and answers through any instance. The answer is sealed to the owner
 * (ciphertext, bounded by maxEncryptedAnswerBytes before it gets here) and its row is deleted when
 * the owner's wait ends, answered or not.
 */
import type pg from 'pg';
import type { EncryptedAnswer, EncryptedRequest, EncryptedRequestLog } from '../../infra/encrypted-requests.js';
import { fromJson, toJson } from '../../spool/json.js';
import { query } from './unavailable.js';
import { WAKE_CHANNEL, type Wakeups } from './wakeups.js';

interface RequestRow {
  id: string;
  job_id: string;
  device: string;
  queue: string;
  operation: string;
  created_ms: string;
  fetched: boolean;
}

const COLUMNS = 'id::text, job_id::text, device, queue, operation, (extract(epoch FROM created_at) * 1000)::bigint::text AS created_ms, fetched';

const toRequest = (r: RequestRow): EncryptedRequest => ({
  id: Number(r.id),
  jobId: Number(r.job_id),
  device: r.device,
  queue: r.queue,
  operation: fromJson(r.operation),
  createdAt: Number(r.created_ms),
  fetched: r.fetched,
});

export class PgEncryptedRequests implements EncryptedRequestLog {
  private readonly closing = new AbortController();

  constructor(
    private readonly pool: pg.Pool,
    private readonly wake: Wakeups,
    private readonly pollMs = 500,
    private readonly maxPending = 256,
    /** Rows of an instance that died while its owner waited are removed after this long. */
    private readonly staleMs = 600_000,
  ) {}

  async countFor(queue: string): Promise<number> {
    const r = await query<{ n: number }>(this.pool, 'SELECT count(*)::int AS n FROM tno_encrypted_requests WHERE queue = $1 AND answer IS NULL', [queue]);
    return r.rows[0]?.n ?? 0;
  }

  async open(fields: Omit<EncryptedRequest, 'id' | 'createdAt' | 'fetched'>, timeoutMs: number, onCreated: (request: EncryptedRequest) => void): Promise<EncryptedAnswer | undefined> {
    if (this.closing.signal.aborted) return undefined;
    await query(this.pool, `DELETE FROM tno_encrypted_requests WHERE created_at < now() - make_interval(secs => $1::double precision / 1000)`, [this.staleMs]);
    const r = await query<RequestRow>(
      this.pool,
      `INSERT INTO tno_encrypted_requests (job_id, device, queue, operation)
       SELECT $1, $2, $3, $4 WHERE (SELECT count(*) FROM tno_encrypted_requests) < $5
       RETURNING ${COLUMNS}`,
      [fields.jobId, fields.device, fields.queue, toJson(fields.operation), this.maxPending],
    );
    if (!r.rows[0]) return undefined;
    const request = toRequest(r.rows[0]);
    try {
      onCreated(request);
      let answer: EncryptedAnswer | undefined;
      await this.wake.until(
        async () => {
          const a = await query<{ answer: string | null; sealed: Buffer | null }>(this.pool, 'SELECT answer, sealed FROM tno_encrypted_requests WHERE id = $1', [request.id]);
          const row = a.rows[0];
          if (!row) return true; // dropped
          if (row.answer === null) return false;
          const head = fromJson<Omit<EncryptedAnswer, 'sealed'>>(row.answer);
          answer = { ...head, sealed: new Uint8Array(row.sealed ?? Buffer.alloc(0)) };
          return true;
        },
        timeoutMs,
        this.pollMs,
        this.closing.signal,
      );
      return answer;
    } finally {
      await query(this.pool, 'DELETE FROM tno_encrypted_requests WHERE id = $1', [request.id]).catch(() => undefined);
    }
  }

  async get(id: number): Promise<EncryptedRequest | undefined> {
    const r = await query<RequestRow>(this.pool, `SELECT ${COLUMNS} FROM tno_encrypted_requests WHERE id = $1 AND answer IS NULL`, [id]);
    return r.rows[0] ? toRequest(r.rows[0]) : undefined;
  }

  async forDevice(device: string): Promise<EncryptedRequest[]> {
    const r = await query<RequestRow>(this.pool, `SELECT ${COLUMNS} FROM tno_encrypted_requests WHERE device = $1 AND answer IS NULL ORDER BY id`, [device]);
    return r.rows.map(toRequest);
  }

  async markFetched(id: number): Promise<void> {
    await query(this.pool, 'UPDATE tno_encrypted_requests SET fetched = true WHERE id = $1', [id]);
  }

  async answer(id: number, answer: EncryptedAnswer): Promise<boolean> {
    const { sealed, ...head } = answer;
    const r = await query(
      this.pool,
      `WITH u AS (UPDATE tno_encrypted_requests SET answer = $2, sealed = $3 WHERE id = $1 AND answer IS NULL RETURNING id)
       SELECT pg_notify('${WAKE_CHANNEL}', '') FROM u`,
      [id, toJson(head), Buffer.from(sealed)],
    );
    const delivered = (r.rowCount ?? 0) > 0;
    if (delivered) this.wake.wakeAll();
    return delivered;
  }

  close(): void {
    this.closing.abort();
  }
}
