/**
 * Ciphertext in PostgreSQL: each blob is a row in tno_blobs and its bytes are rows of
 * tno_blob_chunks (bytea, CHUNK bytes each). Writing inserts a chunk as soon as CHUNK bytes have
 * arrived and reading fetches one chunk per push, so memory stays at a few chunks per stream
 * whatever the document's size. A blob is "staged" until a job commits it in the same transaction
 * as the job row; staged blobs older than STALE (an upload cut off by a crash) are collected.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { IntermediaryError, IntermediaryErrorCode } from '../../errors.js';
import type { BlobStore, StagedBlob, WriteBlobOptions } from '../types.js';

/** 256 KiB: large enough that a row's overhead is negligible, small enough to keep memory flat. */
export const CHUNK = 256 * 1024;
/** An upload not committed within this long belongs to nobody (its instance died or gave up). */
export const STALE_MS = 60 * 60_000;

export class PgBlobStore implements BlobStore {
  constructor(
    private readonly pool: Pool,
    private readonly onChunk: () => void = () => {},
  ) {}

  async write(data: Readable, options: WriteBlobOptions): Promise<StagedBlob> {
    const token = randomBytes(16).toString('hex');
    await this.pool.query('INSERT INTO tno_blobs (token) VALUES ($1)', [token]);
    const hash = createHash('sha256');
    let size = 0;
    let seq = 0;
    let parts: Buffer[] = [];
    let pending = 0;
    const flush = async (all: boolean): Promise<void> => {
      while (pending >= CHUNK || (all && pending > 0)) {
        const joined = Buffer.concat(parts);
        const chunk = joined.subarray(0, Math.min(CHUNK, joined.length));
        const rest = joined.subarray(chunk.length);
        parts = rest.length ? [rest] : [];
        pending = rest.length;
        await this.pool.query('INSERT INTO tno_blob_chunks (token, seq, data) VALUES ($1, $2, $3)', [token, seq++, chunk]);
        this.onChunk();
      }
    };
    try {
      for await (const c of data) {
        const buf = c as Buffer;
        size += buf.length;
        if (size > options.maxBytes) {
          throw new IntermediaryError(IntermediaryErrorCode.limitExceeded, 'client-error-request-entity-too-large', `document data exceeds the limit of ${options.maxBytes} bytes`);
        }
        hash.update(buf);
        parts.push(buf);
        pending += buf.length;
        if (pending >= CHUNK) await flush(false);
      }
      await flush(true);
      const sha256 = hash.digest('hex');
      await this.pool.query('UPDATE tno_blobs SET size = $2, sha256 = $3 WHERE token = $1', [token, size, sha256]);
      return { token, size, sha256 };
    } catch (err) {
      await this.remove(token).catch(() => undefined);
      throw err;
    }
  }

  open(token: string): Readable {
    let seq = 0;
    const pool = this.pool;
    return new Readable({
      highWaterMark: 1,
      objectMode: false,
      read() {
        pool.query<{ data: Buffer }>('SELECT data FROM tno_blob_chunks WHERE token = $1 AND seq = $2', [token, seq]).then(
          (r) => {
            seq++;
            this.push(r.rows[0]?.data ?? null);
          },
          (err: Error) => this.destroy(err),
        );
      },
    });
  }

  async remove(token: string): Promise<void> {
    await this.pool.query('DELETE FROM tno_blobs WHERE token = $1', [token]);
  }

  /** Deletes staged blobs older than STALE_MS (uploads no instance will commit any more). */
  async collectStale(olderThanMs = STALE_MS): Promise<number> {
    const r = await this.pool.query(`DELETE FROM tno_blobs WHERE NOT committed AND created_at < now() - make_interval(secs => $1::double precision / 1000)`, [olderThanMs]);
    return r.rowCount ?? 0;
  }
}
