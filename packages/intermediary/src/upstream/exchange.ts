/**
 * The forwarder's side of talking to upstream printers: every exchange takes a slot of its
 * upstream (a bounded number of connections however many jobs wait), an IPP answer is sorted into
 * success, "try again later" (thrown as a plain Error, retried by the scheduler) and refusal
 * (UpstreamRejected, permanent for the job), and stop() cuts off what is in flight.
 */
import { setMaxListeners } from 'node:events';
import type { Readable } from 'node:stream';
import { GroupTag, IppOperation, IppStatus, isSuccessful, type IppMessage } from '@trustnoone/ipp';
import { IppTransportError } from '@trustnoone/ipp-http';
import { attr, findAttribute, stringValue } from '../attrs.js';
import { discard, upstreamRequest, type Upstream, type UpstreamAnswer } from './client.js';

/** RFC 8011 §4.1.6.1: service-unavailable, temporary-error, not-accepting-jobs, busy — "try again later", not "no". */
const TRANSIENT = new Set<number>([IppStatus.serverErrorServiceUnavailable, IppStatus.serverErrorTemporaryError, IppStatus.serverErrorNotAcceptingJobs, IppStatus.serverErrorBusy]);

/** The upstream refused the job with an IPP status: permanent for this job. */
export class UpstreamRejected extends Error {
  constructor(
    readonly status: number,
    readonly statusMessage: string | undefined,
  ) {
    super(`upstream refused with status 0x${status.toString(16).padStart(4, '0')}${statusMessage ? `: ${statusMessage}` : ''}`);
  }
}

/** A transport failure that proves the request never left: no connection was ever made. */
export function neverSent(err: unknown): boolean {
  const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
  return err instanceof IppTransportError && err.code === 'IPP_HTTP_CONNECT' && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(cause?.code ?? '');
}

interface Slot {
  busy: number;
  waiting: Array<() => void>;
}

async function acquire(slot: Slot, max: number): Promise<void> {
  while (slot.busy >= max) await new Promise<void>((r) => slot.waiting.push(r));
  slot.busy++;
}

function release(slot: Slot): void {
  slot.busy--;
  slot.waiting.shift()?.();
}

export interface ExchangeLimits {
  /** Document uploads to one upstream at a time (default 4): a printer takes jobs one by one anyway. */
  readonly maxConcurrentSends?: number;
  /** Requests of any kind to one upstream at a time (default 16), uploads included. */
  readonly maxConcurrentRequests?: number;
}

export class UpstreamExchange {
  /** Per upstream: requests (and uploads) in progress and callers waiting for a slot. */
  private readonly slots = new Map<string, Slot>();
  private readonly createSupport = new Map<string, boolean>();
  /** Shutting down: exchanges in flight may finish, no new one starts. */
  draining = false;
  /** Aborted by abort(): in-flight exchanges end at once instead of running to their timeouts. */
  private readonly aborter = new AbortController();
  /** Upstream URIs whose last exchange failed for transport reasons. */
  readonly unreachable = new Set<string>();

  constructor(private readonly limits: ExchangeLimits = {}) {
    // Every in-flight exchange (up to 16 per upstream, several upstreams) listens on this one
    // signal at once; that is the design, not a leak, so lift Node's default warning threshold.
    setMaxListeners(0, this.aborter.signal);
  }

  abort(): void {
    this.aborter.abort();
  }

  /**
   * Every forwarding exchange takes a slot of its upstream: document uploads up to
   * maxConcurrentSends, all requests together up to maxConcurrentRequests. Thousands of queued
   * jobs then make a bounded number of connections, also to an upstream that is down.
   */
  async exchange(upstream: Upstream, message: IppMessage, data?: () => Readable): Promise<IppMessage> {
    const all = this.slot(`all ${upstream.uri}`);
    const sends = data ? this.slot(`send ${upstream.uri}`) : undefined;
    // An upload first waits for an upload slot, so queued uploads never hold the slots polls need.
    if (sends) await acquire(sends, this.limits.maxConcurrentSends ?? 4);
    try {
      await acquire(all, this.limits.maxConcurrentRequests ?? 16);
      try {
        // The stream is opened only once the slots are ours: no file handles held by queued jobs.
        return await this.exchangeNow(upstream, message, data?.());
      } finally {
        release(all);
      }
    } finally {
      if (sends) release(sends);
    }
  }

  /** One exchange without waiting for a slot (a best-effort cancel on the way out). */
  async exchangeNow(upstream: Upstream, message: IppMessage, data?: Readable): Promise<IppMessage> {
    if (this.draining) {
      data?.destroy();
      throw new Error('forwarding stopped');
    }
    let answer: UpstreamAnswer;
    try {
      answer = await upstream.send(message, data, this.aborter.signal);
    } catch (err) {
      data?.destroy();
      throw err;
    }
    discard(answer.data);
    this.unreachable.delete(upstream.uri);
    const status = answer.message.code;
    if (isSuccessful(status)) return answer.message;
    const msg = stringValue(findAttribute(answer.message, GroupTag.operation, 'status-message'));
    if (TRANSIENT.has(status)) throw new Error(`upstream busy (status 0x${status.toString(16).padStart(4, '0')}${msg ? `: ${msg}` : ''})`);
    throw new UpstreamRejected(status, msg);
  }

  /** Whether the upstream has Create-Job and Send-Document (asked once per upstream). */
  async supportsCreateJob(upstream: Upstream): Promise<boolean> {
    const known = this.createSupport.get(upstream.uri);
    if (known !== undefined) return known;
    const res = await this.exchange(
      upstream,
      upstreamRequest(IppOperation.getPrinterAttributes, upstream.uri, [attr.keyword('requested-attributes', 'operations-supported')]),
    );
    const ops = findAttribute(res, GroupTag.printer, 'operations-supported')?.values.flatMap((v) => (v.tag === 'enum' ? [v.value] : [])) ?? [];
    const yes = ops.includes(IppOperation.createJob) && ops.includes(IppOperation.sendDocument);
    this.createSupport.set(upstream.uri, yes);
    return yes;
  }

  private slot(key: string): Slot {
    let s = this.slots.get(key);
    if (!s) this.slots.set(key, (s = { busy: 0, waiting: [] }));
    return s;
  }
}
