/**
 * INFRA subscriptions and their events in the shared store (the `EventLog` of infra/events.ts):
 * a device subscribes at one instance and polls Get-Notifications at any other. An event is
 * numbered per subscription by the UPDATE that increments `next_seq` (the row lock orders
 * concurrent publishers), so every instance reports the same sequence numbers; a NOTIFY after it
 * wakes long polls held by other instances (store/pg/wakeups.ts).
 */
import type pg from 'pg';
import type { InfraEvent } from '../../infra/codes.js';
import type { EventLog, InfraEventRecord, NumberedEvent, Subscription } from '../../infra/events.js';
import { fromJson, toJson } from '../../spool/json.js';
import { query } from './unavailable.js';
import { WAKE_CHANNEL, type Wakeups } from './wakeups.js';

interface SubRow {
  id: string;
  device: string;
  queue: string;
  events: string[];
}

const toSub = (r: SubRow): Subscription => ({ id: Number(r.id), device: r.device, queue: r.queue, events: new Set(r.events as InfraEvent[]) });

export class PgEventLog implements EventLog {
  /** Aborted by close(): held long polls return at once. */
  private readonly closing = new AbortController();

  constructor(
    private readonly pool: pg.Pool,
    private readonly wake: Wakeups,
    /** Re-check interval of a long poll when no notification comes (the fallback). */
    private readonly pollMs = 500,
    private readonly maxEventsPerSubscription = 200,
    private readonly maxSubscriptions = 1024,
  ) {}

  async subscribe(device: string, queue: string, events: ReadonlySet<InfraEvent>): Promise<Subscription> {
    // A device re-subscribing on every restart must not fill the table: past the cap, this
    // device's oldest subscription goes first, else the oldest of all.
    await query(
      this.pool,
      `DELETE FROM tno_subscriptions WHERE id = (
         SELECT id FROM tno_subscriptions WHERE (SELECT count(*) FROM tno_subscriptions) >= $2
         ORDER BY (device = $1) DESC, id LIMIT 1)`,
      [device, this.maxSubscriptions],
    );
    const r = await query<SubRow>(this.pool, 'INSERT INTO tno_subscriptions (device, queue, events) VALUES ($1, $2, $3) RETURNING id::text, device, queue, events', [device, queue, [...events]]);
    return toSub(r.rows[0]!);
  }

  async get(id: number): Promise<Subscription | undefined> {
    const r = await query<SubRow>(this.pool, 'SELECT id::text, device, queue, events FROM tno_subscriptions WHERE id = $1', [id]);
    return r.rows[0] ? toSub(r.rows[0]) : undefined;
  }

  async cancel(id: number): Promise<boolean> {
    const r = await query(this.pool, `WITH d AS (DELETE FROM tno_subscriptions WHERE id = $1 RETURNING id) SELECT pg_notify('${WAKE_CHANNEL}', '') FROM d`, [id]);
    return (r.rowCount ?? 0) > 0;
  }

  async cancelDevice(device: string): Promise<void> {
    await query(this.pool, `WITH d AS (DELETE FROM tno_subscriptions WHERE device = $1 RETURNING id) SELECT pg_notify('${WAKE_CHANNEL}', '') FROM (SELECT count(*) AS n FROM d) x WHERE n > 0`, [device]);
  }

  async publish(record: InfraEventRecord): Promise<void> {
    const r = await query<{ n: string }>(
      this.pool,
      `WITH s AS (
         UPDATE tno_subscriptions SET next_seq = next_seq + 1
          WHERE queue = $1 AND $2 = ANY (events) AND ($3::text IS NULL OR device = $3)
          RETURNING id, next_seq - 1 AS seq),
       i AS (INSERT INTO tno_events (subscription_id, sequence, record, at) SELECT id, seq, $4, $5 FROM s RETURNING subscription_id),
       t AS (DELETE FROM tno_events e USING s WHERE e.subscription_id = s.id AND e.sequence <= s.seq - $6)
       SELECT count(*)::text AS n, pg_notify('${WAKE_CHANNEL}', '') FROM i`,
      [record.queue, record.event, record.device ?? null, toJson(record), Date.now(), this.maxEventsPerSubscription],
    );
    if (Number(r.rows[0]?.n ?? 0) > 0) this.wake.wakeAll();
  }

  async pending(id: number, from: number): Promise<NumberedEvent[]> {
    const r = await query<{ sequence: number; record: string; at: string }>(
      this.pool,
      'SELECT sequence, record, at::text FROM tno_events WHERE subscription_id = $1 AND sequence >= $2 ORDER BY sequence',
      [id, from],
    );
    return r.rows.map((x) => ({ ...fromJson<InfraEventRecord>(x.record), subscriptionId: id, sequence: x.sequence, at: Number(x.at) }));
  }

  async wait(wants: ReadonlyArray<{ id: number; from: number }>, waitMs: number, signal?: AbortSignal): Promise<void> {
    const ids = wants.map((w) => w.id);
    const ready = async (): Promise<boolean> => {
      const r = await query<{ id: string; next_seq: number }>(this.pool, 'SELECT id::text, next_seq FROM tno_subscriptions WHERE id = ANY ($1)', [ids]);
      const next = new Map(r.rows.map((x) => [Number(x.id), x.next_seq]));
      // Ready when a subscription is gone (the device must hear it) or has an event at or after `from`.
      return wants.some((w) => !next.has(w.id) || next.get(w.id)! > w.from);
    };
    await this.wake.until(ready, waitMs, this.pollMs, signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal);
  }

  close(): void {
    this.closing.abort();
  }
}
