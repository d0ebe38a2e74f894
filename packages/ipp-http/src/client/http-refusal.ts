/**
 * An HTTP answer other than 200 to an IPP request, as a typed transport error. The statuses our
 * servers (and others') refuse with before any IPP is read each get their own code, so a client
 * can say what to do: 401 give credentials, 403 the account may not do this, 415 the URL does not
 * take IPP, 429 sign-ins are being slowed, 503 the server is busy (RFC 9110 §15.5.2, §15.5.4,
 * §15.5.16, §15.6.4; RFC 6585 §4).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { IppTransportError, type IppTransportErrorCode } from '../errors.js';

const CODES: Readonly<Record<number, IppTransportErrorCode>> = {
  401: 'IPP_HTTP_AUTH_REQUIRED',
  403: 'IPP_HTTP_FORBIDDEN',
  415: 'IPP_HTTP_UNSUPPORTED_MEDIA_TYPE',
  429: 'IPP_HTTP_TOO_MANY_REQUESTS',
  503: 'IPP_HTTP_SERVICE_UNAVAILABLE',
};

/** Longest wait a Retry-After may ask for that is passed on (a day); beyond it, it is ignored. */
const MAX_RETRY_AFTER_S = 86_400;

/** RFC 9110 §10.2.3 Retry-After: delay-seconds or an HTTP-date; undefined when absent or unusable. */
export function retryAfterSeconds(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim().slice(0, 64);
  if (!v) return undefined;
  let s: number;
  if (/^\d{1,9}$/.test(v)) s = Number(v);
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    s = Math.max(0, Math.ceil((at - now) / 1000));
  }
  return s <= MAX_RETRY_AFTER_S ? s : undefined;
}

export function httpRefusal(url: URL, status: number, headers: IncomingHttpHeaders): IppTransportError {
  const code = CODES[status] ?? 'IPP_HTTP_STATUS';
  const retry = status === 429 || status === 503 ? retryAfterSeconds(headers['retry-after']) : undefined;
  const after = retry !== undefined ? `; retry after ${retry} s` : '';
  const message =
    status === 401
      ? `${url.origin} requires authentication (HTTP 401)`
      : `${url.href} answered HTTP ${status} instead of an IPP response${after}`;
  const challenge = status === 401 ? headers['www-authenticate']?.slice(0, 4096) : undefined;
  return new IppTransportError(code, message, { httpStatus: status, ...(retry !== undefined ? { retryAfterSeconds: retry } : {}), ...(challenge ? { wwwAuthenticate: challenge } : {}) });
}
