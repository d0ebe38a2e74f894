/**
 * RFC 8011 §4.1 checks a printer makes on every request before acting on it: version (§4.1.8),
 * request-id (§4.1.1), attributes-charset then attributes-natural-language first (§4.1.4), and a
 * printer-uri target (§4.1.5). The transport checks the envelope of outer requests; this function
 * is applied to outer requests for the target and to a sealed job's inner request in full, so the
 * inner request is held to exactly the rules of a cleartext one.
 */
import { GroupTag, type IppMessage } from '@trustnoone/ipp';
import { Status } from './status.js';

export interface RequestViolation {
  readonly status: number;
  readonly message: string;
}

export function checkRequest(message: IppMessage): RequestViolation | undefined {
  const { major, minor } = message.version;
  if (major !== 1 && major !== 2) return { status: 0x0503, message: `IPP version ${major}.${minor} is not supported` };
  if (message.requestId === 0) return { status: Status.clientErrorBadRequest, message: 'request-id must not be 0' };
  const op = message.groups[0];
  if (!op || op.tag !== GroupTag.operation) return { status: Status.clientErrorBadRequest, message: 'missing operation attributes' };
  if (message.groups.filter((g) => g.tag === GroupTag.operation).length > 1) return { status: Status.clientErrorBadRequest, message: 'operation attributes given twice' };
  const [cs, lang] = op.attributes;
  if (cs?.name !== 'attributes-charset' || cs.values.length !== 1 || cs.values[0]?.tag !== 'charset') {
    return { status: Status.clientErrorBadRequest, message: 'attributes-charset must come first' };
  }
  if (lang?.name !== 'attributes-natural-language' || lang.values.length !== 1 || lang.values[0]?.tag !== 'naturalLanguage') {
    return { status: Status.clientErrorBadRequest, message: 'attributes-natural-language must come second' };
  }
  const charset = cs.values[0].value.toLowerCase();
  if (charset !== 'utf-8' && charset !== 'us-ascii') return { status: 0x040d, message: `charset ${charset} is not supported` };
  const target = op.attributes.filter((a) => a.name === 'printer-uri' || a.name === 'job-uri');
  if (target.length === 0) return { status: Status.clientErrorBadRequest, message: 'printer-uri or job-uri is required' };
  if (target.some((a) => a.values.length !== 1 || a.values[0]?.tag !== 'uri')) return { status: Status.clientErrorBadRequest, message: 'printer-uri must be one uri' };
  // RFC 8011 §4.1.3: an operation attribute may appear once.
  const seen = new Set<string>();
  for (const a of op.attributes) {
    if (seen.has(a.name)) return { status: Status.clientErrorBadRequest, message: `${a.name} given twice` };
    seen.add(a.name);
  }
  return undefined;
}
