/**
 * Printer subscriptions with the ippget pull method (RFC 3995, RFC 3996) for output devices: each
 * subscription keeps its own numbered events; Get-Notifications with notify-wait holds the request
 * until an event arrives or the wait ends (long poll), so a device behind NAT learns of new jobs
 * within one round trip. `EventLog` is the seam: `EventHub` keeps subscriptions in memory (one
 * process; after a restart a device's Get-Notifications finds its subscription gone
 * (client-error-not-found), subscribes again and re-primes its queue with Get-Jobs
 * which-jobs=fetchable — no event is needed to recover a job); the PostgreSQL store keeps them in
 * the database (store/pg/events.ts), so a device may subscribe at one instance and poll another.
 */
import type { IppAttribute } from '@trustnoone/ipp';
import type { InfraEvent } from './codes.js';

export interface Subscription {
  readonly id: number;
  readonly device: string;
  readonly queue: string;
  readonly events: ReadonlySet<InfraEvent>;
}

export interface InfraEventRecord {
  readonly event: InfraEvent;
  readonly queue: string;
  /** Only this device hears it (events about a job bound to it); undefined = every device of the queue. */
  readonly device?: string;
  /** Event-specific attributes (job-id, job-state, ...), RFC 3995 §9. */
  readonly attributes: readonly IppAttribute[];
}

export interface NumberedEvent extends InfraEventRecord {
  readonly subscriptionId: number;
  readonly sequence: number;
  readonly at: number;
}

/** Where subscriptions and their numbered events live (memory here, or a shared store). */
export interface EventLog {
  subscribe(device: string, queue: string, events: ReadonlySet<InfraEvent>): Promise<Subscription>;
  get(id: number): Promise<Subscription | undefined>;
  cancel(id: number): Promise<boolean>;
  cancelDevice(device: string): Promise<void>;
  /** Numbers the event for every matching subscription (one sequence per subscription). */
  publish(record: InfraEventRecord): Promise<void>;
  /** Events of `id` numbered `from` or later. */
  pending(id: number, from: number): Promise<NumberedEvent[]>;
  /**
   * Resolves when any of `ids` has an event numbered at or after its `from`, when one of them is
   * canceled, when `signal` aborts, or after `waitMs`.
   */
  wait(wants: ReadonlyArray<{ id: number; from: number }>, waitMs: number, signal?: AbortSignal): Promise<void>;
  /** Releases every long poll (shutdown). */
  close(): void;
}

interface SubState {
  readonly sub: Subscription;
  next: number;
  readonly events: NumberedEvent[];
  readonly waiters: Set<() => void>;
}

export class EventHub implements EventLog {
  private nextId = 1;
  private readonly subs = new Map<number, SubState>();
  private closed = false;

  constructor(
    /** Events kept per subscription; the oldest go first (a device that lags re-primes). */
    private readonly maxEventsPerSubscription = 200,
    private readonly maxSubscriptions = 1024,
  ) {}

  async subscribe(device: string, queue: string, events: ReadonlySet<InfraEvent>): Promise<Subscription> {
    if (this.subs.size >= this.maxSubscriptions) {
      // Drop this device's oldest subscriptions first: a device that re-subscribes on every restart
      // must not exhaust the table.
      const mine = [...this.subs.values()].filter((s) => s.sub.device === device);
      const victim = mine[0] ?? this.subs.values().next().value;
      if (victim) this.drop(victim.sub.id);
    }
    const sub: Subscription = { id: this.nextId++, device, queue, events };
    this.subs.set(sub.id, { sub, next: 1, events: [], waiters: new Set() });
    return sub;
  }

  async get(id: number): Promise<Subscription | undefined> {
    return this.subs.get(id)?.sub;
  }

  async cancel(id: number): Promise<boolean> {
    return this.drop(id);
  }

  private drop(id: number): boolean {
    const s = this.subs.get(id);
    if (!s) return false;
    this.subs.delete(id);
    for (const w of s.waiters) w();
    return true;
  }

  async cancelDevice(device: string): Promise<void> {
    for (const s of [...this.subs.values()]) if (s.sub.device === device) this.drop(s.sub.id);
  }

  async publish(record: InfraEventRecord): Promise<void> {
    for (const s of this.subs.values()) {
      if (s.sub.queue !== record.queue || !s.sub.events.has(record.event)) continue;
      if (record.device !== undefined && record.device !== s.sub.device) continue;
      s.events.push({ ...record, subscriptionId: s.sub.id, sequence: s.next++, at: Date.now() });
      if (s.events.length > this.maxEventsPerSubscription) s.events.splice(0, s.events.length - this.maxEventsPerSubscription);
      for (const w of s.waiters) w();
    }
  }

  async pending(id: number, from: number): Promise<NumberedEvent[]> {
    return this.since(id, from);
  }

  private since(id: number, from: number): NumberedEvent[] {
    const s = this.subs.get(id);
    return s ? s.events.filter((e) => e.sequence >= from) : [];
  }

  wait(wants: ReadonlyArray<{ id: number; from: number }>, waitMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || wants.some((w) => !this.subs.has(w.id) || this.since(w.id, w.from).length > 0)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const states = wants.map((w) => this.subs.get(w.id)!);
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        for (const s of states) s.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      signal?.addEventListener('abort', done, { once: true });
      for (const s of states) s.waiters.add(done);
    });
  }

  close(): void {
    this.closed = true;
    for (const s of this.subs.values()) for (const w of [...s.waiters]) w();
  }
}
