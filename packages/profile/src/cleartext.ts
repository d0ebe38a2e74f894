/**
 * What a sealed submission may say in clear (docs/spec-notes.md §2, provisional): only what routing needs.
 * The intermediary enforces these rules as policy; the printer checks them too, so a client that
 * leaks Job Template attributes is told so instead of silently exposing them.
 */
import { GroupTag, operationName, type IppMessage, IppStatus } from '@trustnoone/ipp';
import { Attr, IPP_MIME, PKCS7_MIME, type SubmissionOperation } from './constants.js';
import { findAttr, stringValue } from './values.js';

/** Operation attributes every sealed submission may carry in clear (RFC 8011 §4.1.4–4.1.6 routing). */
const COMMON: readonly string[] = [
  Attr.attributesCharset,
  Attr.attributesNaturalLanguage,
  Attr.printerUri,
  Attr.requestingUserName,
  Attr.requestingUserUri,
];

/** Per operation, the operation attributes allowed in clear beyond COMMON. */
const ALLOWED: Readonly<Record<SubmissionOperation, readonly string[]>> = {
  // A neutral job-name only: the real one travels sealed.
  'Print-Job': [Attr.jobName, Attr.documentFormat, Attr.encryptedJobRequestFormat],
  'Create-Job': [Attr.jobName],
  // Send-Document names its job (printer-uri + job-id, or job-uri) and says whether it is the last.
  'Send-Document': [Attr.jobId, Attr.jobUri, Attr.lastDocument, Attr.documentFormat, Attr.encryptedJobRequestFormat],
};

/** The submission operation a request code names, or undefined for any other operation. */
export function submissionOperation(code: number): SubmissionOperation | undefined {
  const name = operationName(code);
  return Object.hasOwn(ALLOWED, name) ? (name as SubmissionOperation) : undefined;
}

/** True when `name` may travel in clear as an operation attribute of `operation`. */
export function isCleartextAllowed(name: string, operation: SubmissionOperation = 'Print-Job'): boolean {
  return COMMON.includes(name) || ALLOWED[operation].includes(name);
}

/** One attribute a sealed submission must not carry in clear. */
export interface CleartextViolation {
  readonly name: string;
  /** The group it was found in (GroupTag value). */
  readonly group: number;
}

/**
 * Every attribute of a submission request that the profile forbids in clear: Job Template and
 * Document attributes in any group other than operation, and operation attributes outside the
 * routing set (e.g. document-name, job-password, copies sent as an operation attribute). Empty for
 * operations that do not submit a job. Unknown groups count as violations: a relay cannot tell
 * what they leak.
 */
export function findCleartextJobTemplate(message: IppMessage): CleartextViolation[] {
  const op = submissionOperation(message.code);
  if (!op) return [];
  const out: CleartextViolation[] = [];
  for (const g of message.groups) {
    for (const a of g.attributes) {
      if (g.tag === GroupTag.operation && isCleartextAllowed(a.name, op)) continue;
      out.push({ name: a.name, group: g.tag });
    }
  }
  return out;
}

/** Why an outer request is not a sealed submission of this profile; the status the peer deserves. */
export interface OuterViolation {
  readonly attribute: string;
  readonly status: number;
  readonly message: string;
}

/**
 * Checks an outer Print-Job / Create-Job / Send-Document against the profile: the document is
 * `application/pkcs7-mime`, the sealed content is declared `application/ipp`, and nothing else
 * travels in clear. Returns the violations (empty when the request conforms, and for any other
 * operation). Create-Job carries no document, so only the cleartext rule applies to it.
 */
export function checkOuterRequest(message: IppMessage): OuterViolation[] {
  const op = submissionOperation(message.code);
  if (!op) return [];
  const out: OuterViolation[] = [];
  if (op !== 'Create-Job') {
    const format = stringValue(findAttr(message, GroupTag.operation, Attr.documentFormat));
    if (format?.toLowerCase() !== PKCS7_MIME) {
      out.push({
        attribute: Attr.documentFormat,
        status: IppStatus.clientErrorDocumentFormatNotSupported,
        message: `document-format must be ${PKCS7_MIME} (end-to-end encryption is required), got ${format ?? 'none'}`,
      });
    }
    const inner = findAttr(message, GroupTag.operation, Attr.encryptedJobRequestFormat);
    const innerFormat = stringValue(inner);
    if (inner && innerFormat?.toLowerCase() !== IPP_MIME) {
      out.push({
        attribute: Attr.encryptedJobRequestFormat,
        status: IppStatus.clientErrorAttributesOrValuesNotSupported,
        message: `encrypted-job-request-format must be ${IPP_MIME}, got ${innerFormat ?? 'an unusable value'}`,
      });
    }
  }
  for (const bad of findCleartextJobTemplate(message)) {
    out.push({
      attribute: bad.name,
      status: IppStatus.clientErrorAttributesOrValuesNotSupported,
      message: `${bad.name} must not travel in clear in a sealed ${op}: seal it inside the job`,
    });
  }
  return out;
}
