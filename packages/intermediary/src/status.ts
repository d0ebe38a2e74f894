/**
 * The IPP status codes this intermediary answers with (RFC 8011 §4.1.6.1 and PWG 5100.x), named as
 * in the IANA registry. Kept local and small: a relay only needs the ones it originates; statuses it
 * relays from upstream pass through as numbers.
 */
export const Status = {
  'successful-ok': 0x0000,
  'successful-ok-ignored-or-substituted-attributes': 0x0001,
  'client-error-bad-request': 0x0400,
  'client-error-forbidden': 0x0401,
  'client-error-not-authenticated': 0x0402,
  'client-error-not-authorized': 0x0403,
  'client-error-not-possible': 0x0404,
  'client-error-not-found': 0x0406,
  'client-error-request-entity-too-large': 0x0408,
  'client-error-document-format-not-supported': 0x040a,
  'client-error-attributes-or-values-not-supported': 0x040b,
  'client-error-document-security-error': 0x041a,
  'server-error-internal-error': 0x0500,
  'server-error-operation-not-supported': 0x0501,
  'server-error-service-unavailable': 0x0502,
  'server-error-temporary-error': 0x0505,
  'server-error-busy': 0x0507,
  'server-error-job-canceled': 0x0508,
  'server-error-multiple-document-jobs-not-supported': 0x0509,
  'server-error-too-many-jobs': 0x050b,
  'server-error-too-many-documents': 0x050c,
} as const;
export type StatusName = keyof typeof Status;

/** RFC 8011 §4.1.6.1: 0x0000–0x00FF successful, 0x0400–0x04FF client error, 0x0500– server error. */
export function isSuccess(status: number): boolean {
  return status >= 0 && status < 0x0100;
}
