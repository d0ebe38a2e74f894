/**
 * The shared store's schema, as numbered migrations applied in order by `tno intermediary migrate`
 * (never implicitly by a server start: several instances starting at once must not race to change
 * the schema, and an operator decides when it changes). A server refuses to start against a
 * database whose schema is older (migrate first) or newer (this code is older than the database:
 * upgrade it rather than write records it does not understand).
 */
import type { Pool, PoolClient } from 'pg';
import { IntermediaryError, IntermediaryErrorCode } from '../../errors.js';

interface Migration {
  readonly version: number;
  readonly what: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    what: 'jobs, documents, ciphertext chunks, output devices, delivery leases',
    sql: `
      CREATE SEQUENCE tno_job_ids;
      -- One row per job: what the client submitted and where it stands (JSON text, cleartext
      -- routing attributes only), who delivers it (lease) and which transaction wrote it last
      -- (xid: other instances pull rows whose writer they have not seen yet).
      CREATE TABLE tno_jobs (
        id bigint PRIMARY KEY,
        job text NOT NULL,
        status text NOT NULL,
        terminal boolean NOT NULL DEFAULT false,
        deleted_at timestamptz,
        written_by text NOT NULL,
        xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        lease_holder text,
        lease_until timestamptz
      );
      CREATE INDEX tno_jobs_xid ON tno_jobs (xid);
      CREATE INDEX tno_jobs_deliverable ON tno_jobs (id) WHERE NOT terminal AND deleted_at IS NULL;
      -- Opaque document data in chunks (streamed in and out with bounded memory).
      CREATE TABLE tno_blobs (
        token text PRIMARY KEY,
        size bigint NOT NULL DEFAULT 0,
        sha256 text,
        committed boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE tno_blob_chunks (
        token text NOT NULL REFERENCES tno_blobs (token) ON DELETE CASCADE,
        seq integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (token, seq)
      );
      CREATE TABLE tno_documents (
        job_id bigint NOT NULL REFERENCES tno_jobs (id) ON DELETE CASCADE,
        number integer NOT NULL,
        blob text REFERENCES tno_blobs (token) ON DELETE SET NULL,
        PRIMARY KEY (job_id, number)
      );
      CREATE TABLE tno_devices (
        uuid text PRIMARY KEY,
        record text NOT NULL,
        seen_at timestamptz
      );
    `,
  },
  {
    version: 2,
    what: 'INFRA subscriptions, their events and encrypted job attribute requests, shared by instances',
    sql: `
      -- ippget subscriptions (RFC 3995): next_seq is the next event's number, assigned under the
      -- row lock of the UPDATE that numbers an event, so every instance sees one sequence.
      CREATE TABLE tno_subscriptions (
        id bigserial PRIMARY KEY,
        device text NOT NULL,
        queue text NOT NULL,
        events text[] NOT NULL,
        next_seq integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE tno_events (
        subscription_id bigint NOT NULL REFERENCES tno_subscriptions (id) ON DELETE CASCADE,
        sequence integer NOT NULL,
        record text NOT NULL,
        at bigint NOT NULL,
        PRIMARY KEY (subscription_id, sequence)
      );
      -- An owner's Get-Encrypted-Job-Attributes waiting for the device's answer (sealed to the owner).
      CREATE TABLE tno_encrypted_requests (
        id bigserial PRIMARY KEY,
        job_id bigint NOT NULL,
        device text NOT NULL,
        queue text NOT NULL,
        operation text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        fetched boolean NOT NULL DEFAULT false,
        answer text,
        sealed bytea
      );
    `,
  },
  {
    version: 3,
    what: 'sign-in failure counters and the per-owner queue index, so limits hold across instances',
    sql: `
      -- Wrong-password counters per user name (kind 'user') and per client address ('address'):
      -- one row per key, changed under its row lock, so failures at any instance add up.
      CREATE TABLE tno_auth_failures (
        kind text NOT NULL,
        key text NOT NULL,
        failures integer NOT NULL,
        open_at bigint NOT NULL,
        last bigint NOT NULL,
        PRIMARY KEY (kind, key)
      );
      CREATE INDEX tno_auth_failures_last ON tno_auth_failures (last);
      -- An address that signed in as a user is not held back by that user's failures elsewhere.
      CREATE TABLE tno_auth_known_good (
        username text NOT NULL,
        address text NOT NULL,
        until bigint NOT NULL,
        PRIMARY KEY (username, address)
      );
      -- The queue limit counts an owner's unfinished jobs at commit time.
      CREATE INDEX tno_jobs_active_owner ON tno_jobs (((job::jsonb) ->> 'owner')) WHERE NOT terminal AND deleted_at IS NULL;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
/** Any constant: serialises concurrent `migrate` runs against one database. */
const MIGRATE_LOCK = 0x746e6f31;

async function currentVersion(c: Pool | PoolClient): Promise<number> {
  const t = await c.query<{ exists: boolean }>(`SELECT to_regclass('tno_schema') IS NOT NULL AS exists`);
  if (!t.rows[0]!.exists) return 0;
  const r = await c.query<{ version: number }>('SELECT max(version)::int AS version FROM tno_schema');
  return r.rows[0]?.version ?? 0;
}

/** Applies the missing migrations, each in its own transaction; returns the versions applied. */
export async function migrate(pool: Pool): Promise<{ from: number; to: number; applied: number[] }> {
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK]);
    await c.query('CREATE TABLE IF NOT EXISTS tno_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), what text NOT NULL)');
    const from = await currentVersion(c);
    if (from > SCHEMA_VERSION) throw newerThanCode(from);
    const applied: number[] = [];
    for (const m of MIGRATIONS.filter((x) => x.version > from)) {
      await c.query('BEGIN');
      try {
        await c.query(m.sql);
        await c.query('INSERT INTO tno_schema (version, what) VALUES ($1, $2)', [m.version, m.what]);
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK');
        throw err;
      }
      applied.push(m.version);
    }
    return { from, to: SCHEMA_VERSION, applied };
  } finally {
    await c.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK]).catch(() => undefined);
    c.release();
  }
}

/** A server start: the schema must be exactly the one this code was written for. */
export async function checkSchema(pool: Pool): Promise<void> {
  const v = await currentVersion(pool);
  if (v > SCHEMA_VERSION) throw newerThanCode(v);
  if (v < SCHEMA_VERSION) {
    throw new IntermediaryError(
      IntermediaryErrorCode.storeSchema,
      'server-error-internal-error',
      `the store's schema is at version ${v}, this intermediary needs ${SCHEMA_VERSION}: run \`tno intermediary migrate --store URL\` first`,
    );
  }
}

function newerThanCode(v: number): IntermediaryError {
  return new IntermediaryError(
    IntermediaryErrorCode.storeSchema,
    'server-error-internal-error',
    `the store's schema is at version ${v}, newer than this intermediary knows (${SCHEMA_VERSION}): upgrade the intermediary; it will not write records it does not understand`,
  );
}
