import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  IppError,
  IppStatus,
  isErrorStatus,
  encodeHeader,
  readIppMessage,
  validateEnvelope,
  type DecodeLimits,
  type IppAttribute,
  type IppGroup,
  type IppMessage,
  type IppValue,
} from '@trustnoone/ipp';
import { byteLimit, ByteLimitExceeded } from '../byte-limit.js';
import { HttpAuthRequired, HttpAuthThrottled, HttpServiceUnavailable, IppStatusError } from '../errors.js';
import type { IppHandler, IppReply, IppRequestContext } from './context.js';
import { guardRequestBodies } from './body-guard.js';
import { mediaType, refuseUnread } from './refuse-unread.js';
import { ClientSlots, clientKey } from './client-slots.js';
import type { Principal } from './auth/principal.js';

export interface IppRoutesOptions {
  /** URL paths that accept IPP requests (e.g. '/ipp/print'). */
  readonly paths: readonly string[];
  /** Operation handlers by operation-id. An operation without one gets operation-not-supported. */
  readonly handlers: ReadonlyMap<number, IppHandler>;
  /** Limits on the attribute section (passed to the decoder) and on the document data. */
  readonly limits?: {
    readonly decode?: Partial<DecodeLimits>;
    readonly maxDocumentBytes?: number;
    /**
     * A request whose body sends nothing for this long is cut off (default
     * DEFAULT_BODY_IDLE_TIMEOUT_MS): a stalled upload must not hold its slot forever.
     */
    readonly bodyIdleTimeoutMs?: number;
    /**
     * IPP requests one client may have in progress (default DEFAULT_MAX_REQUESTS_PER_CLIENT); a
     * client is its account once authenticated, else its address. Beyond it: HTTP 503, unread.
     */
    readonly maxRequestsPerClient?: number;
  };
  /**
   * Authenticates the HTTP request (see httpAuthentication, the seam both servers use): return the
   * principal (or just a user name), `undefined` for anonymous, or throw HttpAuthRequired (401/403)
   * or HttpAuthThrottled (429). Runs before a byte of the body is read.
   */
  readonly authenticate?: (request: FastifyRequest) => Promise<Principal | string | undefined>;
  /**
   * Further checks before dispatch (e.g. @trustnoone/ipp's requestRefusal), run only for operations
   * in `handlers`: the envelope checks of RFC 8011 §4.1 run first, operation-not-supported next.
   */
  readonly validate?: (message: IppMessage) => { readonly status: number; readonly message: string } | undefined;
}

const DEFAULT_MAX_DOCUMENT = 4 * 1024 ** 3;
/** As long as a slow link may go quiet mid-upload, far shorter than a stalled client could hold a slot. */
export const DEFAULT_BODY_IDLE_TIMEOUT_MS = 60_000;
/** Enough for a client's parallel jobs and queries; a small share of any server-wide upload limit. */
export const DEFAULT_MAX_REQUESTS_PER_CLIENT = 16;
/** RFC 8011 §4.1.4.1: utf-8 is required; us-ascii is a subset every client may still send. */
const ENVELOPE_OPTIONS = { charsets: ['utf-8', 'us-ascii'] } as const;

/**
 * Registers POST routes that speak IPP over HTTP (RFC 8010 §4): the body is read as a stream, the
 * attribute section decoded and checked (RFC 8011 §4.1), the document handed on as a stream, and
 * the handler's reply encoded back. Errors never escape as HTTP 500: every failure is an IPP status.
 */
export function registerIppRoutes(app: FastifyInstance, options: IppRoutesOptions): void {
  guardRequestBodies(app);
  // Hand the raw body on untouched: the IPP reader consumes it incrementally.
  if (!app.hasContentTypeParser('application/ipp')) {
    app.addContentTypeParser('application/ipp', (_req, payload, done) => done(null, payload));
  }
  const admit = admission(options, new ClientSlots(options.limits?.maxRequestsPerClient ?? DEFAULT_MAX_REQUESTS_PER_CLIENT));
  for (const path of options.paths) {
    app.post(path, { config: { readsBody: true }, onRequest: admit }, async (request, reply) => handle(request, reply, options));
  }
}


/**
 * Runs before fastify parses anything: RFC 8010 §4 requires application/ipp, so any other body is
 * refused with 415 unread; then the credentials are checked, so no body is read for a stranger.
 */
function admission(options: IppRoutesOptions, slots: ClientSlots) {
  const idleMs = options.limits?.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (mediaType(request.headers['content-type']) !== 'application/ipp') {
      request.log.info({ contentType: request.headers['content-type'] }, 'ipp: not application/ipp');
      return refuseUnread(request, reply, 415, 'IPP requests are application/ipp (RFC 8010 §4)');
    }
    if (options.authenticate) {
      try {
        const who = await options.authenticate(request);
        request.principal = typeof who === 'string' ? { name: who, scheme: 'unknown', scopes: [] } : who;
      } catch (err) {
        if (err instanceof HttpAuthRequired) {
          request.log.info({ reason: err.message }, 'ipp: authentication required');
          return refuseUnread(request, reply, err.status, err.status === 403 ? 'insufficient scope' : err.status === 400 ? 'malformed credentials' : 'authentication required', { 'www-authenticate': err.challenges });
        }
        if (err instanceof HttpAuthThrottled) {
          // RFC 6585 §4: 429 with Retry-After; the credentials were not checked.
          return refuseUnread(request, reply, 429, err.message, { 'retry-after': String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))) });
        }
        if (err instanceof HttpServiceUnavailable) return serviceUnavailable(request, reply, err);
        throw err;
      }
    }
    const client = clientKey(request.principal?.name, request.ip);
    const release = slots.acquire(client);
    if (!release) {
      request.log.warn({ client, limit: slots.perClient }, 'ipp: client has too many requests in progress');
      return refuseUnread(request, reply, 503, `too many requests in progress from this client (limit ${slots.perClient}); retry when one finishes`, { 'retry-after': '5' });
    }
    reply.raw.once('close', release);
    cutOffWhenIdle(request, idleMs);
    return undefined;
  };
}

/**
 * Destroys the connection when the request body goes quiet for `idleMs` (the socket's inactivity
 * timer, which only the client's bytes reset while it uploads); disarmed once the body has ended.
 */
function cutOffWhenIdle(request: FastifyRequest, idleMs: number): void {
  const raw = request.raw;
  // fastify's inject() hands in a request without a socket: nothing there can stall.
  if (idleMs <= 0 || raw.complete || !(raw.socket instanceof Socket)) return;
  const onTimeout = (): void => {
    request.log.info({ idleMs, client: request.ip }, 'ipp: request body idle, connection closed');
    raw.socket?.destroy();
  };
  raw.setTimeout(idleMs, onTimeout);
  raw.once('end', () => {
    raw.off('timeout', onTimeout);
    raw.socket?.setTimeout(0);
  });
}

async function handle(request: FastifyRequest, reply: FastifyReply, options: IppRoutesOptions): Promise<FastifyReply> {

  const body = request.body as Readable;
  let message: IppMessage;
  let data: Readable;
  try {
    ({ message, data } = await readIppMessage(body, { limits: options.limits?.decode }));
  } catch (err) {
    if (err instanceof IppError) {
      request.log.info({ code: err.code, offset: err.offset }, 'ipp: undecodable request');
      await drain(request, reply);
      return sendIpp(reply, minimalResponse(err.status, err.message, 0));
    }
    throw err;
  }

  const requestId = message.requestId;
  const languageOf = naturalLanguage(message);
  // RFC 8011 §4.1.8 order: version and request-id (the envelope), then operation-not-supported;
  // an operation's own attributes are checked only for the operations served.
  const handler = options.handlers.get(message.code);
  const violation = validateEnvelope(message, ENVELOPE_OPTIONS)[0] ?? (handler ? options.validate?.(message) : undefined);
  if (violation) {
    request.log.info({ op: message.code, status: violation.status, reason: violation.message }, 'ipp: request refused');
    await drain(request, reply);
    return sendIpp(reply, responseFor(message, { status: violation.status, statusMessage: violation.message }, languageOf));
  }
  if (!handler) {
    await drain(request, reply);
    return sendIpp(
      reply,
      responseFor(message, { status: IppStatus.serverErrorOperationNotSupported, statusMessage: 'operation not supported' }, languageOf),
    );
  }

  const limited = data.pipe(byteLimit(options.limits?.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT));
  data.on('error', (e) => limited.destroy(e));
  // A handler may read the document with no 'error' listener of its own (or stop reading and
  // return); an over-limit or aborted upload must then fail that handler's read, not the process.
  // Listeners it does attach (for await, pipeline) still receive the error.
  let documentError: unknown;
  limited.on('error', (e) => {
    documentError = e;
  });
  const ctx: IppRequestContext = {
    message,
    operationId: message.code,
    data: limited,
    user: request.principal?.name,
    principal: request.principal,
    remoteAddress: request.ip,
    secure: request.protocol === 'https',
    path: request.url.split('?')[0] ?? request.url,
    log: request.log,
    http: request,
  };

  let result: IppReply;
  try {
    result = await handler(ctx);
  } catch (err) {
    if (err instanceof HttpServiceUnavailable) return serviceUnavailable(request, reply, err);
    result = replyForError(err, request, requestId);
  }
  if (documentError instanceof ByteLimitExceeded && !isErrorStatus(result.status)) {
    // The handler ignored the truncation of its document: the request still failed.
    result = replyForError(documentError, request, requestId);
  }
  if (!limited.readableEnded) await drain(request, reply, limited);
  return sendIpp(reply, responseFor(message, result, languageOf));
}

/**
 * HTTP 503 with Retry-After, from the authentication hook or a handler, for a service the request
 * needs that is down (RFC 9110 §15.6.4): logged as an error with its cause, and whatever the client
 * has not sent yet of the body is left unread.
 */
function serviceUnavailable(request: FastifyRequest, reply: FastifyReply, err: HttpServiceUnavailable): FastifyReply {
  request.log.error({ err: err.cause ?? err }, `ipp: answered 503: ${err.message}`);
  return refuseUnread(request, reply, 503, err.message, { 'retry-after': String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))) });
}

function replyForError(err: unknown, request: FastifyRequest, requestId: number): IppReply {
  if (err instanceof IppStatusError) {
    request.log.info({ status: err.status, reason: err.statusMessage, requestId }, 'ipp: operation failed');
    return { status: err.status, statusMessage: err.statusMessage };
  }
  if (err instanceof ByteLimitExceeded || (err as { cause?: unknown })?.cause instanceof ByteLimitExceeded) {
    return { status: IppStatus.clientErrorRequestEntityTooLarge, statusMessage: 'document data exceeds the size limit' };
  }
  if (err instanceof IppError) {
    return { status: err.status, statusMessage: err.message };
  }
  request.log.error({ err, requestId }, 'ipp: handler failed');
  return { status: IppStatus.serverErrorInternalError, statusMessage: 'internal error' };
}

/** What is read and thrown away of an unused body before giving up on the connection instead. */
const DISCARD_MAX_BYTES = 1 << 20;
const DISCARD_MAX_MS = 1000;

/**
 * Finishes with a body the handler did not read. A short remainder (every request without a large
 * document) is read and dropped so the connection stays open for the next request; beyond
 * DISCARD_MAX_BYTES or DISCARD_MAX_MS the connection is closed after the response rather than
 * handing a client free bandwidth on our side.
 */
async function drain(request: FastifyRequest, reply: FastifyReply, stream?: Readable): Promise<void> {
  const body = stream ?? (request.body as Readable | undefined);
  if (!body || typeof body.resume !== 'function' || body.readableEnded) return;
  body.on('error', () => undefined);
  if (body.destroyed) {
    // Failed mid-upload (over the limit, client gone): the rest of the body is not ours to read.
    reply.header('connection', 'close');
    request.raw.resume();
    return;
  }
  const ended = await new Promise<boolean>((resolve) => {
    let seen = 0;
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onError);
      resolve(ok);
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > DISCARD_MAX_BYTES) finish(false);
    };
    const onEnd = (): void => finish(true);
    const onError = (): void => finish(false);
    const timer = setTimeout(() => finish(false), DISCARD_MAX_MS);
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
    body.once('close', onError);
    body.resume();
  });
  if (!ended) {
    reply.header('connection', 'close');
    body.resume(); // keep discarding until the socket closes
  }
}

function naturalLanguage(message: IppMessage): string {
  const op = message.groups[0];
  const attr = op?.attributes[1];
  const v = attr?.name === 'attributes-natural-language' ? attr.values[0] : undefined;
  return v && v.tag === 'naturalLanguage' ? v.value : 'en';
}

function responseFor(request: IppMessage, result: IppReply, language: string): { message: IppMessage; data?: Readable | Uint8Array } {
  const operation: IppAttribute[] = [
    attr('attributes-charset', { tag: 'charset', value: 'utf-8' }),
    attr('attributes-natural-language', { tag: 'naturalLanguage', value: language }),
  ];
  if (result.statusMessage) operation.push(attr('status-message', { tag: 'textWithoutLanguage', value: result.statusMessage.slice(0, 255) }));
  operation.push(...(result.operationAttributes ?? []));
  const groups: IppGroup[] = [{ tag: 0x01, attributes: operation }, ...(result.groups ?? [])];
  const supported = request.version.major === 1 || request.version.major === 2;
  const message: IppMessage = {
    version: result.version ?? (supported ? request.version : { major: 2, minor: 0 }),
    code: result.status,
    requestId: request.requestId,
    groups,
  };
  return result.data === undefined ? { message } : { message, data: result.data };
}

function minimalResponse(status: number, statusMessage: string, requestId: number): { message: IppMessage } {
  return {
    message: {
      version: { major: 2, minor: 0 },
      code: status,
      requestId,
      groups: [
        {
          tag: 0x01,
          attributes: [
            attr('attributes-charset', { tag: 'charset', value: 'utf-8' }),
            attr('attributes-natural-language', { tag: 'naturalLanguage', value: 'en' }),
            attr('status-message', { tag: 'textWithoutLanguage', value: statusMessage.slice(0, 255) }),
          ],
        },
      ],
    },
  };
}

function attr(name: string, value: IppValue): IppAttribute {
  return { name, values: [value] };
}

function sendIpp(reply: FastifyReply, response: { message: IppMessage; data?: Readable | Uint8Array }): FastifyReply {
  const header = encodeHeader(response.message);
  reply.code(200).type('application/ipp');
  const data = response.data;
  if (data === undefined) return reply.send(Buffer.from(header.buffer, header.byteOffset, header.byteLength));
  if (data instanceof Uint8Array) return reply.send(Buffer.concat([header, data]));
  const body = Readable.from(
    (async function* () {
      yield Buffer.from(header.buffer, header.byteOffset, header.byteLength);
      for await (const chunk of data) yield chunk as Buffer;
    })(),
    { objectMode: false },
  );
  return reply.send(body);
}
