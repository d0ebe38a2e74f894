/**
 * RFC 8011 §4.1 checks beyond the transport's envelope checks, for the operations this
 * intermediary serves: target, each operation's REQUIRED attributes (@trustnoone/ipp's operation
 * rules) and the syntax of every registered attribute it can see. The same rules the printer
 * applies, so a malformed request is refused here with the status the printer would give instead
 * of being spooled and failing later upstream. Sealed content is opaque and never looked at.
 */
import { validateRequest, type IppMessage } from '@trustnoone/ipp';

export interface RequestViolation {
  readonly status: number;
  readonly message: string;
}

/**
 * `served`: the operations of this route. Others are left to the transport, which answers
 * operation-not-supported (RFC 8011 §4.1.8 order) rather than a bad-request about them.
 * Unsupported Job Template values are not refused here: the printer decides those (§4.1.7).
 */
export function requestChecks(served: { has(code: number): boolean }): (message: IppMessage) => RequestViolation | undefined {
  return (message) => {
    if (!served.has(message.code)) return undefined;
    const violation = validateRequest(message, { charsets: ['utf-8', 'us-ascii'], operationRules: true }).find((v) => !v.unsupported);
    return violation ? { status: violation.status, message: violation.message } : undefined;
  };
}
