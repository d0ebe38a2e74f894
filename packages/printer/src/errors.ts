/**
 * The one error class of @trustnoone/printer. `code` is stable (scripts and tests match on it);
 * `status` is the IPP status a request failing with it is answered with.
 */
export type PrinterErrorCode =
  | 'STATE_DIR'
  | 'KEY_STORE'
  | 'KEY_ALGORITHM'
  | 'TRUST_ANCHORS'
  | 'TLS'
  | 'SPOOL_LIMIT'
  /** A release code was given for a job that is not waiting for one (or is being checked). */
  | 'JOB_NOT_HELD'
  /** A document behind a release code opened but is in no format the printer renders. */
  | 'FORMAT_NOT_DETECTED'
  /** The local panel socket (tno printer held/release) did not answer, or answered nonsense. */
  | 'PANEL'
  /** Another member of this printer's pool already claimed the job at the pool ledger (not printed here). */
  | 'POOL_JOB_TAKEN'
  /** The pool ledger could not be reached or answered nonsense: the job is not printed (fail closed). */
  | 'POOL_LEDGER_UNAVAILABLE'
  /** The pool ledger (server or member configuration) cannot start: certificates, state, address. */
  | 'POOL_LEDGER';

export class PrinterError extends Error {
  readonly code: PrinterErrorCode;
  constructor(code: PrinterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PrinterError';
    this.code = code;
  }
}
