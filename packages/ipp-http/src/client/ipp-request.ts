import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { encodeHeader, readIppMessage, type DecodeLimits, type IppMessage } from '@trustnoone/ipp';
import { authorizationHeader, type CredentialSource, type HttpCredentials } from './credentials.js';
import { httpRefusal } from './http-refusal.js';
import { IppTransportError } from '../errors.js';

export interface IppTlsOptions {
  /** PEM CA certificate(s) to verify the server with (instead of the system store). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /**
   * SHA-256 fingerprint (hex, colons optional) of the server's certificate. When given, the
   * connection is accepted if and only if the certificate matches, whoever issued it. It applies
   * to ipps/https URLs only; a plain ipp:// URL has no certificate to pin (callers that require
   * TLS must use an ipps:// URL).
   */
  readonly pinSha256?: string;
  /** Default true. Turning it off without a pin accepts any server: tests only. */
  readonly rejectUnauthorized?: boolean;
}

export interface IppRequestOptions {
  /** Document data sent after the attribute section; a stream is sent chunked, never buffered. */
  readonly data?: Readable | Uint8Array;
  readonly tls?: IppTlsOptions;
  /** Credentials for a server that authenticates (Basic or Bearer), or a source asked before the request. */
  readonly auth?: HttpCredentials | CredentialSource;
  /** Whole-exchange timeout until the response's attribute section is read. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly agent?: http.Agent;
  readonly limits?: Partial<DecodeLimits>;
  /** Called as request bytes are written (for progress bars). */
  readonly onProgress?: (bytesSent: number) => void;
}

export interface IppResponse {
  readonly message: IppMessage;
  /** Response data after the attributes (often empty); consume or destroy it. */
  readonly data: Readable;
  readonly httpStatus: number;
}

/** Maps ipp:// and ipps:// (RFC 3510, RFC 7472; default port 631) onto http(s) URLs. */
export function httpUrlFor(target: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(target));
  } catch (cause) {
    throw new IppTransportError('IPP_HTTP_BAD_URL', `not a URL: ${String(target)}`, { cause });
  }
  const scheme = url.protocol;
  if (scheme === 'http:' || scheme === 'https:') return url;
  if (scheme !== 'ipp:' && scheme !== 'ipps:') {
    throw new IppTransportError('IPP_HTTP_BAD_URL', `unsupported URI scheme ${scheme} in ${url.href} (use ipp, ipps, http or https)`);
  }
  const out = new URL(url.href.replace(/^ipps?:/, scheme === 'ipps:' ? 'https:' : 'http:'));
  if (url.port === '') out.port = '631';
  return out;
}

let sharedPinnedAgent: https.Agent | undefined;
function pinnedAgent(): https.Agent {
  sharedPinnedAgent ??= new https.Agent({ keepAlive: false, maxCachedSessions: 0 });
  return sharedPinnedAgent;
}

function normalizeFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-f]/gi, '').toLowerCase();
}

/**
 * Sends one IPP request over HTTP/1.1 POST and resolves once the response's attribute section is
 * decoded; the response data (if any) follows as a stream.
 */
export function ippRequest(target: string | URL, message: IppMessage, options: IppRequestOptions = {}): Promise<IppResponse> {
  const source = options.auth;
  if (typeof source === 'function') {
    return source().then(
      (auth) => ippRequest(target, message, { ...options, auth }),
      (err: unknown) => {
        throw err instanceof IppTransportError ? err : new IppTransportError('IPP_HTTP_OAUTH', `cannot get credentials: ${(err as Error).message}`, { cause: err });
      },
    );
  }
  const url = httpUrlFor(target);
  const secure = url.protocol === 'https:';
  const header = encodeHeader(message);
  const data = options.data;
  const headers: Record<string, string> = { 'content-type': 'application/ipp', accept: 'application/ipp' };
  if (data === undefined || data instanceof Uint8Array) {
    headers['content-length'] = String(header.byteLength + (data?.byteLength ?? 0));
  }
  if (source) {
    headers.authorization = authorizationHeader(source);
  }
  const pin = options.tls?.pinSha256 ? normalizeFingerprint(options.tls.pinSha256) : undefined;

  return new Promise<IppResponse>((resolve, reject) => {
    let settled = false;
    // Settling once clears the timer and the abort listener: a long-lived signal shared by many
    // requests must not collect one listener per request.
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (err: IppTransportError): void => {
      if (!settle()) return;
      req.destroy();
      reject(err);
    };
    const onAbort = (): void => fail(new IppTransportError('IPP_HTTP_ABORTED', 'request aborted'));
    const requestOptions: https.RequestOptions = {
      method: 'POST',
      headers,
      // A resumed TLS session shows no certificate, so a pin could not be checked: pinned requests
      // use an agent that never resumes (unless the caller brings its own agent).
      ...(options.agent ? { agent: options.agent } : secure && pin ? { agent: pinnedAgent() } : {}),
      ...(secure
        ? {
            ca: options.tls?.ca as https.RequestOptions['ca'],
            // With a pin, the pin is the check (a self-signed printer certificate is the norm).
            rejectUnauthorized: pin ? false : (options.tls?.rejectUnauthorized ?? true),
          }
        : {}),
    };
    const req = (secure ? https : http).request(url, requestOptions, (res) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        res.resume();
        return fail(httpRefusal(url, status, res.headers));
      }
      const type = String(res.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/ipp') {
        res.resume();
        return fail(new IppTransportError('IPP_HTTP_NOT_IPP', `${url.href} answered with content-type '${type}', not application/ipp`, { httpStatus: status }));
      }
      readIppMessage(res, { limits: options.limits }).then(
        ({ message: response, data: rest }) => {
          if (settle()) resolve({ message: response, data: rest, httpStatus: status });
        },
        (err: unknown) => {
          if (settle()) reject(err);
        },
      );
    });

    const timer = options.timeoutMs
      ? setTimeout(() => fail(new IppTransportError('IPP_HTTP_TIMEOUT', `no IPP response from ${url.origin} within ${options.timeoutMs} ms`)), options.timeoutMs)
      : undefined;
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    req.on('error', (cause) => {
      fail(new IppTransportError('IPP_HTTP_CONNECT', `cannot reach ${url.origin}: ${(cause as Error).message}`, { cause }));
    });
    let sent = 0;
    const progress = (n: number): void => {
      sent += n;
      options.onProgress?.(sent);
    };
    // Nothing (not even the headers, which may carry credentials) is written before a pinned
    // certificate has been checked.
    const writeBody = (): void => {
      req.write(header);
      progress(header.byteLength);
      if (data === undefined) {
        req.end();
      } else if (data instanceof Uint8Array) {
        req.end(data);
        progress(data.byteLength);
      } else {
        data.on('data', (chunk: Buffer) => {
          progress(chunk.length);
          if (!req.write(chunk)) data.pause();
        });
        req.on('drain', () => data.resume());
        data.on('end', () => req.end());
        data.on('error', (cause) => fail(new IppTransportError('IPP_HTTP_ABORTED', `document stream failed: ${cause.message}`, { cause })));
      }
    };
    if (secure && pin) {
      req.on('socket', (socket) => {
        const tls = socket as TLSSocket;
        const check = (): void => {
          const cert = tls.getPeerCertificate();
          const actual = cert?.raw ? createHash('sha256').update(cert.raw).digest('hex') : '';
          if (actual !== pin) {
            fail(new IppTransportError('IPP_HTTP_TLS_PIN_MISMATCH', `TLS certificate of ${url.host} has SHA-256 ${actual || '(none)'}, not the pinned ${pin}`));
          } else {
            writeBody();
          }
        };
        // A kept-alive socket from the agent has finished its handshake already.
        if (tls.getPeerCertificate?.()?.raw) check();
        else tls.once('secureConnect', check);
      });
    } else {
      writeBody();
    }
  });
}
