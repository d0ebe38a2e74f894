/**
 * A sealed submission that failed a security check. `detail` and `code` say exactly which check
 * failed and go to the local log only; the network sees `status` and one generic message
 * (docs/spec-notes.md §2), so a peer cannot use the printer as an oracle for which check it tripped.
 */
import { IppStatus } from '@trustnoone/ipp';

export type SecurityCheck =
  | 'decrypt'
  | 'signature-required'
  | 'signature'
  | 'signer-untrusted'
  | 'inner-malformed'
  | 'binding'
  | 'replay'
  | 'downgrade';

export const GENERIC_SECURITY_MESSAGE = 'The document could not be opened securely.';

export class SecurityFailure extends Error {
  readonly check: SecurityCheck;
  /** Stable code of the underlying error (CmsError / ProfileError code), for the local log. */
  readonly code: string;
  /** IPP status for the peer: 0x041A document-security-error unless a profile rule names another. */
  readonly status: number;
  /** job-state-reasons keyword the job ends with. */
  readonly reason: 'document-security-error' | 'document-password-error';

  constructor(check: SecurityCheck, code: string, detail: string, options?: { cause?: unknown; status?: number; reason?: SecurityFailure['reason'] }) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SecurityFailure';
    this.check = check;
    this.code = code;
    this.status = options?.status ?? IppStatus.clientErrorDocumentSecurityError;
    this.reason = options?.reason ?? 'document-security-error';
  }
}
