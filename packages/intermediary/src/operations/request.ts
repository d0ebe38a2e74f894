/** Reading the parts of a request every job operation needs, with the statuses RFC 8011 assigns. */
import { GroupTag, type IppAttribute, type IppMessage, IppStatus } from '@trustnoone/ipp';
import { IppStatusError, type IppRequestContext } from '@trustnoone/ipp-http';
import { booleanValue, countAttributes, integerValue, keywords, operationAttribute, stringValue } from '../attrs.js';
import type { Principal } from '../principal.js';
import type { Service } from '../service.js';
import type { JobEntry } from '../jobs.js';

/** The URI of this intermediary's printer object as the client addressed it. */
export function printerUriOf(ctx: IppRequestContext): string {
  // RFC 7230 §5.4 Host: a name or address literal and a port. Anything else (a client's garbage or
  // an injection attempt) falls back to the address the request arrived on.
  const header = ctx.http.headers.host;
  const host = header && HOST.test(header) ? header : localHost(ctx);
  return `${ctx.secure ? 'ipps' : 'ipp'}://${host}${ctx.path}`;
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

function localHost(ctx: IppRequestContext): string {
  const { localAddress, localPort } = ctx.http.socket;
  const addr = localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
  return `${addr.includes(':') ? `[${addr}]` : addr}:${localPort ?? ''}`;
}

export function principalOf(_service: Service, ctx: IppRequestContext): Principal {
  if (ctx.principal !== undefined) {
    // The role the scheme proved (the users file's, read when the credentials were checked); a
    // principal from elsewhere (a bearer token) is a plain user unless its scheme says otherwise.
    const role = ctx.principal.role === 'operator' ? 'operator' : 'user';
    return { name: ctx.principal.name, role, authenticated: true };
  }
  const name = stringValue(operationAttribute(ctx.message, 'requesting-user-name'))?.slice(0, 255) || 'anonymous';
  return { name, role: 'anonymous', authenticated: false };
}

export function checkAttributeCount(service: Service, message: IppMessage): void {
  const n = countAttributes(message);
  if (n > service.limits.maxAttributes) {
    throw new IppStatusError(
      IppStatus.clientErrorRequestEntityTooLarge,
      `the request carries ${n} attributes; this intermediary accepts at most ${service.limits.maxAttributes}`,
    );
  }
}

/** RFC 8011 §4.3.1: the target job is job-id (with printer-uri) or the job-uri we issued. */
export function targetJobId(message: IppMessage): number {
  const id = integerValue(operationAttribute(message, 'job-id'));
  if (id !== undefined) {
    if (id < 1) throw new IppStatusError(IppStatus.clientErrorBadRequest, 'job-id must be 1 or more');
    return id;
  }
  const uri = stringValue(operationAttribute(message, 'job-uri'));
  const m = uri ? /\/([1-9][0-9]{0,9})$/.exec(uri) : null;
  if (m) return Number(m[1]);
  throw new IppStatusError(IppStatus.clientErrorBadRequest, 'the request names no job: send job-id (with printer-uri) or job-uri');
}

export function findJob(service: Service, id: number): JobEntry {
  const e = service.table.get(id);
  if (!e) throw new IppStatusError(IppStatus.clientErrorNotFound, `there is no job ${id} on this intermediary`);
  return e;
}

export function requestedAttributes(message: IppMessage): string[] | undefined {
  const a = operationAttribute(message, 'requested-attributes');
  return a ? keywords(a) : undefined;
}

export function lastDocument(message: IppMessage): boolean | undefined {
  return booleanValue(operationAttribute(message, 'last-document'));
}

export function jobGroupAttributes(message: IppMessage): readonly IppAttribute[] {
  return message.groups.filter((g) => g.tag === GroupTag.job).flatMap((g) => g.attributes);
}
