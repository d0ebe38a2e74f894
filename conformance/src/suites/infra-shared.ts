/**
 * Helpers the INFRA suites share (PWG 5100.18): the registered output device, jobs to clean up,
 * polling, a job's state as the client sees it, and the device's ippget subscriptions.
 */
import { GroupTag, getInteger, getStrings, type IppMessage } from '@trustnoone/ipp';
import type { TestContext } from '../context.js';
import { expectStatus } from '../expect.js';
import { attr, val } from '../ipp-builders.js';
import { ConformanceFailure } from '../model.js';
import { deviceRequest, eventsIn, type DeviceIdentity } from '../output-device.js';

export const device = (t: TestContext): DeviceIdentity => t.need<DeviceIdentity>('infra-device');

/** Jobs the suite created, so the last test can leave none behind. */
export function track(t: TestContext, jobId: number): void {
  t.remember('infra-created-jobs', [...(t.recall<number[]>('infra-created-jobs') ?? []), jobId]);
}

export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const v = await probe();
    if (v !== undefined || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, delay));
  }
}

export async function jobState(t: TestContext, jobId: number): Promise<{ state: number | undefined; reasons: string[] }> {
  const m = await t.jobAttributes(jobId);
  return { state: getInteger(m, 'job', 'job-state'), reasons: getStrings(m, 'job', 'job-state-reasons') };
}

/** A subscription of the output device, pulled with ippget (RFC 3995 §5.3.3.4, RFC 3996 §5). */
export interface DeviceSubscription {
  readonly id: number;
  /** Get-Notifications from sequence number `from`; `wait` asks for a long poll (notify-wait). */
  poll(from: number, wait: boolean): Promise<IppMessage>;
  /** The sequence number after every event already there: where a test's own events begin. */
  nextSequence(): Promise<number>;
  /** Cancel-Subscription; never fails (it runs in clean-up). */
  cancel(): Promise<void>;
}

/** Create-Printer-Subscriptions as the device for `event`, which must succeed with an id. */
export async function subscribeDevice(t: TestContext, d: DeviceIdentity, event: string): Promise<DeviceSubscription> {
  const sub = await t.send(
    deviceRequest(t, 'Create-Printer-Subscriptions', d.deviceUuid, {
      groups: [{ tag: GroupTag.subscription, attributes: [attr('notify-pull-method', val.keyword('ippget')), attr('notify-events', val.keyword(event))] }],
    }),
  );
  expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(sub.message);
  const id = getInteger(sub.message, 'subscription', 'notify-subscription-id');
  if (id === undefined) throw new ConformanceFailure('Create-Printer-Subscriptions answered without notify-subscription-id');
  const poll = async (from: number, wait: boolean): Promise<IppMessage> =>
    (
      await t.send(
        deviceRequest(t, 'Get-Notifications', d.deviceUuid, {
          operation: [attr('notify-subscription-ids', val.integer(id)), attr('notify-sequence-numbers', val.integer(from)), attr('notify-wait', val.boolean(wait))],
        }),
      )
    ).message;
  return {
    id,
    poll,
    nextSequence: async () => Math.max(0, ...eventsIn(await poll(1, false)).map((e) => e.sequence)) + 1,
    cancel: async () => {
      await t.send(deviceRequest(t, 'Cancel-Subscription', d.deviceUuid, { operation: [attr('notify-subscription-id', val.integer(id))] })).catch(() => undefined);
    },
  };
}
