import type { IppMessage } from '@trustnoone/ipp';

export interface RequestViolation {
  readonly status: number;
  readonly message: string;
}

/**
 * The checks every IPP server makes before dispatching (RFC 8011 §4.1.1, §4.1.4, §4.1.5): a version
 * it speaks, a non-zero request-id, and attributes-charset then attributes-natural-language as the
 * first two operation attributes. Returns the first violation, or undefined.
 */
export function checkRequestEnvelope(message: IppMessage): RequestViolation | undefined {
  const { major } = message.version;
  if (major !== 1 && major !== 2) {
    return { status: 0x0503, message: `IPP version ${major}.${message.version.minor} is not supported (1.1 and 2.x are)` };
  }
  if (message.requestId === 0) {
    return { status: 0x0400, message: 'request-id must not be 0 (RFC 8011 §4.1.1)' };
  }
  const op = message.groups[0];
  if (!op || op.tag !== 0x01) {
    return { status: 0x0400, message: 'the first group must be operation attributes (RFC 8011 §4.1.4)' };
  }
  const [charset, language] = op.attributes;
  if (charset?.name !== 'attributes-charset' || charset.values.length !== 1 || charset.values[0]?.tag !== 'charset') {
    return { status: 0x0400, message: 'attributes-charset must be the first operation attribute (RFC 8011 §4.1.4)' };
  }
  if (language?.name !== 'attributes-natural-language' || language.values.length !== 1 || language.values[0]?.tag !== 'naturalLanguage') {
    return { status: 0x0400, message: 'attributes-natural-language must be the second operation attribute (RFC 8011 §4.1.4)' };
  }
  const cs = charset.values[0].value.toLowerCase();
  if (cs !== 'utf-8' && cs !== 'us-ascii') {
    return { status: 0x040d, message: `charset '${cs}' is not supported (utf-8 is)` };
  }
  return undefined;
}
