/**
 * What a test sees: the target, a way to send IPP requests to it (and to the printer behind an
 * intermediary), the capability flags, and the facts shared between the tests of one run.
 */
import https from 'node:https';
import type { Readable } from 'node:stream';
import { GroupTag, findGroups, getInteger, getStrings, operationCode, type IppAttribute, type IppMessage, isSuccessful } from '@trustnoone/ipp';
import { httpUrlFor, ippRequest, type IppTlsOptions } from '@trustnoone/ipp-http/client';
import { attr, buildRequest, val, type RequestSpec } from './ipp-builders.js';
import { CAPABILITIES, ConformanceFailure, ConformanceSkip, type Capability, type Role } from './model.js';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export interface TargetOptions {
  /** ipp://, ipps://, http:// or https:// URI of the printer or intermediary under test. */
  readonly target: string;
  readonly role: Role;
  /** The printer behind an intermediary, reached directly (intermediary role). */
  readonly printerDirect?: string;
  /**
   * The Infrastructure Printer's System object (PWG 5100.22), where output devices register
   * (infrastructure role). Default: the target with its path replaced by /ipp/system.
   */
  readonly systemUri?: string;
  readonly tls?: IppTlsOptions;
  /** HTTP Basic credentials of the suite's main user. */
  readonly auth?: Credentials;
  /** Credentials of a second user, for the ownership tests when the target authenticates. */
  readonly otherAuth?: Credentials;
  /** requesting-user-name of the suite's main user (default "conformance", or auth.user). */
  readonly user?: string;
  /** requesting-user-name of the second user (default "conformance-other", or otherAuth.user). */
  readonly otherUser?: string;
  /** Time limit of one IPP exchange (ms). Default 15 s. */
  readonly requestTimeoutMs?: number;
  /** How long a job may take to reach a terminal state (ms). Default 30 s. */
  readonly jobTimeoutMs?: number;
  /**
   * Restarts the printer under test cleanly (same state, same URI) and resolves once it answers
   * again. Given, the suite checks what a printer still knows about sealed jobs after a restart
   * (trustnoone-hostile-relay.sealed-answer-after-restart); otherwise that test is skipped.
   */
  readonly restartTarget?: () => Promise<void>;
}

export interface Exchange {
  readonly message: IppMessage;
  /** The response's data (Get-Encrypted-Job-Attributes answers carry an envelope here). */
  readonly data: Uint8Array;
}

export interface SendOptions {
  readonly data?: Uint8Array | Readable;
  /** 'direct' sends to --printer-direct, 'system' to the System object, instead of the target. */
  readonly to?: 'target' | 'direct' | 'system';
  /** Send as the second user (ownership tests). */
  readonly asOther?: boolean;
  /** Send without any credentials (authentication tests). */
  readonly anonymous?: boolean;
}

/** Response data beyond this is not read (suites never expect large responses). */
const MAX_RESPONSE_DATA = 16 * 1024 * 1024;
const TERMINAL_JOB_STATES = new Set([7, 8, 9]); // RFC 8011 §5.3.7: canceled, aborted, completed

/** The run-wide state: capability flags and facts tests hand on to later tests. */
export class RunState {
  readonly capabilities = new Set<Capability>();
  readonly facts = new Map<string, unknown>();
  printerAttributes: IppMessage | undefined;
  requestId = 1;
  /**
   * For ipps targets: no TLS session cache. On a resumed session Node's getPeerCertificate()
   * returns an empty object, so a certificate pin cannot be checked; every connection makes a
   * full handshake (ipp-http does the same for pinned requests since ed465d1; this also covers
   * CA-verified ones and older transports).
   */
  readonly tlsAgent = new https.Agent({ keepAlive: false, maxCachedSessions: 0 });
}

export class TestContext {
  readonly options: TargetOptions;
  readonly notes: string[] = [];
  readonly provided: Capability[] = [];
  readonly #state: RunState;
  readonly #mayProvide: ReadonlySet<Capability> | undefined;

  /** `mayProvide`: the flags the running test declared; setting another one is a bug in the suite. */
  constructor(options: TargetOptions, state: RunState, mayProvide?: readonly Capability[]) {
    this.options = options;
    this.#state = state;
    this.#mayProvide = mayProvide ? new Set(mayProvide) : undefined;
  }

  get role(): Role {
    return this.options.role;
  }

  /** The URI written into printer-uri: the target as given, in ipp form. */
  get printerUri(): string {
    return this.options.target;
  }

  /** The System object URI (infrastructure role): given, or the target's path replaced by /ipp/system. */
  get systemUri(): string {
    if (this.options.systemUri !== undefined) return this.options.systemUri;
    const u = new URL(this.options.target);
    u.pathname = '/ipp/system';
    u.search = '';
    return u.toString();
  }

  get user(): string {
    return this.options.user ?? this.options.auth?.user ?? 'conformance';
  }

  get otherUser(): string {
    return this.options.otherUser ?? this.options.otherAuth?.user ?? 'conformance-other';
  }

  /** False when the main user authenticates but no credentials were given for the second one. */
  get canActAsOther(): boolean {
    return this.options.auth === undefined || this.options.otherAuth !== undefined;
  }

  has(capability: Capability): boolean {
    return this.#state.capabilities.has(capability);
  }

  provide(capability: Capability): void {
    if (!(capability in CAPABILITIES)) throw new RangeError(`unknown capability '${capability}'`);
    if (this.#mayProvide && !this.#mayProvide.has(capability)) throw new RangeError(`the test sets '${capability}' without declaring it in provides`);
    if (!this.#state.capabilities.has(capability)) {
      this.#state.capabilities.add(capability);
      this.provided.push(capability);
    }
  }

  /** A fact for later tests (a job-id, the printer certificate, ...). */
  remember<T>(key: string, value: T): void {
    this.#state.facts.set(key, value);
  }

  recall<T>(key: string): T | undefined {
    return this.#state.facts.get(key) as T | undefined;
  }

  /** Like recall, but a missing fact skips the test (the test that produces it did not pass). */
  need<T>(key: string): T {
    if (!this.#state.facts.has(key)) throw new ConformanceSkip(`needs '${key}', which an earlier test did not establish`);
    return this.#state.facts.get(key) as T;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  skip(reason: string): never {
    throw new ConformanceSkip(reason);
  }

  fail(reason: string): never {
    throw new ConformanceFailure(reason);
  }

  nextRequestId(): number {
    this.#state.requestId = (this.#state.requestId % 0x7fffffff) + 1;
    return this.#state.requestId;
  }

  /** A well-formed request addressed to the target (or to `printerUri` when given). */
  request(operation: string, spec: Partial<RequestSpec> & { readonly asOther?: boolean } = {}): IppMessage {
    return buildRequest(operation, {
      printerUri: spec.printerUri ?? this.printerUri,
      user: spec.user ?? (spec.asOther ? this.otherUser : this.user),
      requestId: spec.requestId ?? this.nextRequestId(),
      ...(spec.operation ? { operation: spec.operation } : {}),
      ...(spec.target ? { target: spec.target } : {}),
      ...(spec.job ? { job: spec.job } : {}),
    });
  }

  /** Sends one request and reads the whole response (attributes and up to 16 MiB of data). */
  async send(message: IppMessage, options: SendOptions = {}): Promise<Exchange> {
    const url = options.to === 'direct' ? this.options.printerDirect : options.to === 'system' ? this.systemUri : this.options.target;
    if (url === undefined) throw new ConformanceSkip('no --printer-direct URL given');
    const auth = options.anonymous ? undefined : options.asOther ? this.options.otherAuth : this.options.auth;
    // TLS options (and the session-cache-free agent) only for ipps/https: one set of options
    // serves both an http intermediary and the ipps printer behind it.
    const secure = httpUrlFor(url).protocol === 'https:';
    const response = await ippRequest(url, message, {
      ...(secure ? { agent: this.#state.tlsAgent } : {}),
      ...(options.data !== undefined ? { data: options.data } : {}),
      ...(secure && this.options.tls ? { tls: this.options.tls } : {}),
      ...(auth ? { auth } : {}),
      timeoutMs: this.options.requestTimeoutMs ?? 15_000,
    });
    const data = await readAll(response.data, MAX_RESPONSE_DATA);
    return { message: response.message, data };
  }

  /** Get-Printer-Attributes (all), fetched once per run. */
  async printerAttributes(): Promise<IppMessage> {
    if (this.#state.printerAttributes) return this.#state.printerAttributes;
    const { message } = await this.send(this.request('Get-Printer-Attributes', { operation: [attr('requested-attributes', val.keyword('all'))] }));
    if (isSuccessful(message.code)) this.#state.printerAttributes = message;
    return message;
  }

  async printerStrings(name: string): Promise<string[]> {
    return getStrings(await this.printerAttributes(), 'printer', name);
  }

  /** Whether operations-supported lists the operation (RFC 8011 §5.4.15). */
  async supportsOperation(name: string): Promise<boolean> {
    const code = operationCode(name);
    const a = findPrinterAttribute(await this.printerAttributes(), 'operations-supported');
    return a?.values.some((v) => v.tag === 'enum' && v.value === code) ?? false;
  }

  /** Get-Job-Attributes for the job, as the given user. */
  async jobAttributes(jobId: number, options: { asOther?: boolean; requested?: readonly string[] } = {}): Promise<IppMessage> {
    const requested = options.requested ?? ['job-state', 'job-state-reasons', 'job-impressions-completed', 'job-originating-user-name'];
    const req = this.request('Get-Job-Attributes', {
      target: [attr('job-id', val.integer(jobId))],
      operation: [attr('requested-attributes', ...requested.map(val.keyword))],
      ...(options.asOther ? { asOther: true } : {}),
    });
    return (await this.send(req, options.asOther ? { asOther: true } : {})).message;
  }

  /** Polls Get-Job-Attributes until the job is canceled, aborted or completed (RFC 8011 §5.3.7). */
  async waitForJob(jobId: number, timeoutMs = this.options.jobTimeoutMs ?? 30_000): Promise<JobOutcome> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
      const message = await this.jobAttributes(jobId);
      if (!isSuccessful(message.code)) throw new ConformanceFailure(`Get-Job-Attributes for job ${jobId} failed with status 0x${message.code.toString(16)}`);
      const state = getInteger(message, 'job', 'job-state');
      if (state !== undefined && TERMINAL_JOB_STATES.has(state)) return jobOutcome(message, state);
      if (Date.now() > deadline) throw new ConformanceFailure(`job ${jobId} did not reach a terminal state within ${timeoutMs} ms (job-state ${state ?? 'missing'})`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export interface JobOutcome {
  readonly state: 'canceled' | 'aborted' | 'completed';
  readonly reasons: readonly string[];
  /** job-impressions-completed, when the target reports it. */
  readonly impressions: number | undefined;
  readonly message: IppMessage;
}

function jobOutcome(message: IppMessage, state: number): JobOutcome {
  return {
    state: state === 7 ? 'canceled' : state === 8 ? 'aborted' : 'completed',
    reasons: getStrings(message, 'job', 'job-state-reasons'),
    impressions: getInteger(message, 'job', 'job-impressions-completed'),
    message,
  };
}

export function findPrinterAttribute(message: IppMessage, name: string): IppAttribute | undefined {
  for (const g of findGroups(message, GroupTag.printer)) {
    const a = g.attributes.find((x) => x.name === name);
    if (a) return a;
  }
  return undefined;
}

async function readAll(stream: Readable, limit: number): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    total += b.length;
    if (total > limit) {
      stream.destroy();
      throw new ConformanceFailure(`response data exceeds ${limit} bytes`);
    }
    parts.push(b);
  }
  return new Uint8Array(Buffer.concat(parts));
}
