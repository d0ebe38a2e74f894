import { IppStatus } from '@trustnoone/ipp';

/**
 * Why a sealed job's inner request or its binding was refused. Every code ends the job `aborted`
 * with `document-security-error` (docs/spec-notes.md §2); the code and message are for the printer's local
 * log only — the network sees the generic status in `ippStatus`.
 */
export type ProfileErrorCode =
  /** The inner application/ipp message is not a well-formed request of the profile. */
  | 'INNER_MALFORMED'
  /** The inner request nests another envelope or IPP message instead of a document. */
  | 'INNER_NESTED'
  /** An outer Print-Job carries one document of a multi-document job instead of a whole job. */
  | 'BINDING_OPERATION_MISMATCH'
  /** The inner printer-uuid names another printer: the job was redirected. */
  | 'BINDING_WRONG_PRINTER'
  /** The inner job-uuid differs from the nonce of the job this document is being added to. */
  | 'BINDING_WRONG_JOB'
  /** This job nonce and document number were seen before. */
  | 'BINDING_REPLAYED'
  /** The document-number is not the next one expected for the job. */
  | 'BINDING_DOCUMENT_ORDER'
  /** The inner last-document disagrees with the outer request's last-document. */
  | 'BINDING_LAST_DOCUMENT'
  /**
   * The job's sealed date-time-at-creation is missing, older than the printer's replay cache
   * remembers, or too far in the future: the cache could not tell whether it is a replay.
   */
  | 'BINDING_OUTSIDE_REPLAY_WINDOW';

export class ProfileError extends Error {
  readonly code: ProfileErrorCode;
  /** The IPP status the peer sees (one generic status for every profile failure, docs/spec-notes.md §2). */
  readonly ippStatus: number;
  /** The attribute at fault, when there is one (for the local log). */
  readonly attribute: string | undefined;

  constructor(code: ProfileErrorCode, message: string, options?: { attribute?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProfileError';
    this.code = code;
    this.ippStatus = IppStatus.clientErrorDocumentSecurityError;
    this.attribute = options?.attribute;
  }
}
