/**
 * The class of a status-code (RFC 8011 Appendix B): the range decides what a client does with an
 * answer, whatever the individual code, so callers ask these instead of comparing numbers.
 */
export type StatusClass = 'successful' | 'informational' | 'redirection' | 'client-error' | 'server-error' | 'unassigned';

/** RFC 8011 Appendix B: the class of a status-code by its high octet. */
export function statusClass(status: number): StatusClass {
  switch (status >>> 8) {
    case 0x00:
      return 'successful';
    case 0x01:
      return 'informational';
    case 0x03:
      return 'redirection';
    case 0x04:
      return 'client-error';
    case 0x05:
      return 'server-error';
    default:
      return 'unassigned';
  }
}

/** successful-ok and its variants (0x0000–0x00FF): the request was carried out. */
export function isSuccessful(status: number): boolean {
  return status >= 0 && status >>> 8 === 0x00;
}

/** client-error-* (0x0400–0x04FF): the client sent something to change before trying again. */
export function isClientErrorStatus(status: number): boolean {
  return status >>> 8 === 0x04;
}

/** A status that says the request failed: any client-error or server-error. */
export function isErrorStatus(status: number): boolean {
  const high = status >>> 8;
  return high === 0x04 || high === 0x05;
}
