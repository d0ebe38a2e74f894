/**
 * RFC 8011 §4.1 request validation (@trustnoone/ipp: version, request-id, group order,
 * charset/language, target, each operation's REQUIRED attributes, syntaxes, ranges, lengths).
 * Applied by the transport to every outer request of an operation the printer serves, and by the
 * sealed-job opener to the inner request, so an inner request is held to exactly the rules of a
 * cleartext one. Unsupported Job Template values are not refused here: job-template.ts decides
 * those under ipp-attribute-fidelity (RFC 8011 §4.1.7).
 */
import { requestRefusal, type IppMessage } from '@trustnoone/ipp';

export interface RequestViolation {
  readonly status: number;
  readonly message: string;
}

export function checkRequest(message: IppMessage): RequestViolation | undefined {
  return requestRefusal(message, { charsets: ['utf-8', 'us-ascii'] });
}
