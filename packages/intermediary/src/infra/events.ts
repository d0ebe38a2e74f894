/**
 * Printer subscriptions with the ippget pull method (RFC 3995, RFC 3996) for output devices: each
 * subscription keeps its own numbered events; Get-Notifications with notify-wait holds the request
 * until an event arrives or the wait ends (long poll), so a device behind NAT learns of new jobs
 * within one round trip. Subscriptions live in memory: after a restart a device's Get-Notifications
 * finds its subscription gone (client-error-not-found), subscribes again and re-primes its queue
 * with Get-Jobs which-jobs=fetchable — no event is needed to recover a job.
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

interface SubState {
  readonly sub: Subscription;
  next: number;
  readonly events: NumberedEvent[];
  readonly waiters: Set<() => void>;
}

export class EventHub {
  private nextId = 1;
  private readonly subs = new Map<number, SubState>();
  private closed = false;

  constructor(
    /** Events kept per subscription; the oldest go first (a device that lags re-primes). */
    private readonly maxEventsPerSubscription = 200,
    private readonly maxSubscriptions = 1024,
  ) {}

  subscribe(device: string, queue: string, events: ReadonlySet<InfraEvent>): Subscription {
    if (this.subs.size >= this.maxSubscriptions) {
      // Drop this device's oldest subscriptions first: a device that re-subscribes on every restart
      // must not exhaust the table.
      const mine = [...this.subs.values()].filter((s) => s.sub.device === device);
      const victim = mine[0] ?? this.subs.values().next().value;
      if (victim) this.cancel(victim.sub.id);
    }
    const sub: Subscription = { id: this.nextId++, device, queue, events };
    this.subs.set(sub.id, { sub, next: 1, events: [], waiters: new Set() });
    return sub;
  }

  get(id: number): Subscription | undefined {
    return this.subs.get(id)?.sub;
  }

  cancel(id: number): boolean {
    const s = this.subs.get(id);
    if (!s) return false;
    this.subs.delete(id);
    for (const w of s.waiters) w();
    return true;
  }

  cancelDevice(device: string): void {
    for (const s of [...this.subs.values()]) if (s.sub.device === device) this.cancel(s.sub.id);
  }

  publish(record: InfraEventRecord): void {
    for (const s of this.subs.values()) {
      if (s.sub.queue !== record.queue || !s.sub.events.has(record.event)) continue;
      if (record.device !== undefined && record.device !== s.sub.device) continue;
      s.events.push({ ...record, subscriptionId: s.sub.id, sequence: s.next++, at: Date.now() });
      if (s.events.length > this.maxEventsPerSubscription) s.events.splice(0, s.events.length - this.maxEventsPerSubscription);
      for (const w of s.waiters) w();
    }
  }

  /** Events of `id` numbered `from` or later. */
  pending(id: number, from: number): NumberedEvent[] {
    const s = this.subs.get(id);
    return s ? s.events.filter((e) => e.sequence >= from) : [];
  }

  /**
   * Resolves when any of `ids` has an event numbered at or after its `from`, when one of them is
   * canceled, when `signal` aborts, or after `waitMs`.
   */
  wait(wants: ReadonlyArray<{ id: number; from: number }>, waitMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || wants.some((w) => !this.subs.has(w.id) || this.pending(w.id, w.from).length > 0)) return Promise.resolve();
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

  /** Releases every long poll (shutdown). */
  close(): void {
    this.closed = true;
    for (const s of this.subs.values()) for (const w of [...s.waiters]) w();
  }
}
