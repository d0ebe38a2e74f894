/**
 * Errors of the IPP transport. A handler throws `IppStatusError` to answer with an IPP status; the
 * client throws `IppTransportError` when the exchange itself failed (no IPP answer to look at).
 */

/** Thrown by an operation handler: the request is answered with `status` and `statusMessage`. */
export class IppStatusError extends Error {
  readonly status: number;
  /** What reaches the network; keep it free of secrets and of anything decrypted. */
  readonly statusMessage: string;
  constructor(status: number, statusMessage: string, options?: { cause?: unknown }) {
    super(statusMessage, options);
    this.name = 'IppStatusError';
    this.status = status;
    this.statusMessage = statusMessage;
  }
}

export type IppTransportErrorCode =
  | 'IPP_HTTP_BAD_URL'
  | 'IPP_HTTP_CONNECT'
  | 'IPP_HTTP_STATUS'
  | 'IPP_HTTP_AUTH_REQUIRED'
  | 'IPP_HTTP_FORBIDDEN'
  | 'IPP_HTTP_UNSUPPORTED_MEDIA_TYPE'
  | 'IPP_HTTP_TOO_MANY_REQUESTS'
  | 'IPP_HTTP_SERVICE_UNAVAILABLE'
  | 'IPP_HTTP_NOT_IPP'
  | 'IPP_HTTP_TLS_PIN_MISMATCH'
  | 'IPP_HTTP_TIMEOUT'
  | 'IPP_HTTP_ABORTED'
  | 'IPP_HTTP_OAUTH';

/** The HTTP exchange failed before an IPP response could be read. */
export class IppTransportError extends Error {
  readonly code: IppTransportErrorCode;
  readonly httpStatus: number | undefined;
  /** Seconds the server asked to wait before trying again (Retry-After of a 429 or 503). */
  readonly retryAfterSeconds: number | undefined;
  /** For IPP_HTTP_OAUTH: the issuer's error code (RFC 6749 §5.2, RFC 8628 §3.5), when it sent one. */
  readonly oauthError: string | undefined;
  /** For a 401: the server's WWW-Authenticate challenges as received (RFC 9110 §11.6.1), e.g. a Bearer scope (RFC 6750 §3). */
  readonly wwwAuthenticate: string | undefined;
  constructor(code: IppTransportErrorCode, message: string, options?: { cause?: unknown; httpStatus?: number; retryAfterSeconds?: number; oauthError?: string; wwwAuthenticate?: string }) {
    super(message, options);
    this.name = 'IppTransportError';
    this.code = code;
    this.httpStatus = options?.httpStatus;
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.oauthError = options?.oauthError;
    this.wwwAuthenticate = options?.wwwAuthenticate;
  }
}

/**
 * Thrown by an `authenticate` hook: answered with HTTP 401 (403 for a Bearer token short of a
 * scope, 400 for a malformed one, RFC 6750 §3.1) and one WWW-Authenticate challenge per scheme offered (Basic by default).
 */
export class HttpAuthRequired extends Error {
  readonly realm: string;
  readonly challenges: readonly string[];
  readonly status: 400 | 401 | 403;
  constructor(realm: string, message = 'authentication required', options: { challenges?: readonly string[]; status?: 400 | 401 | 403 } = {}) {
    super(message);
    this.name = 'HttpAuthRequired';
    this.realm = realm;
    this.challenges = options.challenges ?? [`Basic realm="${realm.replace(/[\\"]/g, '')}", charset="UTF-8"`];
    this.status = options.status ?? 401;
  }
}

/**
 * Thrown by an `authenticate` hook when credentials may not even be checked now (too many wrong
 * ones lately): answered with HTTP 429 and Retry-After, before the body is read.
 */
export class HttpAuthThrottled extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, message = 'too many failed sign-ins; try again later') {
    super(message);
    this.name = 'HttpAuthThrottled';
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Thrown by an `authenticate` hook when it cannot decide now because something it needs is down
 * (a shared store holding the sign-in throttle): answered with HTTP 503 and Retry-After, before the
 * body is read (RFC 9110 §15.6.4), and logged as an error with its cause. Never a 500: the client
 * may simply ask again, nothing was taken.
 */
export class HttpServiceUnavailable extends Error {
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpServiceUnavailable';
    this.retryAfterMs = retryAfterMs;
  }
}
