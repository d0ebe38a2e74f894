/**
 * Helpers the INFRA suites share (PWG 5100.18): the registered output device, jobs to clean up,
 * polling, and a job's state as the client sees it.
 */
import { getInteger, getStrings } from '@trustnoone/ipp';
import type { TestContext } from '../context.js';
import type { DeviceIdentity } from '../output-device.js';

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
