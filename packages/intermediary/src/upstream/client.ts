/**
 * The upstream printer as the forwarder sees it: one IPP endpoint, reached through
 * @trustnoone/ipp-http with TLS verification (CA file) or SHA-256 pinning. Behind an interface so
 * tests can substitute a recording fake and a pull-mode (INFRA) queue can replace it.
 */
import type { Readable } from 'node:stream';
import { request, type IppAttribute, type IppGroup, type IppMessage } from '@trustnoone/ipp';
import { ippRequest, type IppTlsOptions, type HttpCredentials } from '@trustnoone/ipp-http';
import { attr } from '../attrs.js';

export interface UpstreamAnswer {
  readonly message: IppMessage;
  /** Response data after the attributes: consume or destroy it. */
  readonly data: Readable;
}

export interface Upstream {
  /** The printer-uri requests are addressed to. */
  readonly uri: string;
  /** `signal` aborts the exchange (shutdown); the promise then rejects. */
  send(message: IppMessage, data?: Readable, signal?: AbortSignal): Promise<UpstreamAnswer>;
}

export interface HttpUpstreamOptions {
  readonly uri: string;
  readonly tls?: IppTlsOptions;
  readonly auth?: HttpCredentials;
  /** Until the response's attributes arrive, for requests carrying a document (default 10 min). */
  readonly timeoutMs?: number;
  /** The same for requests without data: polls, Create-Job, Cancel-Job (default 30 s). */
  readonly queryTimeoutMs?: number;
}

export function httpUpstream(options: HttpUpstreamOptions): Upstream {
  return {
    uri: options.uri,
    send: (message, data, signal) =>
      ippRequest(options.uri, message, {
        ...(data ? { data } : {}),
        ...(signal ? { signal } : {}),
        ...(options.tls ? { tls: options.tls } : {}),
        ...(options.auth ? { auth: options.auth } : {}),
        // A hung printer must not stall a job's poll loop for the length of an upload timeout.
        timeoutMs: data ? (options.timeoutMs ?? 10 * 60_000) : (options.queryTimeoutMs ?? 30_000),
      }),
  };
}

let nextRequestId = 1;

/**
 * An upstream request: charset, natural language and printer-uri first (RFC 8011 §4.1.4/4.1.5),
 * then `operation` (which must not repeat those three), then further groups.
 */
export function upstreamRequest(code: number, upstreamUri: string, operation: readonly IppAttribute[], groups: readonly IppGroup[] = []): IppMessage {
  const requestId = nextRequestId;
  nextRequestId = nextRequestId >= 0x7fffffff ? 1 : nextRequestId + 1;
  const message = request(code, { requestId }).operation([attr.uri('printer-uri', upstreamUri), ...operation]).build();
  return { ...message, groups: [...message.groups, ...groups] };
}

/** Operation attributes the relay sets itself and so never copies from a client request. */
export const RELAY_OWNED = new Set(['attributes-charset', 'attributes-natural-language', 'printer-uri', 'job-uri', 'job-id']);

/** A client's operation attributes minus the ones the relay owns, in their original order. */
export function passThroughOperationAttributes(attributes: readonly IppAttribute[]): IppAttribute[] {
  return attributes.filter((a) => !RELAY_OWNED.has(a.name));
}

/** Drains and discards response data we do not use, so the socket can be reused. */
export function discard(data: Readable): void {
  data.on('error', () => {});
  data.resume();
}
