/**
 * Which output device is asking, and may it (PWG 5100.18 §5: every Proxy request names its
 * output-device-uuid). A device is bound at registration to the user that registered it; later
 * requests must come from that user (HTTP Basic over TLS, or an OAuth client credentials token,
 * checked by the transport) and address
 * a queue the device is registered for.
 */
import { IppStatus } from '@trustnoone/ipp';
import { IppStatusError, type IppRequestContext } from '@trustnoone/ipp-http';
import { integerValue, operationAttribute, stringValue } from '../attrs.js';
import type { JobEntry } from '../jobs.js';
import type { Service } from '../service.js';
import { normalizeDeviceUuid, type OutputDevice } from './devices.js';
import type { InfraQueue } from './queue.js';

export function requestedDeviceUuid(ctx: IppRequestContext): string {
  const raw = stringValue(operationAttribute(ctx.message, 'output-device-uuid'));
  if (raw === undefined) throw new IppStatusError(IppStatus.clientErrorBadRequest, 'output-device-uuid is required (PWG 5100.18)');
  const uuid = normalizeDeviceUuid(raw);
  if (!uuid) throw new IppStatusError(IppStatus.clientErrorBadRequest, 'output-device-uuid must be a urn:uuid (RFC 4122)');
  return uuid;
}

/** May this HTTP principal act as an output device at all? */
export function checkDevicePrincipal(service: Service, q: InfraQueue, ctx: IppRequestContext): void {
  if (ctx.user === undefined) {
    if (q.options.allowAnonymousDevices) return;
    throw new IppStatusError(IppStatus.clientErrorNotAuthenticated, 'output devices must authenticate (over TLS: HTTP Basic with a device account, or an OAuth client credentials token)');
  }
  // A bearer token admits a device only when the device is the OAuth client itself (client
  // credentials grant: sub = client_id); a person's token whose sub happens to equal a device
  // name is not that device (docs/decisions.md D30).
  const p = ctx.principal;
  if (p?.scheme === 'Bearer' && p.clientId !== ctx.user) {
    throw new IppStatusError(IppStatus.clientErrorNotAuthorized, `a user's access token cannot act as output device ${ctx.user}: the device signs in with its own client credentials`);
  }
  const role = service.users.get(ctx.user)?.role;
  if (role === 'operator' || (q.options.deviceUsers ?? []).includes(ctx.user)) return;
  throw new IppStatusError(IppStatus.clientErrorNotAuthorized, `user ${ctx.user} may not act as an output device (ask for --device-user ${ctx.user})`);
}

/** The registered device the request names, checked against the caller and the queue addressed. */
export function deviceOf(service: Service, q: InfraQueue, ctx: IppRequestContext): OutputDevice {
  checkDevicePrincipal(service, q, ctx);
  const uuid = requestedDeviceUuid(ctx);
  const device = q.registry.get(uuid);
  if (!device) throw new IppStatusError(IppStatus.clientErrorNotAuthorized, `output device ${uuid} is not registered: send Register-Output-Device first`);
  if (device.user !== ctx.user) throw new IppStatusError(IppStatus.clientErrorNotAuthorized, `output device ${uuid} belongs to another account`);
  if (!device.queues.includes(ctx.path)) throw new IppStatusError(IppStatus.clientErrorNotAuthorized, `output device ${uuid} is not registered for ${ctx.path}`);
  q.seen(uuid);
  return device;
}

export function jobOf(q: InfraQueue, ctx: IppRequestContext): JobEntry {
  const id = integerValue(operationAttribute(ctx.message, 'job-id'));
  if (id === undefined || id < 1) throw new IppStatusError(IppStatus.clientErrorBadRequest, 'job-id is required');
  const e = q.table.get(id);
  if (!e) throw new IppStatusError(IppStatus.clientErrorNotFound, `there is no job ${id} here`);
  return e;
}

/** The job, which must be bound to this device (after Acknowledge-Job). */
export function boundJobOf(q: InfraQueue, ctx: IppRequestContext, device: OutputDevice): JobEntry {
  const e = jobOf(q, ctx);
  if (q.assignedDevice(e.status) !== device.uuid) {
    throw new IppStatusError(IppStatus.clientErrorNotFetchable, `job ${e.job.id} is not assigned to output device ${device.uuid}`);
  }
  return e;
}
