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
  | 'SPOOL_LIMIT';

export class PrinterError extends Error {
  readonly code: PrinterErrorCode;
  constructor(code: PrinterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PrinterError';
    this.code = code;
  }
}
