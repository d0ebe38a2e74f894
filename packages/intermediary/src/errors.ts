/**
 * Errors of @trustnoone/intermediary. Each carries a stable `code` (scripts and tests match on it)
 * and the IPP status a client should see (RFC 8011 §4.1.6.1 / PWG 5100.x status registry).
 */
import { Status, type StatusName } from './status.js';

export const IntermediaryErrorCode = {
  /** The request needs credentials and none (or wrong ones) were given. */
  notAuthenticated: 'NOT_AUTHENTICATED',
  /** Authenticated, but the job belongs to somebody else. */
  notAuthorized: 'NOT_AUTHORIZED',
  /** End-to-end policy: the document is not application/pkcs7-mime. */
  cleartextDocument: 'CLEARTEXT_DOCUMENT',
  /** End-to-end policy: a Job Template attribute travels in clear. */
  cleartextJobTemplate: 'CLEARTEXT_JOB_TEMPLATE',
  /** A configured limit (size, attributes, queued jobs, concurrent uploads) was exceeded. */
  limitExceeded: 'LIMIT_EXCEEDED',
  /** The server is busy (concurrent uploads, per-user queue full). */
  busy: 'BUSY',
  /** The job id does not name a job of this intermediary. */
  jobNotFound: 'JOB_NOT_FOUND',
  /** The job is in a state where the operation does not apply. */
  jobState: 'JOB_STATE',
  /** A required operation attribute is missing or malformed. */
  badRequest: 'BAD_REQUEST',
  /** The upstream printer could not be reached or did not answer with IPP. */
  upstreamUnavailable: 'UPSTREAM_UNAVAILABLE',
  /** The spool is corrupt or an I/O step failed. */
  spool: 'SPOOL',
  /** A users file line or configuration value is malformed. */
  config: 'CONFIG',
} as const;
export type IntermediaryErrorCode = (typeof IntermediaryErrorCode)[keyof typeof IntermediaryErrorCode];

export class IntermediaryError extends Error {
  readonly code: IntermediaryErrorCode;
  /** The IPP status the client receives when this error ends a request. */
  readonly status: number;
  constructor(code: IntermediaryErrorCode, status: StatusName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IntermediaryError';
    this.code = code;
    this.status = Status[status];
  }
}
