/** Options of the printer emulator, with the defaults of docs/architecture.md "Configuration defaults". */
import type { PoolLedgerSettings } from './pool/ledger-client.js';
import type { PrinterFaultHook } from './faults.js';
import type { KemAlgorithm } from '@trustnoone/smime';
import type { FastifyServerOptions } from 'fastify';
import type { Authentication, BearerSchemeOptions } from '@trustnoone/ipp-http';
import type { PinRepertoire } from './attributes/capabilities.js';
import type { Renderer } from './pipeline/renderer.js';
import type { RenderLimits } from './render/limits.js';
import type { RenderSandboxMode } from './render/sandbox/render-sandbox.js';
import type { SealedOpener } from './runtime.js';

export type KeyAlgorithm = 'p256' | 'x25519' | 'rsa';

export interface PrinterOptions {
  /** The state directory (keys, certificates, jobs, replay cache). */
  readonly stateDir: string;
  readonly name?: string;
  readonly location?: string;
  /** URIs advertised in printer-uri-supported; startPrinter fills them in once it listens. */
  readonly uris?: readonly string[];
  /** Refuse cleartext jobs (docs/spec-notes.md §2 policy). Default false: accept both. */
  readonly requireEncryption?: boolean;
  /** Refuse sealed jobs without a signature chaining to `trustAnchorsPem`. Default false. */
  readonly requireSignature?: boolean;
  /** PEM text of the CA certificates signatures are verified against. */
  readonly trustAnchorsPem?: readonly string[];
  /** How long ended jobs stay visible to Get-Jobs / Get-Job-Attributes (ms). Default 1 hour. */
  readonly jobHistoryMs?: number;
  /** Ended jobs kept at most, whatever their age. Default 10,000. */
  readonly maxJobHistory?: number;
  /** Jobs not yet ended at most; more job creation requests get server-error-busy. Default 500. */
  readonly maxActiveJobs?: number;
  /** Largest document accepted (bytes, after decompression). Default 1 GiB. */
  readonly maxDocumentBytes?: number;
  /** A request body that sends nothing for this long is cut off (ms). Default ipp-http's 60 s. */
  readonly bodyIdleTimeoutMs?: number;
  /** IPP requests one client (account, else address) may have in progress. Default ipp-http's 16. */
  readonly maxRequestsPerClient?: number;
  /** PWG 5100.5 multiple-operation-time-out (ms). Default 60 s. */
  readonly multipleOperationTimeoutMs?: number;
  /**
   * Accept sealed jobs whose ECDH key agreement uses the SHA-1 X9.63 KDF (`openssl cms`'s default
   * unless given -keyopt ecdh_kdf_md:sha256). Default false: refused as a downgrade.
   */
  readonly allowSha1Kdf?: boolean;
  /** How long the replay cache remembers a job nonce (ms). Default 400 days. */
  readonly replayRetentionMs?: number;
  /**
   * Secure PIN release (docs/profile.md): the repertoire advertised as
   * printer-pkcs7-repertoire-configured, or 'none' to refuse jobs behind a release code.
   * Default 'iana_us-ascii_digits'.
   */
  readonly pinRepertoire?: PinRepertoire | 'none';
  /** Wrong release codes a held job takes before it is aborted. Default 5. */
  readonly pinAttempts?: number;
  /** How long a held job waits for its release code before it is aborted and deleted (ms). Default 24 h. */
  readonly pinHoldMs?: number;
  /**
   * This printer is one member of an INFRA pool: claim each sealed job at the pool ledger before
   * taking it, so no two members print one job (pool/pool-replay.ts, docs/decisions.md D32).
   */
  readonly poolLedger?: PoolLedgerSettings;
  /** The renderer (default: the isolated renderers of src/render). */
  readonly renderer?: Renderer;
  readonly renderLimits?: Partial<RenderLimits>;
  /**
   * The renderers' sandbox (docs/decisions.md D15): 'auto' (default) = bubblewrap where it works,
   * required when the printer runs as root; 'require'; 'none'. Ignored with a custom `renderer`.
   */
  readonly renderSandbox?: RenderSandboxMode;
  /** When the printer runs as root, the account renderers run as (name or uid). Default 'nobody'. */
  readonly renderUser?: string;
  /** Jobs rendered at once, each in its own renderer process. Default: the number of cores. */
  readonly renderConcurrency?: number;
  /**
   * Renderer processes started ahead of their job, each for one job only (docs/decisions.md D38).
   * Default: renderConcurrency; 0 starts every worker when its job reaches the engine.
   */
  readonly renderSpares?: number;
  /** Replaces the sealed-job opener (default: smime + profile, see secure/open-sealed.ts). */
  readonly openSealed?: SealedOpener;
  /** Fault injection for crash tests (defaults to TNO_PRINTER_FAULT; faults.ts). */
  readonly faults?: PrinterFaultHook;
  /** Key algorithm for a key generated on first start. Default p256. */
  readonly keyAlgorithm?: KeyAlgorithm;
  /** Issue the printer certificate from this CA (PEM certificate and key) instead of self-signing. */
  readonly issuer?: { readonly certificatePem: string; readonly privateKeyPem: string };
  /**
   * Also hold and advertise a post-quantum key (ML-KEM, or the hybrid 'mlkem768-x25519'), after
   * the classical certificate in printer-pkcs7-public-key (docs/decisions.md D14).
   */
  readonly postQuantum?: KemAlgorithm;
  /** fastify logger option; default: info-level JSON to stderr with secrets redacted. */
  readonly logger?: FastifyServerOptions['logger'];
  /**
   * Who may use the printer (ipp-http's httpAuthentication: Basic, Bearer, ...), for the IPP
   * routes and the web pages alike. Default: none, every request is anonymous.
   */
  readonly authentication?: Authentication;
  /**
   * OAuth 2.0 sign-in (issue 19, docs/decisions.md D18): only RFC 6750 bearer tokens from this
   * issuer are accepted, and only over TLS; the printer object advertises where to sign in.
   * Excludes `authentication`.
   */
  readonly oauth?: BearerSchemeOptions;
  /** With `oauth`: also accept tokens over cleartext from loopback peers (tests, demos). */
  readonly allowLoopbackCleartextAuth?: boolean;
  /** TLS key and certificate (PEM) when serving ipps. */
  readonly https?: { readonly key: string; readonly cert: string };
}

export const DEFAULTS = {
  name: 'trustnoone-printer',
  location: '',
  jobHistoryMs: 60 * 60 * 1000,
  maxJobHistory: 10_000,
  maxActiveJobs: 500,
  maxDocumentBytes: 1024 ** 3,
  multipleOperationTimeoutMs: 60_000,
  replayRetentionMs: 400 * 24 * 3600 * 1000,
  uri: 'ipp://127.0.0.1:8631/ipp/print',
  port: 8631,
} as const;
