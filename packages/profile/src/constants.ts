/**
 * The names and numbers of the TRUSTNOONE profile. Registered names come from docs/spec-notes.md §1
 * [firm]; the profile-specific choices (neutral job name, binding fields) are §2 [inferred,
 * provisional].
 */

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

/**
 * The operation codes the profile builds or recognises (RFC 8011 §5.4.15, PWG 5100.5 for
 * Close-Job, docs/spec-notes.md §1 for the TRUSTNOONE ones).
 */
export const Operation = {
  'Print-Job': 0x0002,
  'Validate-Job': 0x0004,
  'Create-Job': 0x0005,
  'Send-Document': 0x0006,
  'Cancel-Job': 0x0008,
  'Get-Job-Attributes': 0x0009,
  'Get-Jobs': 0x000a,
  'Get-Printer-Attributes': 0x000b,
  'Close-Job': 0x003b,
  'Acknowledge-Encrypted-Job-Attributes': 0x0068,
  'Fetch-Encrypted-Job-Attributes': 0x0069,
  'Get-Encrypted-Job-Attributes': 0x006a,
} as const;
export type OperationName = keyof typeof Operation;

/** IPP status codes a sealed job can end with (RFC 8011 §13.1, PWG 5100.13, docs/spec-notes.md §2). */
export const Status = {
  successfulOk: 0x0000,
  clientErrorBadRequest: 0x0400,
  clientErrorDocumentFormatNotSupported: 0x040a,
  clientErrorAttributesOrValuesNotSupported: 0x040b,
  /** docs/spec-notes.md §2: a wrong PIN for secure release. */
  clientErrorDocumentPasswordError: 0x0418,
  /** docs/spec-notes.md §2: integrity, decryption, signature or binding failure. */
  clientErrorDocumentSecurityError: 0x041a,
} as const;
export type StatusName = keyof typeof Status;

/** The outer operations that carry (or open) a sealed job. */
export type SubmissionOperation = 'Print-Job' | 'Create-Job' | 'Send-Document';
/** The inner operations a sealed application/ipp message may hold (docs/spec-notes.md §2). */
export type InnerOperation = 'Print-Job' | 'Send-Document';
