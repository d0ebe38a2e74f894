/**
 * Output device lifecycle and notifications: Register-/Deregister-Output-Device (PWG 5100.22,
 * on the System object), Update-Output-Device-Attributes (PWG 5100.18 §6.10),
 * Create-Printer-Subscriptions and Get-Notifications with notify-wait (RFC 3995, RFC 3996 ippget).
 */
import { GroupTag, type IppAttribute, type IppGroup, IppStatus } from '@trustnoone/ipp';
import { IppStatusError, type IppReply, type IppRequestContext } from '@trustnoone/ipp-http';
import { attr, booleanValue, keywords, operationAttribute } from '../attrs.js';
import type { Service } from '../service.js';
import { JobState, isTerminal } from '../spool/types.js';
import { INFRA_EVENTS, type InfraEvent } from './codes.js';
import { checkDevicePrincipal, deviceOf, requestedDeviceUuid } from './device-auth.js';
import type { InfraQueue } from './queue.js';

type Handler = (service: Service, ctx: IppRequestContext) => Promise<IppReply>;
const ok = (extra: Partial<IppReply> = {}): IppReply => ({ status: IppStatus.successfulOk, ...extra });

/** Attributes that name the intermediary's printer object, which it sets itself. */
const LOCAL_ONLY = new Set(['printer-uri-supported', 'uri-security-supported', 'uri-authentication-supported', 'printer-more-info']);
const MAX_DEVICE_ATTRIBUTES = 1024;
/** Long polls one device may hold open at once; more are answered at once (no hold). */
const MAX_WAITS_PER_DEVICE = 4;
const waiting = new WeakMap<InfraQueue, Map<string, number>>();

function queueUri(ctx: IppRequestContext, queue: string): string {
  return `${ctx.secure ? 'ipps' : 'ipp'}://${ctx.http.headers.host ?? '127.0.0.1'}${queue}`;
}

/**
 * RFC 3380 §6.3: printer-xri-supported is a 1setOf collection (xri-uri, xri-authentication,
 * xri-security), not a bare URI; it tells the device how the queue it was given is reached.
 */
function printerXriSupported(ctx: IppRequestContext, uri: string): IppAttribute {
  const authenticated = ctx.http.headers.authorization !== undefined && ctx.user !== undefined;
  return attr.values('printer-xri-supported', [
    {
      tag: 'collection',
      value: [
        attr.uri('xri-uri', uri),
        attr.keyword('xri-authentication', authenticated ? 'basic' : 'none'),
        attr.keyword('xri-security', ctx.secure ? 'tls' : 'none'),
      ],
    },
  ]);
}

export function registerOutputDevice(q: InfraQueue): Handler {
  return async (service, ctx) => {
    checkDevicePrincipal(service, q, ctx);
    const uuid = requestedDeviceUuid(ctx);
    const existing = q.registry.get(uuid);
    if (existing && existing.user !== ctx.user) throw new IppStatusError(IppStatus.clientErrorNotAuthorized, `output device ${uuid} is registered by another account`);
    try {
      await q.registry.put({
        uuid,
        user: ctx.user,
        queues: [q.queue],
        registeredAt: existing?.registeredAt ?? Date.now(),
        attributes: existing?.attributes ?? [],
        updatedAt: Date.now(),
      });
    } catch (err) {
      if (err instanceof RangeError) throw new IppStatusError(IppStatus.serverErrorBusy, err.message);
      throw err;
    }
    q.syncUpstreams();
    ctx.log.info({ device: uuid, user: ctx.user }, 'infra: output device registered');
    const uri = queueUri(ctx, q.queue);
    return ok({ groups: [{ tag: GroupTag.printer, attributes: [attr.uri('printer-uri-supported', uri), printerXriSupported(ctx, uri)] }] });
  };
}

export function deregisterOutputDevice(q: InfraQueue): Handler {
  return async (service, ctx) => {
    checkDevicePrincipal(service, q, ctx);
    const uuid = requestedDeviceUuid(ctx);
    const device = q.registry.get(uuid);
    if (!device) throw new IppStatusError(IppStatus.clientErrorNotFound, `output device ${uuid} is not registered`);
    if (device.user !== ctx.user) throw new IppStatusError(IppStatus.clientErrorNotAuthorized, `output device ${uuid} belongs to another account`);
    await q.registry.remove(uuid);
    q.syncUpstreams();
    await q.hub.cancelDevice(uuid);
    // Jobs it had taken cannot complete any more: one it never fetched a document of goes back to
    // the queue; the others end aborted rather than stay pending forever (it may have printed them).
    for (const e of q.table.all()) {
      if (q.assignedDevice(e.status) === uuid && !isTerminal(e.status.state)) {
        if (await q.release(e.job.id, uuid, 'offered again: the output device that took it was deregistered before fetching a document')) continue;
        await q.finish(e.job.id, JobState.aborted, ['aborted-by-system'], 'the output device that took this job was deregistered');
      }
    }
    ctx.log.info({ device: uuid }, 'infra: output device deregistered');
    return ok();
  };
}

export function updateOutputDeviceAttributes(q: InfraQueue): Handler {
  return async (service, ctx) => {
    const device = deviceOf(service, q, ctx);
    const incoming = ctx.message.groups.filter((g) => g.tag === GroupTag.printer).flatMap((g) => g.attributes).filter((a) => !LOCAL_ONLY.has(a.name));
    const merged = new Map<string, IppAttribute>(device.attributes.map((a) => [a.name, a]));
    for (const a of incoming) merged.set(a.name, a);
    if (merged.size > MAX_DEVICE_ATTRIBUTES) throw new IppStatusError(IppStatus.clientErrorRequestEntityTooLarge, `more than ${MAX_DEVICE_ATTRIBUTES} printer attributes`);
    await q.registry.put({ ...device, attributes: [...merged.values()], updatedAt: Date.now() });
    q.syncUpstreams();
    await q.hub.publish({ event: 'printer-config-changed', queue: q.queue, attributes: [] });
    // A device that now serves the queue's identity may take the jobs already waiting.
    for (const e of q.table.all()) if (q.isFetchable(e)) q.kick(e.job.id);
    return ok();
  };
}

export function createPrinterSubscriptions(q: InfraQueue): Handler {
  return async (service, ctx) => {
    const device = deviceOf(service, q, ctx);
    const groups = ctx.message.groups.filter((g) => g.tag === GroupTag.subscription);
    if (groups.length === 0) throw new IppStatusError(IppStatus.clientErrorBadRequest, 'a subscription attributes group is required (RFC 3995 §11.1.1)');
    const out: IppGroup[] = [];
    let ignored = false;
    for (const g of groups.slice(0, 8)) {
      const method = g.attributes.find((a) => a.name === 'notify-pull-method');
      const v = method?.values[0];
      if (!v || !('value' in v) || v.value !== 'ippget') {
        out.push({ tag: GroupTag.subscription, attributes: [attr.enum('notify-status-code', IppStatus.clientErrorAttributesOrValuesNotSupported)] });
        continue;
      }
      const asked = keywords(g.attributes.find((a) => a.name === 'notify-events'));
      const known = asked.filter((e): e is InfraEvent => (INFRA_EVENTS as readonly string[]).includes(e));
      if (known.length !== asked.length) ignored = true;
      const sub = await q.hub.subscribe(device.uuid, q.queue, new Set(known.length ? known : INFRA_EVENTS));
      out.push({ tag: GroupTag.subscription, attributes: [attr.integer('notify-subscription-id', sub.id)] });
    }
    return { status: ignored ? IppStatus.successfulOkIgnoredOrSubstitutedAttributes : IppStatus.successfulOk, groups: out };
  };
}

export function cancelSubscription(q: InfraQueue): Handler {
  return async (service, ctx) => {
    const device = deviceOf(service, q, ctx);
    const id = operationAttribute(ctx.message, 'notify-subscription-id')?.values[0];
    const sub = id && id.tag === 'integer' ? await q.hub.get(id.value) : undefined;
    if (!sub || sub.device !== device.uuid) throw new IppStatusError(IppStatus.clientErrorNotFound, 'no such subscription');
    await q.hub.cancel(sub.id);
    return ok();
  };
}

/**
 * Get-Notifications (RFC 3996 §5): events at or after each notify-sequence-numbers value; with
 * notify-wait the request is held until one arrives, the wait cap passes, or the device hangs up.
 */
export function getNotifications(q: InfraQueue): Handler {
  return async (service, ctx) => {
    const device = deviceOf(service, q, ctx);
    const ids = operationAttribute(ctx.message, 'notify-subscription-ids')?.values.flatMap((v) => (v.tag === 'integer' ? [v.value] : [])) ?? [];
    if (ids.length === 0 || ids.length > 32) throw new IppStatusError(IppStatus.clientErrorBadRequest, 'notify-subscription-ids is required (1 to 32 values)');
    const seqs = operationAttribute(ctx.message, 'notify-sequence-numbers')?.values.flatMap((v) => (v.tag === 'integer' ? [v.value] : [])) ?? [];
    const wants = ids.map((id, i) => ({ id, from: seqs[i] ?? 1 }));
    for (const w of wants) {
      const sub = await q.hub.get(w.id);
      if (!sub || sub.device !== device.uuid) throw new IppStatusError(IppStatus.clientErrorNotFound, `subscription ${w.id} does not exist (subscribe again)`);
    }
    let holds = waiting.get(q);
    if (!holds) waiting.set(q, (holds = new Map()));
    const held = holds.get(device.uuid) ?? 0;
    const wait = (booleanValue(operationAttribute(ctx.message, 'notify-wait')) ?? false) && held < MAX_WAITS_PER_DEVICE;
    if (wait) {
      holds.set(device.uuid, held + 1);
      const abort = new AbortController();
      const socket = ctx.http.raw.socket;
      const onClose = (): void => abort.abort();
      socket.once('close', onClose);
      try {
        await q.hub.wait(wants, q.options.maxNotifyWaitMs ?? 30_000, abort.signal);
      } finally {
        socket.off('close', onClose);
        const now = (holds.get(device.uuid) ?? 1) - 1;
        if (now > 0) holds.set(device.uuid, now);
        else holds.delete(device.uuid);
      }
    }
    const uri = `${ctx.secure ? 'ipps' : 'ipp'}://${ctx.http.headers.host ?? '127.0.0.1'}${q.queue}`;
    const upTime = service.clock.now();
    const groups: IppGroup[] = [];
    for (const w of wants) {
      for (const ev of await q.hub.pending(w.id, w.from)) {
        groups.push({
          tag: GroupTag.eventNotification,
          attributes: [
            attr.integer('notify-subscription-id', ev.subscriptionId),
            attr.integer('notify-sequence-number', ev.sequence),
            attr.keyword('notify-subscribed-event', ev.event),
            attr.uri('notify-printer-uri', uri),
            attr.integer('printer-up-time', service.clock.at(ev.at)),
            ...ev.attributes,
          ],
        });
      }
    }
    // RFC 3996 §5.2: when to ask again; with notify-wait the device may ask at once.
    return ok({ operationAttributes: [attr.integer('notify-get-interval', wait ? 0 : 5), attr.integer('printer-up-time', upTime)], groups });
  };
}

