/**
 * When a submission is sent again (docs/decisions.md D39). Only answers that say the server did not
 * take the request count: an IPP status of server-error-busy or service-unavailable (RFC 8011
 * §13.1.5), or HTTP 503 (RFC 9110 §15.6.4: the server is unable to handle the request now; our
 * servers send it before reading a byte of the body). A connection that fails or times out after the
 * request went out is never repeated: the job may have been accepted, and a second copy would print.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { IppStatus, statusName } from '@trustnoone/ipp';
import { IppTransportError } from '@trustnoone/ipp-http/client';
import { ClientError } from './errors.js';

/** IPP statuses that mean "try again later" (a printer that takes one job at a time). */
const BUSY_STATUSES = new Set<number>([IppStatus.serverErrorServiceUnavailable, IppStatus.serverErrorBusy]);

/** Requests sent in all while the server answers HTTP 503 (the first and three more). */
export const HTTP_BUSY_ATTEMPTS = 4;
/** Longest wait honoured from a Retry-After: a server asking for more is given up on sooner. */
export const RETRY_AFTER_CAP_MS = 30_000;

/** Why the server refused before taking the request, or undefined when it may have taken it. */
export interface BusyRefusal {
  /** What the server said, for the person waiting. */
  readonly reason: string;
  /** HTTP 503 (bounded attempts) rather than an IPP busy status (bounded by time). */
  readonly http: boolean;
  /** The server's Retry-After, in ms. */
  readonly retryAfterMs: number | undefined;
}

export function busyRefusal(err: unknown): BusyRefusal | undefined {
  if (!(err instanceof ClientError)) return undefined;
  if (err.ippStatus !== undefined && BUSY_STATUSES.has(err.ippStatus)) {
    return { reason: `the printer answered ${statusName(err.ippStatus)}`, http: false, retryAfterMs: undefined };
  }
  const cause = err.cause;
  if (err.code === 'CLIENT_SERVER_BUSY' && cause instanceof IppTransportError && cause.httpStatus === 503) {
    const after = cause.retryAfterSeconds;
    return {
      reason: `the server answered HTTP 503 (busy, or limiting requests from this client)${after !== undefined ? ` and asked to retry after ${after} s` : ''}`,
      http: true,
      retryAfterMs: after === undefined ? undefined : after * 1000,
    };
  }
  return undefined;
}

/** One wait before a resend, as told to the user. */
export interface BusyWait {
  readonly retryInMs: number;
  readonly reason: string;
  /** The attempt about to be made (2 for the first resend). */
  readonly attempt: number;
  /** Attempts allowed for an HTTP 503; undefined for an IPP busy status (bounded by time instead). */
  readonly maxAttempts: number | undefined;
}

export interface RetryOptions {
  /** Resending is possible at all (every document can be read again). */
  readonly repeatable: boolean;
  /** How long an IPP busy status is waited out. */
  readonly busyTimeoutMs: number;
  /**
   * Wait out IPP busy statuses too (default). A submission does: a printer that takes one job at a
   * time answers server-error-busy. Asking for the printer's attributes does not: a relay answers
   * server-error-service-unavailable there for what needs a person (an upstream whose TLS identity
   * changed), and the reason must reach the user at once, not after two minutes.
   */
  readonly ippBusy?: boolean;
  readonly signal?: AbortSignal | undefined;
  readonly onWait?: (w: BusyWait) => void;
}

/**
 * Runs `attempt`, sending it again while the server refuses it as busy: an IPP busy status with
 * backoff (0.25 s doubling to 4 s) until `busyTimeoutMs`; an HTTP 503 at most HTTP_BUSY_ATTEMPTS
 * times in all, each after its Retry-After (capped at RETRY_AFTER_CAP_MS; the backoff without one).
 * Gives up with CLIENT_SERVER_BUSY saying how often and how long it tried.
 */
export async function retryWhileBusy<T>(o: RetryOptions, attempt: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const deadline = started + o.busyTimeoutMs;
  let backoff = 250;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const busy = busyRefusal(err);
      if (!busy || !o.repeatable || (!busy.http && o.ippBusy === false)) throw err;
      const wait = busy.http ? Math.min(busy.retryAfterMs ?? backoff, RETRY_AFTER_CAP_MS) : backoff;
      const outOfAttempts = busy.http && n >= HTTP_BUSY_ATTEMPTS;
      if (outOfAttempts || Date.now() + wait > deadline) {
        if (!busy.http) throw err;
        const s = Math.round((Date.now() - started) / 1000);
        throw new ClientError('CLIENT_SERVER_BUSY', `${(err as Error).message}; gave up after ${n} attempt(s) over ${s} s, none of which the server took`, { cause: err });
      }
      o.onWait?.({ retryInMs: wait, reason: busy.reason, attempt: n + 1, maxAttempts: busy.http ? HTTP_BUSY_ATTEMPTS : undefined });
      await sleep(wait, undefined, o.signal ? { signal: o.signal } : undefined);
      backoff = Math.min(backoff * 2, 4000);
    }
  }
}
