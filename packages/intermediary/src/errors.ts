/**
 * Errors of @trustnoone/intermediary's own layers (spool, users file). Each carries a stable `code`
 * (scripts and tests match on it) and the IPP status a client sees when it ends a request
 * (RFC 8011 §4.1.6.1). Operation handlers answer with `IppStatusError` from @trustnoone/ipp-http.
 */
import { statusCode, type IppStatusName } from '@trustnoone/ipp';

export const IntermediaryErrorCode = {
  /** A configured limit was exceeded (document bytes): client-error-request-entity-too-large. */
  limitExceeded: 'INTERMEDIARY_LIMIT_EXCEEDED',
  /** The job is in a state where the operation does not apply: client-error-not-possible. */
  jobState: 'INTERMEDIARY_JOB_STATE',
  /** The job id does not name a job in the spool: client-error-not-found. */
  jobNotFound: 'INTERMEDIARY_JOB_NOT_FOUND',
  /** A users-file line or configuration value is malformed (the server does not start). */
  config: 'INTERMEDIARY_CONFIG',
  /**
   * A document labelled application/pkcs7-mime does not start like a CMS envelope:
   * client-error-document-security-error, what the printer answers to the same bytes.
   */
  notAnEnvelope: 'INTERMEDIARY_NOT_AN_ENVELOPE',
  /** The shared store's schema is not the one this code knows (older: migrate; newer: upgrade). */
  storeSchema: 'INTERMEDIARY_STORE_SCHEMA',
  /** The shared store cannot be reached or refused a statement: server-error-service-unavailable. */
  storeUnavailable: 'INTERMEDIARY_STORE_UNAVAILABLE',
} as const;
export type IntermediaryErrorCode = (typeof IntermediaryErrorCode)[keyof typeof IntermediaryErrorCode];

export class IntermediaryError extends Error {
  readonly code: IntermediaryErrorCode;
  /** The IPP status the client receives when this error ends a request. */
  readonly status: number;
  constructor(code: IntermediaryErrorCode, status: IppStatusName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IntermediaryError';
    this.code = code;
    this.status = statusCode(status);
  }
}
