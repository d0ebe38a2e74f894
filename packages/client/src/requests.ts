/**
 * The plain (cleartext) requests the client sends — Get-Printer-Attributes, Get-Job-Attributes,
 * Get-Jobs, Cancel-Job and the cleartext Print-Job — built on the IPP model (RFC 8011 §4).
 */
import { GroupTag, type IppAttribute, type IppMessage, type IppValue, IppOperation } from '@trustnoone/ipp';

export interface RequestCommon {
  readonly printerUri: string;
  readonly requestId: number;
  readonly userName?: string;
}

const a = (name: string, ...values: IppValue[]): IppAttribute => ({ name, values });
const kw = (value: string): IppValue => ({ tag: 'keyword', value });

/** RFC 8011 §4.1.4: charset, natural language, then the target (printer-uri), then the user. */
function preamble(c: RequestCommon): IppAttribute[] {
  const out = [
    a('attributes-charset', { tag: 'charset', value: 'utf-8' }),
    a('attributes-natural-language', { tag: 'naturalLanguage', value: 'en' }),
    a('printer-uri', { tag: 'uri', value: c.printerUri }),
  ];
  if (c.userName !== undefined) out.push(a('requesting-user-name', { tag: 'nameWithoutLanguage', value: c.userName }));
  return out;
}

function request(code: number, requestId: number, ops: IppAttribute[], extra: { tag: number; attributes: IppAttribute[] }[] = []): IppMessage {
  return { version: { major: 2, minor: 0 }, code, requestId, groups: [{ tag: GroupTag.operation, attributes: ops }, ...extra] };
}

export function getPrinterAttributesRequest(c: RequestCommon, requested: readonly string[] = ['all', 'media-col-database']): IppMessage {
  return request(IppOperation.getPrinterAttributes, c.requestId, [...preamble(c), a('requested-attributes', ...requested.map(kw))]);
}

/** The Job Status attributes the client shows (RFC 8011 §5.3). */
export const JOB_STATUS_ATTRIBUTES = [
  'job-id',
  'job-uri',
  'job-state',
  'job-state-reasons',
  'job-state-message',
  'job-name',
  'job-originating-user-name',
  'job-impressions-completed',
  'job-media-sheets-completed',
  'job-pages-completed',
  'time-at-creation',
  'time-at-completed',
];

function withJobId(c: RequestCommon, jobId: number): IppAttribute[] {
  const ops = preamble(c);
  // RFC 8011 §4.3.3: job-id follows printer-uri.
  ops.splice(3, 0, a('job-id', { tag: 'integer', value: jobId }));
  return ops;
}

export function getJobAttributesRequest(c: RequestCommon, jobId: number, requested: readonly string[] = JOB_STATUS_ATTRIBUTES): IppMessage {
  return request(IppOperation.getJobAttributes, c.requestId, [...withJobId(c, jobId), a('requested-attributes', ...requested.map(kw))]);
}

export type WhichJobs = 'not-completed' | 'completed' | 'all';

export function getJobsRequest(c: RequestCommon, which: WhichJobs, myJobs: boolean, limit?: number): IppMessage {
  const ops = [...preamble(c), a('which-jobs', kw(which)), a('requested-attributes', ...JOB_STATUS_ATTRIBUTES.map(kw))];
  if (myJobs) ops.push(a('my-jobs', { tag: 'boolean', value: true }));
  if (limit !== undefined) ops.push(a('limit', { tag: 'integer', value: limit }));
  return request(IppOperation.getJobs, c.requestId, ops);
}

export function cancelJobRequest(c: RequestCommon, jobId: number): IppMessage {
  return request(IppOperation.cancelJob, c.requestId, withJobId(c, jobId));
}

export function closeJobRequest(c: RequestCommon, jobId: number): IppMessage {
  return request(IppOperation.closeJob, c.requestId, withJobId(c, jobId));
}

/** A cleartext Print-Job (only with allowPlaintext, to a printer without TRUSTNOONE). */
export function plainPrintJobRequest(
  c: RequestCommon & { jobName?: string; documentName?: string; documentFormat: string },
  jobAttributes: readonly IppAttribute[],
): IppMessage {
  const ops = preamble(c);
  if (c.jobName !== undefined) ops.push(a('job-name', { tag: 'nameWithoutLanguage', value: c.jobName }));
  if (c.documentName !== undefined) ops.push(a('document-name', { tag: 'nameWithoutLanguage', value: c.documentName }));
  ops.push(a('document-format', { tag: 'mimeMediaType', value: c.documentFormat }));
  return request(IppOperation.printJob, c.requestId, ops, jobAttributes.length > 0 ? [{ tag: GroupTag.job, attributes: [...jobAttributes] }] : []);
}

/** docs/spec-notes.md §2: Get-Encrypted-Job-Attributes with the owner's certificate as PEM lines. */
export function getEncryptedJobAttributesRequest(c: RequestCommon, jobId: number, requested: readonly string[], certificatePemLines: readonly string[], nonce?: Uint8Array): IppMessage {
  return request(IppOperation.getEncryptedJobAttributes, c.requestId, [
    ...withJobId(c, jobId),
    a('requested-attributes', ...requested.map(kw)),
    a('requesting-user-pkcs7-public-key', ...certificatePemLines.map((value): IppValue => ({ tag: 'textWithoutLanguage', value }))),
    // Echoed inside the signed answer (issue 11.4): an answer captured earlier cannot be replayed.
    ...(nonce ? [a('encrypted-job-attributes-nonce', { tag: 'octetString', value: nonce })] : []),
  ]);
}

/** A cleartext Create-Job carrying the Job Template attributes (PWG 5100.5 / RFC 8011 §4.2.4). */
export function plainCreateJobRequest(c: RequestCommon & { jobName?: string }, jobAttributes: readonly IppAttribute[]): IppMessage {
  const ops = preamble(c);
  if (c.jobName !== undefined) ops.push(a('job-name', { tag: 'nameWithoutLanguage', value: c.jobName }));
  return request(IppOperation.createJob, c.requestId, ops, jobAttributes.length > 0 ? [{ tag: GroupTag.job, attributes: [...jobAttributes] }] : []);
}

/** A cleartext Send-Document (RFC 8011 §4.2.2). */
export function plainSendDocumentRequest(
  c: RequestCommon & { jobId: number; lastDocument: boolean; documentName?: string; documentFormat: string },
): IppMessage {
  const ops = withJobId(c, c.jobId);
  ops.push(a('last-document', { tag: 'boolean', value: c.lastDocument }));
  if (c.documentName !== undefined) ops.push(a('document-name', { tag: 'nameWithoutLanguage', value: c.documentName }));
  ops.push(a('document-format', { tag: 'mimeMediaType', value: c.documentFormat }));
  return request(IppOperation.sendDocument, c.requestId, ops);
}
