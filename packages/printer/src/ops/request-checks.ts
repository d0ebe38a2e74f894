/**
 * RFC 8011 §4.1 request validation (the registry-driven checks of @trustnoone/ipp: version,
 * request-id, group order, charset/language order, target, syntaxes, ranges, lengths). Applied by
 * the transport to every outer request and by the sealed-job opener to the inner request, so an
 * inner request is held to exactly the rules of a cleartext one. Template attributes with
 * unsupported values are not refused here: RFC 8011 §4.1.7 lets the printer ignore them unless
 * ipp-attribute-fidelity is true, which job-template.ts decides.
 */
import { validateRequest, type IppMessage } from '@trustnoone/ipp';

export interface RequestViolation {
  readonly status: number;
  readonly message: string;
}

/**
 * `handled`: the operations this printer implements. Each one's REQUIRED attributes are checked
 * (RFC 8011 §4.2-4.3, @trustnoone/ipp's operation rules); any other operation is left to the
 * transport, which answers it operation-not-supported rather than a bad-request about attributes
 * of an operation the printer never offered. Omitted: every operation is checked (the sealed
 * inner request, always Print-Job or Send-Document).
 */
export function checkRequest(message: IppMessage, handled?: { has(code: number): boolean }): RequestViolation | undefined {
  // RFC 8011 §4.1.8 order: version and request-id (the transport's envelope checks) come before
  // operation-not-supported, which comes before anything about the operation's own attributes.
  if (handled !== undefined && !handled.has(message.code)) return undefined;
  const violation = validateRequest(message, { charsets: ['utf-8', 'us-ascii'], operationRules: true }).find((v) => !v.unsupported);
  return violation ? { status: violation.status, message: violation.message } : undefined;
}
