/**
 * @trustnoone/printer — an IPP Everywhere printer emulator that is a strict TRUSTNOONE endpoint:
 * it opens sealed jobs, verifies them and renders pages (see README.md).
 */
export { buildApp, IPP_PATHS, type PrinterHandle } from './app.js';
export { startPrinter, closeOnSignals, type StartOptions, type RunningPrinter } from './server.js';
export { DEFAULTS, type PrinterOptions, type KeyAlgorithm } from './options.js';
export { RENDER_SANDBOX_MODES, type RenderSandboxMode } from './render/sandbox/render-sandbox.js';
export { PrinterError, type PrinterErrorCode } from './errors.js';
export type { Job, JobState, SealInfo } from './jobs/job.js';
export type { Manifest } from './jobs/manifest.js';
export type { Renderer } from './pipeline/renderer.js';
export type { KeyStore } from './secure/key-store.js';
export type { ReleaseResult } from './secure/pin-release.js';
export { panelRequest, type PanelRequest, type PanelResponse } from './secure/panel-socket.js';
export { PIN_REPERTOIRES, RENDER_FORMATS, type PinRepertoire } from './attributes/capabilities.js';
export { SecurityFailure, type SecurityCheck } from './secure/security-failure.js';
export { stateLayout, jobPaths } from './state/state-dir.js';
export { PrinterFaultPoint, printerFaultsFromSpec, type PrinterFaultHook } from './faults.js';
export { showFingerprint, type FingerprintInfo } from './fingerprint.js';
export { loadOrCreateTlsCredentials, type TlsCredentials } from './secure/tls.js';
export { startProxy, type ProxyOptions, type RunningProxy } from './proxy/proxy.js';
export { startPoolLedger, normaliseFingerprint, POOL_LEDGER_RETENTION_DEFAULT_MS, type PoolLedgerOptions, type RunningPoolLedger } from './pool/ledger-server.js';
export { PoolLedgerClient, type PoolLedgerSettings } from './pool/ledger-client.js';
export { PoolRefusal, poolClaim } from './pool/pool-replay.js';
