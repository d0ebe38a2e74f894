/**
 * LISTEN/NOTIFY between instances: a write another instance waits for (an INFRA event, a device's
 * answer to an owner's request) is followed by `NOTIFY tno_wake`, and every instance's listening
 * connection wakes its waiters at once; a job write is followed by `NOTIFY tno_jobs` (payload: the
 * writing instance), and the others pull the change into their view at once instead of at their
 * next poll. Waiters and views still re-check the tables on a timer, so a lost notification (the
 * listening connection dropped and is being replaced) costs latency, not events.
 */
import pg from 'pg';

export const WAKE_CHANNEL = 'tno_wake';
export const JOBS_CHANNEL = 'tno_jobs';

export class Wakeups {
  private client: pg.Client | undefined;
  private readonly waiters = new Set<() => void>();
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  /** Counts wake-ups, so one arriving between a check and the wait that follows is not missed. */
  private generation = 0;

  private readonly jobListeners = new Set<() => void>();

  constructor(
    private readonly url: string,
    /** This instance's id: its own job notifications are not news to it. */
    private readonly self: string,
  ) {}

  /** Calls `listener` when another instance wrote a job (listens from now on). */
  onJobs(listener: () => void): void {
    this.jobListeners.add(listener);
    this.listen();
  }

  /** Connects the listening connection lazily (first waiter) and again after it drops. */
  private listen(): void {
    if (this.client || this.closed) return;
    const c = new pg.Client({ connectionString: this.url });
    this.client = c;
    const lost = (): void => {
      if (this.client !== c) return;
      this.client = undefined;
      void c.end().catch(() => undefined);
      if (!this.closed && !this.retry) {
        this.retry = setTimeout(() => {
          this.retry = undefined;
          if (this.waiters.size > 0 || this.jobListeners.size > 0) this.listen();
        }, 1000);
        this.retry.unref();
      }
    };
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (n) => {
      if (n.channel !== JOBS_CHANNEL) this.wakeAll();
      else if (n.payload !== this.self) for (const l of this.jobListeners) l();
    });
    c.connect()
      .then(() => c.query(`LISTEN ${WAKE_CHANNEL}; LISTEN ${JOBS_CHANNEL}`))
      .catch(lost);
  }

  /** Wakes this process's waiters (a write made here). */
  wakeAll(): void {
    this.generation++;
    for (const w of [...this.waiters]) w();
  }

  /** Resolves on the next notification (or at once if one came since `seen`), after `ms`, or when `signal` aborts. */
  next(ms: number, signal?: AbortSignal, seen = this.generation): Promise<void> {
    if (this.closed || signal?.aborted || seen !== this.generation) return Promise.resolve();
    this.listen();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  /**
   * Re-checks `ready` on each wake-up and at least every `pollMs` until it holds, `waitMs` passed,
   * or `signal` aborts; returns whether it held.
   */
  async until(ready: () => Promise<boolean>, waitMs: number, pollMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    this.listen();
    for (;;) {
      const seen = this.generation;
      if (await ready()) return true;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed || signal?.aborted) return false;
      await this.next(Math.min(pollMs, left), signal, seen);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.wakeAll();
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
