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

export function checkRequest(message: IppMessage): RequestViolation | undefined {
  const violation = validateRequest(message, { charsets: ['utf-8', 'us-ascii'] }).find((v) => !v.unsupported);
  return violation ? { status: violation.status, message: violation.message } : undefined;
}
