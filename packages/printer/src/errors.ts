/**
 * The one error class of @trustnoone/printer. `code` is stable (scripts and tests match on it);
 * `status` is the IPP status a request failing with it is answered with.
 */
export type PrinterErrorCode =
  | 'PRINTER_STATE_DIR'
  | 'PRINTER_KEY_STORE'
  | 'PRINTER_KEY_ALGORITHM'
  | 'PRINTER_TRUST_ANCHORS'
  | 'PRINTER_TLS'
  | 'PRINTER_SPOOL_LIMIT'
  /** A release code was given for a job that is not waiting for one (or is being checked). */
  | 'PRINTER_JOB_NOT_HELD'
  /** A document behind a release code opened but is in no format the printer renders. */
  | 'PRINTER_FORMAT_NOT_DETECTED'
  /** The local panel socket (tno printer held/release) did not answer, or answered nonsense. */
  | 'PRINTER_PANEL'
  /** The panel's answer to a request line it cannot parse. */
  | 'PRINTER_PANEL_BAD_REQUEST'
  /** Another member of this printer's pool already claimed the job at the pool ledger (not printed here). */
  | 'PRINTER_POOL_JOB_TAKEN'
  /** The pool ledger could not be reached or answered nonsense: the job is not printed (fail closed). */
  | 'PRINTER_POOL_LEDGER_UNAVAILABLE'
  /** The pool ledger (server or member configuration) cannot start: certificates, state, address. */
  | 'PRINTER_POOL_LEDGER';

/**
 * Why a job ended without printing, as its manifest's `error` records it (a rendering failure
 * records its RenderError code instead). Stable like the codes above: the job history and scripts
 * read them. Never the detail of a security failure, which stays in the local log.
 */
export type PrinterJobErrorCode =
  /** The document exceeded the printer's size limit while it was received. */
  | 'PRINTER_DOCUMENT_TOO_LARGE'
  /** The document's bytes stopped arriving or could not be spooled. */
  | 'PRINTER_RECEIVE_FAILED'
  /** The document's compression (gzip, deflate) did not decompress. */
  | 'PRINTER_COMPRESSION_ERROR'
  /** The spool's file system is full. */
  | 'PRINTER_OUT_OF_SPACE'
  /** The job was closed (or recovered) with no document. */
  | 'PRINTER_NO_DOCUMENT'
  /** An unexpected failure; the printer log has the detail. */
  | 'PRINTER_INTERNAL'
  /** PWG 5100.11 multiple-operation-time-out: no Send-Document arrived in time. */
  | 'PRINTER_MULTIPLE_OPERATION_TIMEOUT'
  /** A sealed document failed decryption, integrity, signature or binding (docs/spec-notes.md §2). */
  | 'PRINTER_DOCUMENT_SECURITY_ERROR'
  /** Too many wrong release codes for a PIN-protected job. */
  | 'PRINTER_DOCUMENT_PASSWORD_ERROR'
  /** A job held for its release code was not released in time. */
  | 'PRINTER_RELEASE_TIMEOUT'
  /** The sealed request asked for something this printer cannot do (the status is in the log). */
  | 'PRINTER_INNER_REQUEST_REFUSED'
  /** The printer restarted while the job was in progress; it is not printed again. */
  | 'PRINTER_RESTARTED'
  /** The printer shut down before the job ended. */
  | 'PRINTER_SHUTDOWN';

/**
 * The printer's own codes for a failed security check of a sealed job (the other checks report the
 * CmsError, ProfileError or IppError code). Local log only: the peer sees one generic status.
 */
export type PrinterSecurityCode =
  /** The inner request's attribute section ended elsewhere than the decoder says. */
  | 'PRINTER_INNER_SPLIT_MISMATCH';

export class PrinterError extends Error {
  readonly code: PrinterErrorCode;
  constructor(code: PrinterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PrinterError';
    this.code = code;
  }
}
