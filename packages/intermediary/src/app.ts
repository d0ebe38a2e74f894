/**
 * buildApp: a configured fastify instance serving this intermediary's printer object, separate from
 * listening (server.ts), so tests can drive it in-process or on an ephemeral port.
 */
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { IppOperation, requestRefusal } from '@trustnoone/ipp';
import { basicScheme, bearerScheme, httpAuthentication, ippsServerTlsOptions, registerIppRoutes, type AuthScheme, type BearerSchemeOptions, type FailureThrottleOptions, type IppHandler, type IppReply, type IppRequestContext, type IppRoutesOptions } from '@trustnoone/ipp-http';
import { Authenticator, type AuthStats } from './auth/authenticator.js';
import { UpTimeClock } from './clock.js';
import type { UserEntry } from './auth/users-file.js';
import { IntermediaryError } from './errors.js';
import { faultsFromSpec, noFaults, type FaultHook } from './faults.js';
import { createInfra, type InfraOptions } from './infra/index.js';
import { JobTable } from './jobs.js';
import { startRetention } from './retention.js';
import { getEncryptedJobAttributes } from './operations/encrypted.js';
import { cancelJob, cancelMyJobs, getJobAttributes, getJobs } from './operations/jobs.js';
import { passHoldOrRelease } from './operations/hold-release.js';
import { getPrinterAttributes } from './operations/printer.js';
import { closeJob, createJob, printJob, sendDocument } from './operations/submit.js';
import { identifyPrinter, validateJob } from './operations/validate.js';
import { registerStatusPage } from './http/web-page.js';
import { PolicyViolation } from './policy.js';
import { DEFAULT_LIMITS, type Limits, type Service } from './service.js';
import { DirectorySpool } from './spool/dir-spool.js';
import { openStore } from './store/open.js';
import { storeDown, storeUnavailableAnswer } from './store/unavailable-answer.js';
import type { Spool } from './spool/types.js';
import { Forwarder } from './upstream/forwarder.js';
import { httpUpstream, type HttpUpstreamOptions, type Upstream } from './upstream/client.js';

export interface IntermediaryOptions {
  /** State directory; the spool lives in `<state>/spool`. Ignored when `spool` or `store` is given. */
  readonly stateDir?: string;
  readonly spool?: Spool;
  /**
   * A shared store instead of the directory: `postgres://…` (store/pg/). Several instances with the
   * same store serve one queue; its schema must be current (`tno intermediary migrate`).
   */
  readonly store?: string;
  /** Shared store: how long a delivery lease lasts unless renewed (default 15 s). */
  readonly leaseMs?: number;
  /** Shared store: how often other instances' changes are pulled and dead instances' work claimed (default 500 ms). */
  readonly storeSyncMs?: number;
  /** Upstream printers: URIs with their TLS settings, or ready Upstream objects (tests, pull mode). */
  readonly upstreams: ReadonlyArray<HttpUpstreamOptions | Upstream>;
  /** URL path of the printer object (default /ipp/print). */
  readonly path?: string;
  /** End-to-end policy (default true): refuse cleartext documents and Job Template attributes. */
  readonly requireEncryption?: boolean;
  /**
   * With the policy on, also refuse a document whose first bytes are not a CMS ContentInfo of
   * (Auth)EnvelopedData — plaintext mislabelled application/pkcs7-mime, or a damaged envelope
   * (default true, as `tno intermediary` ships; false only for tests of the printer's own refusals).
   */
  readonly checkEnvelope?: boolean;
  /** Users who may authenticate with HTTP Basic. */
  readonly users?: ReadonlyMap<string, UserEntry>;
  /**
   * A users file instead of `users`: loaded by start() and re-read whenever it changes on disk, so
   * an added, changed or removed user takes effect on the next request.
   */
  readonly usersFile?: string;
  /** How long a credential that passed scrypt is accepted from memory (default 60 s; 0: never). */
  readonly credentialCacheTtlMs?: number;
  /** Wrong-password slow-down per user and per address (defaults: 5 free, then 1 s doubling to 60 s). */
  readonly authThrottle?: FailureThrottleOptions;
  /**
   * OAuth 2.0 sign-in: RFC 6750 bearer tokens, JWT access tokens (RFC 9068) from this issuer for
   * this audience, checked against the issuer's published keys. Alongside Basic when users exist.
   */
  readonly oauth?: BearerSchemeOptions;
  /** Admit requests without credentials (default: only when no users and no OAuth are configured). */
  readonly allowAnonymous?: boolean;
  /**
   * Accept Basic credentials over plain HTTP from loopback peers (tests, demos). Over any other
   * cleartext connection, credentials are refused: they would cross the network readable.
   */
  readonly allowLoopbackCleartextAuth?: boolean;
  readonly limits?: Partial<Limits>;
  readonly printerAttributesTtlMs?: number;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  readonly pollMs?: number;
  /** Fault injection for crash tests (defaults to TNO_INTERMEDIARY_FAULT). */
  readonly faults?: FaultHook;
  /** fastify logger options (pino); authorization headers are always redacted. */
  readonly logger?: FastifyServerOptions['logger'];
  /** TLS for the listening side (ipps). */
  readonly https?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** How long a finished job stays listed before it is deleted (default 1 hour). */
  readonly jobHistoryMs?: number;
  /** Multiple-operation time-out: an open job silent this long is closed (default 5 minutes). */
  readonly openJobTimeoutMs?: number;
  /** Pull mode (PWG 5100.18 INFRA): output devices fetch the jobs; `upstreams` is then unused. */
  readonly infra?: InfraOptions;
}

export interface Intermediary {
  readonly app: FastifyInstance;
  readonly service: Service;
  /** HTTP Basic checking: counters (full scrypt checks vs cache hits) and a users-file reload. */
  readonly auth: { stats(): AuthStats; load(): Promise<void> };
  /** Recovers the spool and resumes forwarding; call before serving. */
  start(): Promise<void>;
  /**
   * Stops forwarding and closes the listener. `drainMs` (a clean shutdown, SIGTERM): forwards in
   * flight may finish for that long before they are cut off (the next start resumes them).
   */
  close(options?: { readonly drainMs?: number }): Promise<void>;
}

/** RFC 1122 §3.2.1.3: all of 127/8 is loopback (tests pose as several clients with 127.0.0.x). */
const isLoopback = (address: string): boolean => address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/i.test(address);

export function buildApp(options: IntermediaryOptions): Intermediary {
  const faults = options.faults ?? (process.env.TNO_INTERMEDIARY_FAULT ? faultsFromSpec(process.env.TNO_INTERMEDIARY_FAULT) : noFaults);
  const spool: Spool =
    options.spool ??
    (options.store !== undefined ? openStore(options.store, { faults }) : undefined) ??
    new DirectorySpool({
      root: join(options.stateDir ?? (() => { throw new RangeError('buildApp: stateDir or spool is required'); })(), 'spool'),
      faults,
    });
  const upstreams = options.upstreams.map((u) => ('send' in u ? u : httpUpstream(u)));
  const auth = new Authenticator({
    ...(options.users ? { users: options.users } : {}),
    ...(options.usersFile ? { usersFile: options.usersFile } : {}),
    ...(options.credentialCacheTtlMs !== undefined ? { cache: { ttlMs: options.credentialCacheTtlMs } } : {}),
    onReloadError: (err) => app.log.warn({ err: err.message }, 'users file changed and no longer loads: nobody can authenticate until it is fixed'),
  });
  const allowAnonymous = options.allowAnonymous ?? (options.usersFile === undefined && auth.users.size === 0 && options.oauth === undefined);
  const logger: FastifyServerOptions['logger'] =
    options.logger === undefined || options.logger === false
      ? false
      : { ...(typeof options.logger === 'object' ? options.logger : {}), redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' } };
  const app = Fastify({
    logger,
    // The IPP routes stream their bodies past this (their limits apply there); nothing else here
    // takes a body, and ipp-http refuses one unread, so this only bounds what fastify might buffer.
    bodyLimit: 64 * 1024,
    // TLS 1.2 only: libcups 2.4 clients fail on TLS 1.3 session tickets (ipp-http tls-options.ts).
    ...(options.https ? { https: ippsServerTlsOptions(options.https.key, options.https.cert) } : {}),
  }) as unknown as FastifyInstance;
  const table = new JobTable(spool);
  const infraLog = { info: (o: object, m: string) => app.log.info(o, m), warn: (o: object, m: string) => app.log.warn(o, m) };
  const infra = options.infra ? createInfra(table, spool, options.path ?? '/ipp/print', { ...(options.stateDir ? { stateDir: join(options.stateDir, 'infra') } : {}), ...options.infra }, infraLog) : undefined;
  const forwarder = infra ? infra.queue : new Forwarder({
    spool,
    table,
    upstreams,
    faults,
    log: { info: (o, m) => app.log.info(o, m), warn: (o, m) => app.log.warn(o, m) },
    ...(options.retryInitialMs !== undefined ? { retryInitialMs: options.retryInitialMs } : {}),
    ...(options.retryMaxMs !== undefined ? { retryMaxMs: options.retryMaxMs } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
  });
  const service: Service = {
    spool,
    table,
    forwarder,
    upstreams: infra ? infra.queue.upstreams : upstreams,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    faults,
    requireEncryption: options.requireEncryption ?? true,
    checkEnvelope: (options.requireEncryption ?? true) && (options.checkEnvelope ?? true),
    get users() {
      return auth.users;
    },
    allowAnonymous,
    pullMode: infra !== undefined,
    clock: new UpTimeClock(),
    ...(options.oauth ? { oauth: { issuer: options.oauth.issuer, scopes: options.oauth.requiredScopes ?? [] } } : {}),
    printerAttributesTtlMs: options.printerAttributesTtlMs ?? 5000,
    uploads: 0,
    servedOperations: new Set<number>(),
  };

  // The target (RFC 8011 §4.1.5) was checked by `validate` below, before any handler runs.
  const shared = spool.changes !== undefined;
  const bind = (fn: (s: Service, ctx: IppRequestContext) => Promise<IppReply>): IppHandler => async (ctx) => {
    try {
      // Shared store: the request may concern a job another instance created or changed a moment ago.
      if (shared) await syncView();
      return await fn(service, ctx);
    } catch (err) {
      if (err instanceof PolicyViolation) return { status: err.status, statusMessage: err.statusMessage, groups: [err.unsupported] };
      // Spool and configuration errors carry their IPP status (a job closed under a racing
      // Send-Document, a document over the limit): answer with it rather than internal-error.
      // The shared store down: HTTP 503 with Retry-After, logged with its cause.
      if (storeDown(err)) throw storeUnavailableAnswer(err);
      if (err instanceof IntermediaryError) return { status: err.status, statusMessage: err.message };
      throw err;
    }
  };
  const handlers = new Map<number, IppHandler>([
    [IppOperation.printJob, bind(printJob)],
    [IppOperation.validateJob, bind(validateJob)],
    [IppOperation.identifyPrinter, bind(identifyPrinter)],
    [IppOperation.createJob, bind(createJob)],
    [IppOperation.sendDocument, bind(sendDocument)],
    [IppOperation.closeJob, bind(closeJob)],
    [IppOperation.getJobAttributes, bind(getJobAttributes)],
    [IppOperation.getJobs, bind(getJobs)],
    [IppOperation.cancelJob, bind(cancelJob)],
    [IppOperation.cancelMyJobs, bind(cancelMyJobs)],
    // Push mode only: passed to the printer holding the job (issue 13.12).
    ...(infra ? [] : ([[IppOperation.holdJob, bind(passHoldOrRelease(IppOperation.holdJob))], [IppOperation.releaseJob, bind(passHoldOrRelease(IppOperation.releaseJob))]] as const)),
    [IppOperation.getPrinterAttributes, bind(getPrinterAttributes)],
    [IppOperation.getEncryptedJobAttributes, bind(getEncryptedJobAttributes)],
  ]);
  for (const [code, h] of infra?.printerHandlers ?? []) handlers.set(code, bind(h));

  service.servedOperations = new Set(handlers.keys());

  // The seam both servers share (ipp-http): Basic against the users file, slowed after failures;
  // credentials only over TLS, or from loopback when the caller allows it (tests, demos).
  const authentication = httpAuthentication({
    realm: 'trustnoone intermediary',
    allowAnonymous,
    credentialsAllowed: (request) => request.protocol === 'https' || (options.allowLoopbackCleartextAuth === true && isLoopback(request.socket.remoteAddress ?? '')),
    schemes: [
      ...(options.oauth ? [bearerScheme(options.oauth) as AuthScheme] : []),
      basicScheme({
        verify: async (user, password) => {
          const who = await auth.authenticate(user, password);
          return who ? { name: who.name, scheme: 'Basic', scopes: [], role: who.role } : undefined;
        },
        ...(options.authThrottle ? { throttle: options.authThrottle } : {}),
        // A shared store counts failures for every instance (else each would grant its own five).
        ...(spool.signInThrottle ? { sharedThrottle: spool.signInThrottle(options.authThrottle) } : {}),
      }),
    ],
  });
  const routes: IppRoutesOptions = {
    paths: [options.path ?? '/ipp/print'],
    handlers,
    // RFC 8011 §4.1 and each served operation's REQUIRED attributes, as the printer checks them:
    // a malformed request is refused here rather than spooled. Sealed content is never looked at.
    validate: (message) => requestRefusal(message, { charsets: ['utf-8', 'us-ascii'] }),
    // The spool enforces the exact limit with RFC 8011's status; the transport's is only a backstop.
    limits: {
      maxDocumentBytes: service.limits.maxDocumentBytes + 1024 * 1024,
      ...(service.limits.bodyIdleTimeoutMs !== undefined ? { bodyIdleTimeoutMs: service.limits.bodyIdleTimeoutMs } : {}),
      ...(service.limits.maxRequestsPerClient !== undefined ? { maxRequestsPerClient: service.limits.maxRequestsPerClient } : {}),
    },
    authenticate: (request: FastifyRequest) => authentication.authenticate(request),
  };
  registerIppRoutes(app, routes);
  const startedAt = new Date();
  const pins = new Map(options.upstreams.filter((u): u is HttpUpstreamOptions => !('send' in u)).map((u) => [u.uri, u.tls?.pinSha256]));
  registerStatusPage(app, authentication, () => ({
    path: options.path ?? '/ipp/print',
    mode: infra ? 'infra' : 'push',
    requireEncryption: service.requireEncryption,
    jobs: table.all(),
    upstreams: infra ? [] : service.upstreams.map((u) => ({ uri: u.uri, pinSha256: pins.get(u.uri), reachable: !service.forwarder.unreachable.has(u.uri) })),
    devices: infra?.queue.registry.list(),
    startedAt,
  }));
  if (infra) registerIppRoutes(app, { ...routes, paths: [infra.systemPath], handlers: new Map([...infra.systemHandlers].map(([c, h]) => [c, bind(h)])) });

  let started = false;
  let closing = false;
  let stopRetention: (() => void) | undefined;
  let syncTimer: NodeJS.Timeout | undefined;
  /** Pulls other instances' changes into the view and nudges delivery (or INFRA events) of each. */
  async function syncView(): Promise<void> {
    const touched = await table.sync();
    // Pull mode publishes each change to the devices polling this instance. Push mode needs no
    // nudge: the instance that changed a job kicked its delivery, the holder of a delivery lease
    // re-reads the job before each step, and the takeover scan claims whatever nobody holds.
    if (infra) for (const id of touched) infra.queue.kick(id, true);
    // Output devices registered at another instance (a handful of rows): before each request, as a
    // device may register at one instance and speak at once to another, and an owner's request
    // must find the device its job is bound to wherever it registered.
    if (infra) {
      await infra.queue.registry.load();
      infra.queue.syncUpstreams();
    }
  }
  return {
    app,
    service,
    auth,
    async start() {
      if (started) return;
      started = true;
      await auth.load();
      await infra?.queue.load();
      const jobs = await spool.recover();
      for (const q of spool instanceof DirectorySpool ? spool.quarantined : []) app.log.warn(q, 'spool: unreadable job moved to quarantine');
      table.load(jobs);
      for (const { job } of jobs) service.clock.include(job.createdAt);
      for (const { job } of jobs) forwarder.kick(job.id);
      if (shared) {
        if (forwarder instanceof Forwarder) forwarder.startTakeover(options.storeSyncMs ?? 500);
        // One pull at a time; a notification during a pull asks for one more after it, and
        // notifications are followed at most every 50 ms (a busy cluster notifies on every write).
        let busy = false;
        let again = false;
        const pullNow = (): void => {
          if (closing) return;
          if (busy) {
            again = true;
            return;
          }
          busy = true;
          again = false;
          syncView()
            .catch((err: unknown) => app.log.warn({ err: (err as Error).message }, 'store: pulling other instances\' changes failed'))
            .finally(() => {
              const t = setTimeout(() => {
                busy = false;
                if (again) pullNow();
              }, 50);
              t.unref();
            });
        };
        syncTimer = setInterval(pullNow, options.storeSyncMs ?? 500);
        syncTimer.unref();
        spool.onChanged?.(pullNow);
      }
      stopRetention = startRetention(table, {
        historyMs: options.jobHistoryMs ?? 3_600_000,
        ...(options.openJobTimeoutMs !== undefined ? { openJobTimeoutMs: options.openJobTimeoutMs } : {}),
        spool,
        kick: (id) => forwarder.kick(id),
        onError: (err) => app.log.warn({ err: (err as Error).message }, 'job housekeeping failed'),
      });
    },
    async close(o = {}) {
      stopRetention?.();
      // Stop accepting (the listener closes at once; requests in progress finish) while the
      // forwards in flight drain.
      closing = true;
      if (syncTimer) clearInterval(syncTimer);
      await Promise.all([forwarder.stop(o.drainMs ?? 0), app.close()]);
      await spool.close?.();
    },
  };
}
