/**
 * One IPP exchange with error mapping: transport failures become CLIENT_UNREACHABLE, error
 * statuses (RFC 8011 Appendix B: client-error and server-error) become CLIENT_IPP_STATUS with the printer's
 * status-message, so every caller reports failures the same way.
 */
import type { Readable } from 'node:stream';
import { getString, isErrorStatus, IppStatus, statusName, type IppMessage } from '@trustnoone/ipp';
import { credentialsLabel, ippRequest, IppTransportError, type CredentialSource, type HttpCredentials, type IppTlsOptions } from '@trustnoone/ipp-http/client';
import { ClientError } from './errors.js';

/** How to reach a printer or intermediary. */
export interface Connection {
  /** ipp://, ipps://, http:// or https:// URI of the printer object. */
  readonly printer: string;
  readonly tls?: IppTlsOptions;
  /**
   * Credentials, or a source asked before each request (savedSignInCredentials: an OAuth sign-in
   * refreshed before it expires).
   */
  readonly auth?: HttpCredentials | CredentialSource;
  /** The requesting-user-name sent; default the login name from the environment. */
  readonly userName?: string;
  /** Per exchange, until the response's attributes arrive; default 60 s without a document, none with one. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

let nextRequestId = 1;
/** RFC 8011 §4.1.1: request-id in 1..2^31-1. */
export function newRequestId(): number {
  const id = nextRequestId;
  nextRequestId = nextRequestId >= 0x7fffffff ? 1 : nextRequestId + 1;
  return id;
}

export function defaultUserName(env: NodeJS.ProcessEnv = process.env): string {
  return env.USER || env.LOGNAME || env.USERNAME || 'anonymous';
}

/** Node's TLS verification failures that mean "this certificate is not trusted here". */
const UNTRUSTED_TLS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
]);

function causeCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') codes.push(e.code);
  }
  return codes;
}

/**
 * What to do about a transport failure (issue 15 item 6): each common one names its fix, so the
 * user is not left guessing. Empty when there is nothing more useful to say.
 */
function transportHint(conn: Connection, cause: IppTransportError, uploading: boolean): string {
  const codes = causeCodes(cause);
  const plain = /^(ipp|http):/i.test(conn.printer);
  if (codes.some((c) => UNTRUSTED_TLS.has(c))) {
    return codes.includes('ERR_TLS_CERT_ALTNAME_INVALID')
      ? "; the server's TLS certificate does not name this host: use the host name it was issued for, or pin it with --pin SHA256 (its fingerprint)"
      : "; the server's TLS certificate is not trusted here: give the CA that issued it with --ca FILE, or pin it with --pin SHA256 (a tno printer prints its tls-fingerprint; tno printer add saves either)";
  }
  if (uploading && codes.some((c) => c === 'ECONNRESET' || c === 'EPIPE')) {
    return '; the connection was reset while the document was being sent (the server or a relay closed it: a size limit, a restart, a network drop), so the job was not accepted: run the command again, and if it repeats check the server\'s log';
  }
  if (plain && (codes.includes('ECONNRESET') || /socket hang up/i.test(cause.message))) {
    return `; the server hung up on a plain request: if it serves TLS, use ${conn.printer.replace(/^ipp:/i, 'ipps:').replace(/^http:/i, 'https:')}`;
  }
  if (codes.includes('ECONNREFUSED')) return '; nothing listens there: check the host and port, and that the printer or intermediary is running';
  return '';
}

/**
 * HTTP refusals other than 401 (ipp-http's http-refusal.ts), each with what to do about it; 415
 * stays CLIENT_UNREACHABLE (the URL does not answer IPP), with the path to check.
 */
function httpRefusalError(conn: Connection, cause: IppTransportError, what: string): ClientError | undefined {
  const wait = cause.retryAfterSeconds !== undefined ? `in ${cause.retryAfterSeconds} s` : 'in a minute';
  switch (cause.code) {
    case 'IPP_HTTP_FORBIDDEN': {
      const who = conn.auth ? credentialsLabel(conn.auth) : 'this client';
      return new ClientError(
        'CLIENT_FORBIDDEN',
        `${what}: ${cause.message}: ${who} is not allowed to do this there (a token may lack a required scope); ask the server's administrator for access, or sign in as a user who has it`,
        { cause },
      );
    }
    case 'IPP_HTTP_TOO_MANY_REQUESTS':
      return new ClientError(
        'CLIENT_RATE_LIMITED',
        `${what}: ${cause.message}: sign-ins from here are slowed after failed attempts; check the user name and TNO_PASSWORD, then try again ${wait}`,
        { cause },
      );
    case 'IPP_HTTP_SERVICE_UNAVAILABLE':
      return new ClientError('CLIENT_SERVER_BUSY', `${what}: ${cause.message}: the server is overloaded or limiting requests from this client; try again ${wait}`, { cause });
    case 'IPP_HTTP_UNSUPPORTED_MEDIA_TYPE':
      return new ClientError(
        'CLIENT_UNREACHABLE',
        `${what}: ${cause.message}: the server at ${conn.printer} does not take IPP requests there; check the URI's path (trustnoone's servers use /ipp/print)`,
        { cause },
      );
    default:
      return undefined;
  }
}

export interface Exchange {
  readonly message: IppMessage;
  readonly data: Readable;
}

/**
 * Sends `message` (with optional document data) and returns the response. Throws ClientError for
 * transport failures and for error statuses; the response data is left to the caller when
 * `keepData` is set, else drained.
 */
export async function exchange(
  conn: Connection,
  message: IppMessage,
  opts: { data?: Readable | Uint8Array; onProgress?: (bytes: number) => void; keepData?: boolean; what: string },
): Promise<Exchange> {
  let res;
  // A credential source is asked here, so a sign-in that can no longer be refreshed reports as
  // such (CLIENT_SIGN_IN_FAILED), not as a transport failure.
  const auth = typeof conn.auth === 'function' ? await conn.auth() : conn.auth;
  try {
    res = await ippRequest(conn.printer, message, {
      ...(opts.data !== undefined ? { data: opts.data } : {}),
      ...(conn.tls ? { tls: conn.tls } : {}),
      ...(auth ? { auth } : {}),
      // The timeout covers the whole exchange, upload included: a document of any size on a slow
      // link must not be cut off by the default meant for small requests.
      ...(conn.timeoutMs !== undefined ? { timeoutMs: conn.timeoutMs } : opts.data === undefined ? { timeoutMs: 60_000 } : {}),
      ...(conn.signal ? { signal: conn.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
  } catch (cause) {
    if (cause instanceof IppTransportError) {
      if (cause.code === 'IPP_HTTP_AUTH_REQUIRED') {
        const how = conn.auth ? `${credentialsLabel(conn.auth)} was refused${typeof conn.auth === 'function' ? ' (sign in again with tno login)' : ''}` : 'set TNO_PASSWORD (and --user), or sign in with tno login --issuer URL, to authenticate';
        // A password over ipp:// or http:// travels in clear: servers refuse it there (issue 15.6).
        const clear = /^(ipp|http):/i.test(conn.printer) ? `; passwords are only sent over TLS: use ${conn.printer.replace(/^ipp:/i, 'ipps:').replace(/^http:/i, 'https:')}` : '';
        throw new ClientError('CLIENT_AUTH_REQUIRED', `${opts.what}: ${cause.message}; ${how}${clear}`, { cause });
      }
      const refusal = httpRefusalError(conn, cause, opts.what);
      if (refusal) throw refusal;
      throw new ClientError('CLIENT_UNREACHABLE', `${opts.what}: ${cause.message}${transportHint(conn, cause, opts.data !== undefined)}`, { cause });
    }
    throw new ClientError('CLIENT_UNREACHABLE', `${opts.what}: ${conn.printer} did not answer with a valid IPP response (${(cause as Error).message})`, { cause });
  }
  if (!opts.keepData) res.data.resume();
  const status = res.message.code;
  if (isErrorStatus(status)) {
    if (opts.keepData) res.data.resume();
    const detail = getString(res.message, 'operation', 'status-message');
    // docs/spec-notes.md §2: the printer's single answer to a sealed job that failed decryption, integrity,
    // signature or binding checks (or a wrong release PIN).
    if (status === IppStatus.clientErrorDocumentSecurityError || status === IppStatus.clientErrorDocumentPasswordError) {
      throw new ClientError(
        'CLIENT_JOB_SECURITY_ERROR',
        status === IppStatus.clientErrorDocumentPasswordError
          ? `${opts.what}: the printer refused the job's release password (${statusName(status)})`
          : `${opts.what}: the printer refused the sealed job (${statusName(status)}): it was altered or replayed on the way, or was not sealed for this printer`,
        { ippStatus: status },
      );
    }
    throw new ClientError('CLIENT_IPP_STATUS', `${opts.what}: the printer answered ${statusName(status)}${detail ? ` (${detail})` : ''}`, { ippStatus: status });
  }
  return { message: res.message, data: res.data };
}
