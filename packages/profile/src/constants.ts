/**
 * The names and numbers of the TRUSTNOONE profile. Registered names come from docs/spec-notes.md §1
 * [firm]; the profile-specific choices (neutral job name, binding fields) are §2 [inferred,
 * provisional].
 */
import { operationCode } from '@trustnoone/ipp';

/** RFC 8551 §3.2: the media type of a CMS object; the outer `document-format` of a sealed job. */
export const PKCS7_MIME = 'application/pkcs7-mime';
/** RFC 8010 §4.1: the media type of an IPP message; the `encrypted-job-request-format` we send. */
export const IPP_MIME = 'application/ipp';
/** docs/spec-notes.md §2 [provisional]: the job-name a client may send in clear instead of the real one. */
export const NEUTRAL_JOB_NAME = 'encrypted job';

/** Attribute names registered for TRUSTNOONE (docs/spec-notes.md §1) and the IPP names the profile relies on. */
export const Attr = {
  // operation attributes (TRUSTNOONE)
  encryptedJobRequestFormat: 'encrypted-job-request-format',
  encryptedJobRequestId: 'encrypted-job-request-id',
  requestingUserPkcs7PublicKey: 'requesting-user-pkcs7-public-key',
  // printer attributes (TRUSTNOONE)
  pkcs7DocumentFormatSupported: 'pkcs7-document-format-supported',
  printerPkcs7PublicKey: 'printer-pkcs7-public-key',
  printerPkcs7RepertoireConfigured: 'printer-pkcs7-repertoire-configured',
  printerPkcs7RepertoireSupported: 'printer-pkcs7-repertoire-supported',
  // RFC 8011 / PWG 5100.x names the profile reads or writes
  attributesCharset: 'attributes-charset',
  attributesNaturalLanguage: 'attributes-natural-language',
  printerUri: 'printer-uri',
  jobUri: 'job-uri',
  jobId: 'job-id',
  requestingUserName: 'requesting-user-name',
  requestingUserUri: 'requesting-user-uri',
  jobName: 'job-name',
  documentName: 'document-name',
  documentFormat: 'document-format',
  lastDocument: 'last-document',
  /** PWG 5100.13 §5.4 printer-uuid: the binding target (docs/spec-notes.md §2). */
  printerUuid: 'printer-uuid',
  /** PWG 5100.13 job-uuid, sent by the client as the per-job nonce (docs/spec-notes.md §2, provisional). */
  jobUuid: 'job-uuid',
  /**
   * RFC 8011 §5.3.14.5 date-time-at-creation, sent sealed by the client as the time it made the
   * job: places the job in the printer's replay window (issue 11.2, provisional).
   */
  dateTimeAtCreation: 'date-time-at-creation',
  /** PWG 5100.5 document-number: the position of a document inside its job. */
  documentNumber: 'document-number',
  documentFormatSupported: 'document-format-supported',
  operationsSupported: 'operations-supported',
} as const;

/** The `printer-state-reasons` keyword of docs/spec-notes.md §1. */
export const ENCRYPTED_JOB_ATTRIBUTES_REQUESTED = 'encrypted-job-attributes-requested';
/** The `job-state-reasons` keyword a failed sealed job ends with (docs/spec-notes.md §2). */
export const DOCUMENT_SECURITY_ERROR_REASON = 'document-security-error';
export const DOCUMENT_PASSWORD_ERROR_REASON = 'document-password-error';

/** The outer operations that carry (or open) a sealed job. */
export type SubmissionOperation = 'Print-Job' | 'Create-Job' | 'Send-Document';
/** The inner operations a sealed application/ipp message may hold (docs/spec-notes.md §2). */
export type InnerOperation = 'Print-Job' | 'Send-Document';

/**
 * The operation-id of one of the profile's operations, through the registry (the profile keeps no
 * table of its own: @trustnoone/ipp is the vocabulary).
 */
export function operationId(operation: SubmissionOperation): number {
  return operationCode(operation);
}
