/**
 * buildApp: the printer as a configured fastify instance, not yet listening (tests use
 * `inject`; server.ts listens). Preparing the state directory — identity, keys, replay cache,
 * removal of plaintext a crash left behind — happens here, before the first request.
 */
import { PIN_ATTEMPTS_DEFAULT, PIN_HOLD_MS_DEFAULT, PIN_REPERTOIRE_DEFAULT } from './attributes/capabilities.js';
import { PinReleaseDesk, type ReleaseResult } from './secure/pin-release.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { availableParallelism } from 'node:os';
import { ippsServerTlsOptions, registerIppRoutes } from '@trustnoone/ipp-http';
import { oauthAuthentication } from './http/oauth-authentication.js';
import type { PrinterIdentity, PrinterStatus } from './attributes/printer-attributes.js';
import { parseCertificate } from '@trustnoone/smime';
import { registerOwnerView } from './http/owner-view.js';
import { registerWebPage } from './http/web-page.js';
import { restoreJobHistory } from './jobs/job-history.js';
import { JobCounter } from './jobs/job-counter.js';
import { JobRecords } from './jobs/job-records.js';
import { printerFaultsFromSpec } from './faults.js';
import { recoverJobs } from './jobs/job-recovery.js';
import { JobStore } from './jobs/job-store.js';
import { operationHandlers, SUPPORTED_OPERATIONS } from './ops/operation-table.js';
import { checkRequest } from './requests/request-checks.js';
import { DEFAULTS, type PrinterOptions } from './options.js';
import { JobProcessor } from './pipeline/processor.js';
import type { Renderer } from './pipeline/renderer.js';
import type { PrinterRuntime } from './runtime.js';
import { loadKeyStore, type KeyStore } from './secure/key-store.js';
import { makeSealedOpener } from './secure/open-sealed.js';
import { PersistentReplayCache } from './secure/replay-cache.js';
import { PoolLedgerClient } from './pool/ledger-client.js';
import { PoolReplayCache } from './pool/pool-replay.js';
import { loadOrCreateIdentity } from './state/identity.js';
import { cleanJobsOnStart, prepareState, stateLayout } from './state/state-dir.js';

/** The printer object, and its jobs' URIs (job-uri = printer URI + /job-id, RFC 8011 §4.3.1). */
export const IPP_PATHS = ['/ipp/print', '/', '/ipp/print/:jobId'] as const;


/** The parts of a built printer that callers (server, CLI, tests, benchmark) use. */
export interface PrinterHandle {
  readonly app: FastifyInstance;
  readonly runtime: PrinterRuntime;
  readonly keys: KeyStore;
  /** printer-uuid without the urn:uuid: prefix. */
  readonly uuid: string;
  /**
   * The printer's panel: enter a release code for a job held behind one (secure PIN release).
   * Local only, so the code never crosses the network or an intermediary.
   */
  release(jobId: number, pin: string | Uint8Array): Promise<ReleaseResult>;
  /** Ids of the jobs waiting for their release code. */
  heldJobs(): number[];
  /** Sets the URIs advertised in printer-uri-supported (after listen, when the port is known). */
  setUris(uris: readonly string[]): void;
  /** Stops the engine (aborting queued jobs) and closes the app. */
  close(): Promise<void>;
}

const REDACT = ['req.headers.authorization', 'req.headers.cookie'];

/**
 * The isolated renderers, in the sandbox the options ask for (resolved now, so a printer that would
 * render as root without one refuses to start instead of failing every job).
 */
async function defaultRenderer(options: PrinterOptions): Promise<{ renderer: Renderer; summary: string; close?: () => Promise<void> }> {
  const mod = await import('./render/index.js');
  const sandbox = mod.resolveRenderSandbox({
    ...(options.renderSandbox ? { mode: options.renderSandbox } : {}),
    ...(options.renderUser !== undefined ? { user: options.renderUser } : {}),
  });
  // While jobs wait, up to one warm spare per renderer slot (docs/decisions.md D38): a queued job's
  // worker process starts while the job before it renders, not once the job reaches the engine.
  const spares = options.renderSpares ?? options.renderConcurrency ?? availableParallelism();
  if (!Number.isSafeInteger(spares) || spares < 0) throw new RangeError(`render spares must be an integer >= 0, got ${spares}`);
  if (spares === 0) return { renderer: (request) => mod.renderDocument({ ...request, sandbox }), summary: sandbox.summary };
  const warm = new mod.WarmWorkers({ sandbox, limits: mod.resolveLimits(options.renderLimits), dir: stateLayout(options.stateDir).renderSlots, spares });
  return {
    renderer: (request) => mod.renderDocument({ ...request, sandbox }, warm),
    summary: `${sandbox.summary}; ${spares} started ahead`,
    close: () => warm.close(),
  };
}

export async function buildApp(options: PrinterOptions): Promise<PrinterHandle> {
  const layout = stateLayout(options.stateDir);
  await prepareState(layout);
  const rendering = options.renderer ? { renderer: options.renderer, summary: 'custom renderer' } : await defaultRenderer(options);
  const { maxJobId } = await cleanJobsOnStart(layout);
  const ident = await loadOrCreateIdentity(layout.identityFile);
  const keys = await loadKeyStore(layout, {
    algorithm: options.keyAlgorithm ?? 'p256',
    printerUuid: ident.uuid,
    printerName: options.name ?? DEFAULTS.name,
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.postQuantum ? { postQuantum: options.postQuantum } : {}),
  });
  const replayRetentionMs = options.replayRetentionMs ?? DEFAULTS.replayRetentionMs;
  const localReplay = await PersistentReplayCache.open(layout.replay, replayRetentionMs);
  // A pool member also claims each job at the pool ledger (docs/decisions.md D32).
  const replay = options.poolLedger ? new PoolReplayCache(localReplay, new PoolLedgerClient(options.poolLedger)) : localReplay;

  const app = Fastify({
    logger: options.logger ?? { level: 'info', redact: REDACT },
    // TLS 1.2 only: libcups 2.4 clients fail on TLS 1.3 session tickets (ipp-http tls-options.ts).
    // A client certificate is asked for, never required: IPP clients send none and are served as
    // always; a browser may present the owner's, for the owner view (http/owner-view.ts).
    ...(options.https ? { https: { ...ippsServerTlsOptions(options.https.key, options.https.cert), requestCert: true, rejectUnauthorized: false } } : {}),
    // IPP requests are POSTs of arbitrary size handled as streams; fastify's body limit does not apply.
    bodyLimit: 1024 * 1024,
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  const historyMs = options.jobHistoryMs ?? DEFAULTS.jobHistoryMs;
  const jobCounter = await JobCounter.open(layout.jobCounter);
  const store = new JobStore({ firstId: Math.max(maxJobId, jobCounter.highest) + 1, historyMs, maxHistory: options.maxJobHistory ?? DEFAULTS.maxJobHistory });
  await restoreJobHistory(layout, store, historyMs, app.log);
  const records = new JobRecords(layout);
  const faults = options.faults ?? printerFaultsFromSpec(process.env.TNO_PRINTER_FAULT);
  store.onChange((job) => {
    if (job.finalized) records.ended(job.id);
  });
  const concurrency = options.renderConcurrency ?? availableParallelism();
  app.log.info({ renderConcurrency: concurrency }, `printer: ${rendering.summary}, up to ${concurrency} at once`);
  const processor = new JobProcessor(store, layout, rendering.renderer, options.renderLimits ?? {}, app.log, concurrency, faults);
  const startedAt = new Date();
  let identity: PrinterIdentity = {
    name: options.name ?? DEFAULTS.name,
    uuid: ident.uuid,
    makeAndModel: 'trustnoone printer emulator',
    location: options.location ?? DEFAULTS.location,
    info: 'TRUSTNOONE reference printer (end-to-end encrypted jobs)',
    uris: options.uris ?? [DEFAULTS.uri],
    pkcs7PublicKeyLines: keys.certificatePemLines,
    requireEncryption: options.requireEncryption ?? false,
    pinRepertoire: options.pinRepertoire ?? PIN_REPERTOIRE_DEFAULT,
    operations: SUPPORTED_OPERATIONS,
    ...(options.oauth ? { oauth: { issuer: options.oauth.issuer, scopes: options.oauth.requiredScopes ?? [] } } : {}),
  };
  const policy = { requireEncryption: options.requireEncryption ?? false, requireSignature: options.requireSignature ?? false };
  if (policy.requireSignature && (options.trustAnchorsPem ?? []).length === 0) {
    throw new RangeError('requireSignature needs at least one trust anchor (trustAnchorsPem)');
  }
  const limits = {
    maxDocumentBytes: options.maxDocumentBytes ?? DEFAULTS.maxDocumentBytes,
    maxActiveJobs: options.maxActiveJobs ?? DEFAULTS.maxActiveJobs,
    multipleOperationTimeoutMs: options.multipleOperationTimeoutMs ?? DEFAULTS.multipleOperationTimeoutMs,
  };
  // Built before the runtime, from what it needs and no more, so the runtime is whole when made.
  const openSealed =
    options.openSealed ??
    makeSealedOpener({
      layout,
      printerUuid: ident.uuid,
      maxDocumentBytes: limits.maxDocumentBytes,
      keys,
      replay,
      requireSignature: policy.requireSignature,
      trustAnchorsPem: options.trustAnchorsPem ?? [],
      pinRelease: identity.pinRepertoire !== 'none',
      allowSha1Kdf: options.allowSha1Kdf ?? false,
      replayRetentionMs,
    });

  const runtime: PrinterRuntime = {
    get identity() {
      return identity;
    },
    layout,
    store,
    jobCounter,
    records,
    replay,
    faults,
    processor,
    policy,
    openSealed,
    limits,
    startedAt,
    log: app.log,
    status(): PrinterStatus {
      const active = store.active();
      return {
        state: processor.busy ? 'processing' : 'idle',
        stateReasons: [],
        stateMessage: processor.busy ? 'Printing.' : 'Idle.',
        isAcceptingJobs: true,
        queuedJobCount: active.length,
        startedAt,
        stateChangedAt: processor.stateChangedAt,
        now: new Date(),
      };
    },
  };
  const desk = new PinReleaseDesk(runtime, options.pinAttempts ?? PIN_ATTEMPTS_DEFAULT, options.pinHoldMs ?? PIN_HOLD_MS_DEFAULT);
  // Jobs the previous process acknowledged but did not finish continue (jobs/job-recovery.ts);
  // after the desk exists, so a recovered job held for its release code gets its hold timer.
  await recoverJobs(runtime);

  if (options.authentication && options.oauth) throw new RangeError('printer options: give authentication or oauth, not both');
  const authentication = options.authentication ?? (options.oauth ? oauthAuthentication(options.oauth, options.allowLoopbackCleartextAuth === true) : undefined);
  registerIppRoutes(app, {
    paths: [...IPP_PATHS],
    handlers: operationHandlers({ runtime, keys }),
    // The one limit on the bytes of a document as they arrive, clear or sealed; decompression is
    // capped at the same size where it happens (pipeline/spool.ts).
    limits: {
      maxDocumentBytes: limits.maxDocumentBytes,
      ...(options.bodyIdleTimeoutMs !== undefined ? { bodyIdleTimeoutMs: options.bodyIdleTimeoutMs } : {}),
      ...(options.maxRequestsPerClient !== undefined ? { maxRequestsPerClient: options.maxRequestsPerClient } : {}),
    },
    validate: checkRequest,
    ...(authentication ? { authenticate: authentication.authenticate } : {}),
  });

  // The owner view proves who asks by the TLS client certificate, not by HTTP authentication.
  registerOwnerView(app, runtime);
  const page = {
    keyFingerprint: keys.fingerprint,
    tlsFingerprint: options.https ? parseCertificate(options.https.cert).fingerprint : undefined,
  };
  if (authentication) {
    // The web pages sit behind the same seam as the IPP routes (a plugin scope with its hook).
    await app.register(async (pages) => {
      pages.addHook('onRequest', authentication.hook);
      registerWebPage(pages, runtime, page);
    });
  } else {
    registerWebPage(app, runtime, page);
  }

  let closed = false;
  return {
    app,
    runtime,
    keys,
    uuid: ident.uuid,
    release: (jobId, pin) => desk.release(jobId, pin),
    heldJobs: () => desk.held(),
    setUris(uris) {
      identity = { ...identity, uris: [...uris] };
    },
    async close() {
      if (closed) return;
      closed = true;
      // Stop accepting first and let requests in progress finish (an upload half-way in is
      // received whole and recorded), then the engine; the replay cache closes last.
      await app.close();
      await desk.close();
      await processor.stop();
      await rendering.close?.();
      await replay.close();
    },
  };
}
