/**
 * Sealed submissions made the way a TRUSTNOONE client makes them (docs/spec-notes.md §2): the inner
 * application/ipp request from @trustnoone/profile, sealed with @trustnoone/smime to the
 * certificate the target advertises, sent as the data of a cleartext outer Print-Job.
 */
import { randomUUID } from 'node:crypto';
import { encodeMessage, getInteger, type IppMessage, IppStatus, isSuccessful } from '@trustnoone/ipp';
import { buildInnerRequest, buildOuterRequest, newJobNonce } from '@trustnoone/profile';
import { joinPemLines, parseCertificate, pemLines, sealToBytes, type Certificate, type CertificateInput, type RecipientOptions, type SignerOptions } from '@trustnoone/smime';
import type { Exchange, TestContext } from './context.js';
import { findPrinterAttribute } from './context.js';
import { statusMessageOf, statusNameOf } from './expect.js';
import { ConformanceFailure } from './model.js';

export interface SealSpec {
  readonly document: Uint8Array;
  readonly documentFormat?: string;
  /** Default: the printer-uuid the target advertises. */
  readonly printerUuid?: string;
  readonly jobUuid?: string;
  /** Default: the printer's advertised certificate. */
  readonly recipient?: CertificateInput | RecipientOptions;
  readonly cipher?: 'aes-256-gcm' | 'aes-128-gcm' | 'aes-256-cbc';
  /** A job name that must never appear outside the envelope (see `secretName`). */
  readonly jobName: string;
  /** Seal the owner's certificate (requesting-user-pkcs7-public-key, PEM lines) into the inner request. */
  readonly ownerCertificatePem?: string;
  /** Fixed content-encryption key and nonce (tests that re-encrypt an edited plaintext). */
  readonly contentEncryptionKey?: Uint8Array;
  readonly iv?: Uint8Array;
  /** Sign before encrypting (docs/spec-notes.md §2: SignedData inside the envelope). */
  readonly signer?: SignerOptions;
  /** Seal one document of a multi-document job (inner Send-Document) instead of a whole Print-Job. */
  readonly part?: { readonly number: number; readonly last: boolean };
  /** The sealed date-time-at-creation (default now); null leaves it out (docs/profile.md §3). */
  readonly createdAt?: Date | null;
}

/** A job name unique to this run, so a leak can be found by searching the bytes for it. */
export function secretName(label: string): string {
  return `tno-conformance-secret-${label}-${randomUUID().slice(0, 8)}`;
}

/** The certificate in printer-pkcs7-public-key (PEM split one line per value, docs/spec-notes.md §1). */
export async function advertisedCertificate(t: TestContext, to: 'target' | 'direct' = 'target'): Promise<{ pem: string; certificate: Certificate; lines: string[] }> {
  const attrs = to === 'target' ? await t.printerAttributes() : (await t.send(t.request('Get-Printer-Attributes', { printerUri: t.options.printerDirect! }), { to: 'direct' })).message;
  const a = findPrinterAttribute(attrs, 'printer-pkcs7-public-key');
  if (!a) throw new ConformanceFailure('printer-pkcs7-public-key is missing');
  const lines = a.values.map((v) => ('value' in v && typeof v.value === 'string' ? v.value : ''));
  const pem = joinPemLines(lines);
  return { pem, certificate: parseCertificate(pem), lines };
}

/** The plaintext a client seals: the inner request, then the document bytes. */
export function innerPlaintext(t: TestContext, spec: SealSpec): Uint8Array {
  const common = {
    printerUri: t.printerUri,
    requestingUserName: t.user,
    printerUuid: spec.printerUuid ?? t.need<string>('printer-uuid'),
    jobUuid: spec.jobUuid ?? newJobNonce(),
    documentFormat: spec.documentFormat ?? 'image/pwg-raster',
    jobName: spec.jobName,
    ...(spec.createdAt ? { createdAt: spec.createdAt } : {}),
    ...(spec.ownerCertificatePem
      ? { operationAttributes: [{ name: 'requesting-user-pkcs7-public-key', values: pemLines(spec.ownerCertificatePem).map((value) => ({ tag: 'textWithoutLanguage' as const, value })) }] }
      : {}),
  };
  const built = spec.part
    ? buildInnerRequest({ ...common, operation: 'Send-Document', documentNumber: spec.part.number, lastDocument: spec.part.last })
    : buildInnerRequest({ ...common, operation: 'Print-Job' });
  const inner = spec.createdAt === null ? withoutAttribute(built, 'date-time-at-creation') : built;
  const header = encodeMessage(inner);
  const out = new Uint8Array(header.length + spec.document.length);
  out.set(header, 0);
  out.set(spec.document, header.length);
  return out;
}

function withoutAttribute(m: IppMessage, name: string): IppMessage {
  return { ...m, groups: m.groups.map((g) => ({ ...g, attributes: g.attributes.filter((a) => a.name !== name) })) };
}

export async function sealJob(t: TestContext, spec: SealSpec): Promise<Uint8Array> {
  const recipient = spec.recipient ?? t.need<string>('printer-certificate');
  return sealToBytes(innerPlaintext(t, spec), { recipients: [recipient], ...(spec.cipher ? { cipher: spec.cipher } : {}), ...(spec.signer ? { signer: spec.signer } : {}),
    ...(spec.contentEncryptionKey ? { contentEncryptionKey: spec.contentEncryptionKey } : {}),
    ...(spec.iv ? { iv: spec.iv } : {}),
  });
}

/** The cleartext outer Print-Job carrying only routing attributes (docs/spec-notes.md §2). */
export function outerPrintJob(t: TestContext, options: { asOther?: boolean } = {}): IppMessage {
  return buildOuterRequest({
    operation: 'Print-Job',
    printerUri: t.printerUri,
    requestId: t.nextRequestId(),
    requestingUserName: options.asOther ? t.otherUser : t.user,
  });
}

export async function submitSealed(t: TestContext, envelope: Uint8Array): Promise<Exchange> {
  return t.send(outerPrintJob(t), { data: envelope });
}

/** The cleartext outer Create-Job of a sealed multi-document job (no Job Template in clear). */
export function outerCreateJob(t: TestContext): IppMessage {
  return buildOuterRequest({ operation: 'Create-Job', printerUri: t.printerUri, requestId: t.nextRequestId(), requestingUserName: t.user });
}

/** A sealed document sent to job `jobId` (outer Send-Document, PWG 5100.5 / RFC 8011 §4.3.1). */
export async function sendSealedDocument(t: TestContext, jobId: number, envelope: Uint8Array, last: boolean): Promise<Exchange> {
  const outer = buildOuterRequest({ operation: 'Send-Document', printerUri: t.printerUri, requestId: t.nextRequestId(), requestingUserName: t.user, jobId, lastDocument: last });
  return t.send(outer, { data: envelope });
}

const DOCUMENT_SECURITY_ERROR = IppStatus.clientErrorDocumentSecurityError;

/**
 * A refused sealed job (docs/spec-notes.md §2): either the Print-Job answer is
 * client-error-document-security-error, or the job it created ends aborted with
 * document-security-error. In both cases nothing is printed, and the status message is generic
 * (never the secret job name).
 */
export async function expectSealedRefusal(t: TestContext, response: Exchange, secret: string): Promise<void> {
  const m = response.message;
  const text = statusMessageOf(m) ?? '';
  if (text.includes(secret)) throw new ConformanceFailure('the refusal status-message repeats the sealed job-name');
  const jobId = getInteger(m, 'job', 'job-id');
  if (m.code === DOCUMENT_SECURITY_ERROR) {
    t.note('refused with client-error-document-security-error');
  } else if (isSuccessful(m.code)) {
    if (jobId === undefined) throw new ConformanceFailure('Print-Job succeeded without a job-id');
    t.note(`accepted as job ${jobId}; refusal expected when the printer opens it`);
  } else {
    throw new ConformanceFailure(`expected client-error-document-security-error (or an accepted job that aborts), got ${statusNameOf(m)}${text ? `: "${text}"` : ''}`);
  }
  if (jobId === undefined) return;
  const end = await t.waitForJob(jobId);
  if (end.state === 'completed') throw new ConformanceFailure(`job ${jobId} completed: the refused envelope was printed`);
  if (end.impressions !== undefined && end.impressions > 0) throw new ConformanceFailure(`job ${jobId} printed ${end.impressions} impressions`);
  if (!end.reasons.includes('document-security-error')) {
    if (t.role === 'intermediary') {
      // The printer refused it; whether a relay passes the printer's reason on is checked by
      // trustnoone-intermediary.relays-security-reason.
      t.note(`job ${jobId} ended ${end.state} (${end.reasons.join(', ') || 'no reasons'}) without document-security-error`);
      return;
    }
    throw new ConformanceFailure(`job ${jobId} ended ${end.state} with job-state-reasons ${end.reasons.join(', ') || '(none)'}, without document-security-error`);
  }
}
