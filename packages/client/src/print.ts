/**
 * print(): the whole client side of a TRUSTNOONE job (docs/spec-notes.md §2–3): ask the printer for its
 * attributes, decide trust in its key, check the requested attributes and formats, seal each
 * document with its inner IPP request (sign then encrypt), submit, and follow the job.
 */
import { Readable } from 'node:stream';
import { encodeHeader, type IppAttribute, type IppMessage, IppOperation } from '@trustnoone/ipp';
import { buildInnerRequest, buildOuterRequest, newJobNonce, PKCS7_MIME } from '@trustnoone/profile';
import { pemLines, seal } from '@trustnoone/smime';
import { checkReleaseCode, releaseCodeLayer } from './release-code.js';
import { jobTemplateAttributes, type JobAttributes } from './attributes.js';
import { resolveDocument, type ByteSource, type DocumentInput, type ResolvedDocument } from './documents.js';
import { savedSignInCredentials } from './oauth/sign-in.js';
import { retryWhileBusy as retryBusy, type BusyWait } from './busy-retry.js';
import { ClientError } from './errors.js';
import { follow, isTerminal, jobIdFrom, type FollowOptions, type JobStatus } from './jobs.js';
import { printerInfoFrom, type PrinterInfo } from './printer-info.js';
import { getPrinterAttributesRequest, plainCreateJobRequest, plainPrintJobRequest, plainSendDocumentRequest } from './requests.js';
import { ownerIdentity } from './owner-identity.js';
import { noteSealedJobEnded, rememberSealedJob } from './sealed-jobs.js';
import { resolveStateDir } from './state-dir.js';
import { chooseRecipientKey, type RecipientKey } from './recipient-key.js';
import { decideTrust, trustedBefore, type FirstUsePolicy, type TrustDecision } from './trust.js';
import { formatFingerprint, TrustStore } from './trust-store.js';
import { defaultUserName, exchange, newRequestId, type Connection } from './transport.js';

export interface SignOptions {
  /** The signer's certificate (PEM or DER). */
  readonly certificate: string | Uint8Array;
  /** Its private key (PEM/DER PKCS#8 or SEC1, or a KeyObject). */
  readonly privateKey: string | Uint8Array | import('node:crypto').KeyObject;
}

export type PrintProgress =
  | { readonly phase: 'printer'; readonly info: PrinterInfo }
  | { readonly phase: 'trust'; readonly decision: TrustDecision }
  | { readonly phase: 'upload'; readonly document: number; readonly documents: number; readonly bytes: number; readonly totalBytes: number | undefined }
  | ({ readonly phase: 'busy' } & BusyWait)
  | { readonly phase: 'submitted'; readonly jobId: number; readonly encrypted: boolean }
  | { readonly phase: 'job'; readonly status: JobStatus };

export interface PrintOptions extends Connection {
  readonly documents: readonly DocumentInput[];
  /** Job Template attributes (copies, media, sides, ...), checked against the printer's -supported values. */
  readonly attributes?: JobAttributes;
  /** The real job name (sealed); default the first document's name. */
  readonly jobName?: string;
  /** Sign the job (sign-then-encrypt). The signer's certificate also binds the job to its owner. */
  readonly sign?: SignOptions;
  /**
   * The owner's certificate (PEM), sealed into an unsigned job as requesting-user-pkcs7-public-key:
   * the printer then answers Get-Encrypted-Job-Attributes only to that certificate, so a relay
   * cannot ask in the owner's name with a key of its own. Default: STATE/identity/cert.pem, created
   * on first use (owner-identity.ts).
   */
  readonly ownerCertificate?: string;
  readonly trust?: { readonly store?: TrustStore; readonly stateDir?: string; readonly firstUse?: FirstUsePolicy };
  /**
   * Refuse a printer that offers no post-quantum or hybrid key chaining to a trust anchor
   * (recipient-key.ts). Without it the hybrid key is still preferred when the printer offers one.
   */
  readonly requirePostQuantum?: boolean;
  /** Print in clear to a printer without TRUSTNOONE. Never used for a TRUSTNOONE printer. */
  readonly allowPlaintext?: boolean;
  /**
   * Release code (PIN): the document is enveloped to it inside the sealed job, and the printer
   * holds the job until the code is entered at the printer (docs/profile.md "PIN release").
   */
  readonly pin?: string;
  readonly onProgress?: (p: PrintProgress) => void;
  /** How long to keep resubmitting while the printer answers server-error-busy (default 2 minutes). */
  readonly busyTimeoutMs?: number;
  /** Follow the job until it is completed, aborted or canceled (default true; false with a `pin`, as the job waits at the printer). */
  readonly wait?: boolean;
  readonly follow?: FollowOptions;
}

export interface PrintResult {
  readonly jobId: number;
  readonly jobUri: string | undefined;
  readonly encrypted: boolean;
  readonly signed: boolean;
  /** How the printer's key was trusted; undefined for a plaintext job. */
  readonly trust: TrustDecision | undefined;
  /** Which of the printer's keys the job was sealed to: hybrid, post-quantum or classical. */
  readonly recipientKey: RecipientKey | undefined;
  readonly printerUuid: string | undefined;
  /** The job's last known status (terminal when `wait` was on). */
  readonly status: JobStatus | undefined;
}

/** The state directory the trust store lives in, which also holds the owner identity. */
function stateDirOf(options: PrintOptions): string {
  return options.trust?.store?.dir ?? options.trust?.stateDir ?? resolveStateDir();
}

/** Fetches and reads a printer's attributes. */
export async function printerInfo(conn: Connection): Promise<PrinterInfo> {
  const req = getPrinterAttributesRequest({ printerUri: conn.printer, requestId: newRequestId(), userName: conn.userName ?? defaultUserName() });
  const res = await exchange(conn, req, { what: `Get-Printer-Attributes from ${conn.printer}` });
  return printerInfoFrom(conn.printer, res.message);
}

/** The formats accepted inside an envelope: pkcs7-document-format-supported, else the plain list. */
function sealedFormats(info: PrinterInfo): readonly string[] {
  return info.sealedDocumentFormats.length > 0 ? info.sealedDocumentFormats : info.documentFormats.filter((f) => f !== PKCS7_MIME);
}

function checkFormats(docs: readonly ResolvedDocument[], accepted: readonly string[], sealed: boolean): void {
  for (const d of docs) {
    const f = d.format.toLowerCase();
    if (accepted.length > 0 && !accepted.includes(f) && !accepted.includes('application/octet-stream')) {
      const where = sealed ? ' inside an encrypted job' : '';
      throw new ClientError('CLIENT_FORMAT_NOT_SUPPORTED', `the printer does not accept ${f}${where} for ${d.name} (it accepts ${accepted.join(', ')})`);
    }
  }
}

/** Counts the document bytes as they are read, for progress. */
async function* counted(src: ByteSource, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of src) {
    n += chunk.byteLength;
    onBytes(n);
    yield chunk;
  }
}

/** The sealed content: the inner request's attribute section, then the document (docs/spec-notes.md §2). */
async function* innerMessage(inner: IppMessage, document: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield encodeHeader(inner);
  yield* document;
}

interface SubmitContext {
  readonly conn: Connection;
  readonly userName: string;
  readonly options: PrintOptions;
  readonly docs: readonly ResolvedDocument[];
  readonly jobAttributes: readonly IppAttribute[];
  readonly jobName: string;
}

function progressFor(ctx: SubmitContext, index: number): (n: number) => void {
  const doc = ctx.docs[index]!;
  return (bytes) => ctx.options.onProgress?.({ phase: 'upload', document: index + 1, documents: ctx.docs.length, bytes, totalBytes: doc.size });
}

function requireJobId(res: IppMessage, what: string): number {
  const id = jobIdFrom(res);
  if (id === undefined) throw new ClientError('CLIENT_IPP_STATUS', `${what}: the printer accepted the request but returned no job-id`);
  return id;
}

/**
 * Runs a submission, sending it again while the server refuses it as busy (busy-retry.ts, D39).
 * Only documents that can be read again (files, bytes) allow a repeat.
 */
function retryWhileBusy<T>(ctx: SubmitContext, docs: readonly ResolvedDocument[], attempt: () => Promise<T>): Promise<T> {
  return retryBusy(
    {
      repeatable: docs.every((d) => d.reopenable),
      busyTimeoutMs: ctx.options.busyTimeoutMs ?? 120_000,
      signal: ctx.conn.signal,
      onWait: (w) => ctx.options.onProgress?.({ phase: 'busy', ...w }),
    },
    attempt,
  );
}

/**
 * Keeps the job's sealed nonce, by which its sealed status answers name it (sealed-jobs.ts). Best
 * effort: without it the job prints, and `encryptedJobAttributes` reports the identity unverified.
 */
async function remember(ctx: SubmitContext, jobId: number, jobNonce: string): Promise<void> {
  await rememberSealedJob(stateDirOf(ctx.options), ctx.conn.printer, jobId, jobNonce).catch(() => undefined);
}

async function submitSealed(ctx: SubmitContext, info: PrinterInfo, recipientKey: RecipientKey): Promise<{ jobId: number; jobUri: string | undefined }> {
  const { conn, docs, options } = ctx;
  const printerUuid = info.printerUuid!;
  const certificate = recipientKey.certificatePem;
  const jobUuid = newJobNonce();
  const signer = options.sign ? { certificate: options.sign.certificate, privateKey: options.sign.privateKey } : undefined;
  const pin = options.pin;
  const documentBytes = (index: number): AsyncIterable<Uint8Array> => {
    const plain = counted(docs[index]!.open(), progressFor(ctx, index));
    return pin === undefined ? plain : releaseCodeLayer(plain, pin);
  };
  const sealDocument = (index: number, inner: IppMessage): Readable =>
    seal(innerMessage(inner, documentBytes(index)), { recipients: [certificate], ...(signer ? { signer } : {}) });
  // An unsigned job always names its owner's certificate (issue 11.9): without one the printer
  // answers its sealed status to nobody, since requesting-user-name proves nothing.
  const ownerCertificate = signer ? undefined : (options.ownerCertificate ?? (await ownerIdentity(stateDirOf(options), ctx.userName)).certificate);
  const ownerBinding = ownerCertificate
    ? { operationAttributes: [{ name: 'requesting-user-pkcs7-public-key', values: pemLines(ownerCertificate).map((value) => ({ tag: 'textWithoutLanguage' as const, value })) }] }
    : {};
  const common = { printerUri: conn.printer, requestingUserName: ctx.userName, printerUuid, jobUuid, ...ownerBinding };

  if (docs.length === 1) {
    const d = docs[0]!;
    let sentNonce = jobUuid;
    const res = await retryWhileBusy(ctx, [d], () => {
      // A fresh nonce for each attempt: a refused attempt never reuses its sealed request.
      sentNonce = newJobNonce();
      const inner = buildInnerRequest({
        ...common,
        jobUuid: sentNonce,
        operation: 'Print-Job',
        documentFormat: d.format,
        jobName: ctx.jobName,
        documentName: d.name,
        jobAttributes: ctx.jobAttributes,
      });
      const outer = buildOuterRequest({ operation: 'Print-Job', printerUri: conn.printer, requestId: newRequestId(), requestingUserName: ctx.userName });
      return exchange(conn, outer, { data: sealDocument(0, inner), what: `Print-Job to ${conn.printer}` });
    });
    const printed = requireJobId(res.message, 'Print-Job');
    await remember(ctx, printed, sentNonce);
    return { jobId: printed, jobUri: jobUriOf(res.message) };
  }

  const created = await retryWhileBusy(ctx, [], () =>
    exchange(conn, buildOuterRequest({ operation: 'Create-Job', printerUri: conn.printer, requestId: newRequestId(), requestingUserName: ctx.userName }), {
      what: `Create-Job on ${conn.printer}`,
    }),
  );
  const jobId = requireJobId(created.message, 'Create-Job');
  await remember(ctx, jobId, jobUuid);
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i]!;
    const last = i === docs.length - 1;
    // Job Template attributes and the real job name travel with document 1 (docs/profile.md §3).
    const inner = buildInnerRequest({
      ...common,
      operation: 'Send-Document',
      documentNumber: i + 1,
      lastDocument: last,
      documentFormat: d.format,
      documentName: d.name,
      ...(i === 0 ? { jobName: ctx.jobName, jobAttributes: ctx.jobAttributes } : {}),
    });
    await retryWhileBusy(ctx, [d], () => {
      const outer = buildOuterRequest({ operation: 'Send-Document', printerUri: conn.printer, requestId: newRequestId(), requestingUserName: ctx.userName, jobId, lastDocument: last });
      return exchange(conn, outer, { data: sealDocument(i, inner), what: `Send-Document ${i + 1} of ${docs.length} for job ${jobId}` });
    });
  }
  return { jobId, jobUri: jobUriOf(created.message) };
}

async function submitPlain(ctx: SubmitContext): Promise<{ jobId: number; jobUri: string | undefined }> {
  const { conn, docs } = ctx;
  const base = { printerUri: conn.printer, userName: ctx.userName };
  const stream = (i: number): Readable => Readable.from(counted(docs[i]!.open(), progressFor(ctx, i)));
  if (docs.length === 1) {
    const d = docs[0]!;
    const res = await retryWhileBusy(ctx, [d], () => {
      const req = plainPrintJobRequest({ ...base, requestId: newRequestId(), jobName: ctx.jobName, documentName: d.name, documentFormat: d.format }, ctx.jobAttributes);
      return exchange(conn, req, { data: stream(0), what: `Print-Job to ${conn.printer}` });
    });
    return { jobId: requireJobId(res.message, 'Print-Job'), jobUri: jobUriOf(res.message) };
  }
  const created = await retryWhileBusy(ctx, [], () =>
    exchange(conn, plainCreateJobRequest({ ...base, requestId: newRequestId(), jobName: ctx.jobName }, ctx.jobAttributes), {
      what: `Create-Job on ${conn.printer}`,
    }),
  );
  const jobId = requireJobId(created.message, 'Create-Job');
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i]!;
    await retryWhileBusy(ctx, [d], () => {
      const req = plainSendDocumentRequest({ ...base, requestId: newRequestId(), jobId, lastDocument: i === docs.length - 1, documentName: d.name, documentFormat: d.format });
      return exchange(conn, req, { data: stream(i), what: `Send-Document ${i + 1} of ${docs.length} for job ${jobId}` });
    });
  }
  return { jobId, jobUri: jobUriOf(created.message) };
}

function jobUriOf(m: IppMessage): string | undefined {
  for (const g of m.groups) {
    const a = g.attributes.find((x) => x.name === 'job-uri')?.values[0];
    if (a && a.tag === 'uri') return a.value;
  }
  return undefined;
}

/**
 * Prints documents to a printer (directly or through an intermediary). Encrypts end to end when the
 * printer advertises TRUSTNOONE; refuses otherwise unless `allowPlaintext`. Returns how the key
 * was trusted and the job's final status (when waiting). Throws ClientError.
 */
export async function print(options: PrintOptions): Promise<PrintResult> {
  if (options.documents.length === 0) throw new ClientError('CLIENT_BAD_INPUT', 'nothing to print: give at least one document');
  // Without credentials, a `tno login` saved for this printer signs the requests (D29).
  const signedIn = options.auth === undefined ? await savedSignInCredentials(stateDirOf(options), options.printer) : undefined;
  const conn: Connection = signedIn ? { ...options, auth: signedIn } : options;
  const userName = options.userName ?? defaultUserName();
  const docs = await Promise.all(options.documents.map((d, i) => resolveDocument(d, i)));
  // Asking is harmless to repeat: an HTTP 503 here is waited out like one to the submission (an
  // IPP status is not: see RetryOptions.ippBusy).
  const info = await retryBusy(
    { repeatable: true, ippBusy: false, busyTimeoutMs: options.busyTimeoutMs ?? 120_000, signal: conn.signal, onWait: (w) => options.onProgress?.({ phase: 'busy', ...w }) },
    () => printerInfo({ ...conn, userName }),
  );
  options.onProgress?.({ phase: 'printer', info });

  const store = options.trust?.store ?? new TrustStore(options.trust?.stateDir ?? resolveStateDir());
  if (!info.trustnoone && options.allowPlaintext) {
    // A printer trusted with a key that now offers none: a relay may be hiding printer-pkcs7-public-key
    // (or pkcs7 from document-format-supported) to receive the job in clear (issue 11 item 7, D23).
    const before = await trustedBefore(store, conn.printer, info.printerUuid, info.certificatePem);
    if (before) {
      throw new ClientError(
        'CLIENT_PLAINTEXT_REFUSED',
        `${conn.printer} offers no encryption key now, but ${info.printerUuid ?? 'the printer there'} was trusted with key ${formatFingerprint(before.fingerprint)} (${before.how === 'anchor' ? 'verified by a trust anchor' : `${before.how === 'first-use' ? 'trusted on first use' : 'pinned'} ${before.pinnedAt}`}): ` +
          `a relay may be hiding the key to read your document. Not printing in clear, even with --allow-plaintext. ` +
          `If the printer really stopped supporting encryption, check it on the printer, then run 'tno trust forget --printer ${conn.printer}'`,
      );
    }
  }
  if (!info.trustnoone && !options.allowPlaintext) {
    throw new ClientError(
      'CLIENT_NOT_TRUSTNOONE',
      `${conn.printer} does not support encrypted printing (TRUSTNOONE): every hop would see your documents in clear. Not printing; use --allow-plaintext to print anyway`,
    );
  }
  if (info.trustnoone && !info.printerUuid) {
    throw new ClientError('CLIENT_TRUST_KEY_INVALID', `${conn.printer} advertises a TRUSTNOONE key but no printer-uuid, so a sealed job cannot be bound to it`);
  }
  const multi = info.attributes.get('multiple-document-jobs-supported')?.values[0];
  const multiOk = info.operations.includes(IppOperation.createJob) && info.operations.includes(IppOperation.sendDocument) && !(multi?.tag === 'boolean' && !multi.value);
  if (docs.length > 1 && !multiOk) {
    throw new ClientError('CLIENT_ATTRIBUTE_NOT_SUPPORTED', `the printer does not accept multi-document jobs (multiple-document-jobs-supported); print the files one at a time`);
  }
  // Everything the user can fix is checked before trust, so a refused job never pins a key.
  const jobAttributes = jobTemplateAttributes(options.attributes ?? {}, info);
  checkFormats(docs, info.trustnoone ? sealedFormats(info) : info.documentFormats, info.trustnoone);
  if (options.pin !== undefined) {
    // A release code is never sent where the relay could read the PIN layer on its own.
    if (!info.trustnoone) throw new ClientError('CLIENT_PIN_NOT_SUPPORTED', `${conn.printer} does not support encrypted printing, and a release code is only ever sent inside an encrypted job`);
    checkReleaseCode(info, options.pin);
  }
  let trust: TrustDecision | undefined;
  let recipientKey: RecipientKey | undefined;
  if (info.trustnoone) {
    // A key trusted on first use never covers a post-quantum one (recipient-key.ts): with
    // requirePostQuantum, refuse before pinning anything.
    const firstUse: FirstUsePolicy = options.requirePostQuantum ? 'refuse' : (options.trust?.firstUse ?? 'refuse');
    trust = await decideTrust(conn.printer, info.printerUuid!, info.certificatePem!, { store, firstUse }).catch((err: unknown) => {
      if (options.requirePostQuantum && err instanceof ClientError && err.code === 'CLIENT_TRUST_FIRST_USE_REFUSED') {
        throw new ClientError('CLIENT_POST_QUANTUM_UNAVAILABLE', `printer ${info.printerUuid} is neither anchor-verified nor pinned, so no post-quantum key of it can be trusted; not printing because --require-pq was given`, { cause: err });
      }
      throw err;
    });
    recipientKey = chooseRecipientKey(info.certificatePem!, info.printerUuid!, trust, await store.anchors(), { requirePostQuantum: options.requirePostQuantum ?? false });
    options.onProgress?.({ phase: 'trust', decision: trust });
  }
  const ctx: SubmitContext = { conn, userName, options, docs, jobAttributes, jobName: options.jobName ?? docs[0]!.name };
  const encrypted = info.trustnoone;
  const { jobId, jobUri } = encrypted ? await submitSealed(ctx, info, recipientKey!) : await submitPlain(ctx);
  options.onProgress?.({ phase: 'submitted', jobId, encrypted });

  let finalStatus: JobStatus | undefined;
  // A job behind a release code waits at the printer for someone to enter it: not for us.
  if (options.wait ?? options.pin === undefined) {
    finalStatus = await follow({ ...conn, userName }, jobId, {
      ...options.follow,
      onStatus: (s) => {
        options.follow?.onStatus?.(s);
        options.onProgress?.({ phase: 'job', status: s });
      },
    });
    // Seen ending: its sealed-job record may be pruned after the retention (sealed-jobs.ts).
    if (encrypted && isTerminal(finalStatus)) await noteSealedJobEnded(stateDirOf(options), conn.printer, jobId).catch(() => undefined);
  }
  return { jobId, jobUri, encrypted, signed: encrypted && options.sign !== undefined, trust, recipientKey, printerUuid: info.printerUuid, status: finalStatus };
}
