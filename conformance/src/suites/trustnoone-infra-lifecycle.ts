/**
 * The rest of a pulled job's life at an Infrastructure Printer (PWG 5100.18-2025 §5): a
 * multi-document job fetched document by document, Update-Document-Status, and a client's cancel
 * reaching the output device that holds the job — by a job-state-changed event and by
 * Update-Active-Jobs — until the device's report ends it. Part of the trustnoone-infra suite (run
 * before its deregistration test, with its registered device).
 */
import { GroupTag, type IppMessage } from '@trustnoone/ipp';
import { sealToBytes } from '@trustnoone/smime';
import { randomBytes } from 'node:crypto';
import type { TestContext } from '../context.js';
import { expectClientError, expectStatus } from '../expect.js';
import { attr, val } from '../ipp-builders.js';
import { ConformanceFailure, defineTest } from '../model.js';
import { deviceRequest, eventsIn, jobIdsIn, reportJobState, type DeviceIdentity } from '../output-device.js';
import { outerCreateJob, sealJob, secretName, sendSealedDocument, submitSealed } from '../sealed.js';
import { device, jobState, subscribeDevice, track, until } from './infra-shared.js';
import { INFRASTRUCTURE, jobIdOf, printableRaster } from './shared.js';

const INFRA = 'PWG 5100.18-2025';
const NOTES = 'docs/spec-notes.md';
const OK = ['successful-ok', 'successful-ok-ignored-or-substituted-attributes'] as const;

interface PulledJob {
  readonly jobId: number;
  readonly documents: readonly Uint8Array[];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

/** Waits until the job shows job-fetchable, then Fetch-Job and Acknowledge-Job as the device. */
async function takeJob(t: TestContext, d: DeviceIdentity, jobId: number): Promise<void> {
  const fetchable = await until(async () => ((await jobState(t, jobId)).reasons.includes('job-fetchable') ? true : undefined), 8000);
  if (!fetchable) throw new ConformanceFailure(`job ${jobId} never became fetchable (job-state-reasons ${(await jobState(t, jobId)).reasons.join(', ') || 'none'})`);
  expectStatus(...OK).of((await t.send(deviceRequest(t, 'Fetch-Job', d.deviceUuid, { jobId }))).message);
  expectStatus(...OK).of((await t.send(deviceRequest(t, 'Acknowledge-Job', d.deviceUuid, { jobId }))).message);
}

/** Update-Active-Jobs (§5.7) listing `jobIds` with `states`: the jobs and states the answer names. */
async function updateActiveJobs(t: TestContext, d: DeviceIdentity, jobIds: readonly number[], states: readonly number[]): Promise<Map<number, number>> {
  const { message } = await t.send(
    deviceRequest(t, 'Update-Active-Jobs', d.deviceUuid, {
      operation: [attr('job-ids', ...jobIds.map(val.integer)), attr('output-device-job-states', ...states.map((value) => ({ tag: 'enum' as const, value })))],
    }),
  );
  expectStatus(...OK).of(message);
  const ids = message.groups[0]?.attributes.find((a) => a.name === 'job-ids')?.values.flatMap((v) => (v.tag === 'integer' ? [v.value] : [])) ?? [];
  const out = message.groups[0]?.attributes.find((a) => a.name === 'output-device-job-states')?.values.flatMap((v) => (v.tag === 'enum' || v.tag === 'integer' ? [v.value] : [])) ?? [];
  if (ids.length !== out.length) throw new ConformanceFailure(`Update-Active-Jobs answered ${ids.length} job-ids but ${out.length} output-device-job-states`);
  return new Map(ids.map((id, i) => [id, out[i]!]));
}

function jobNamed(message: IppMessage, jobId: number): boolean {
  return jobIdsIn(message).includes(jobId) || eventsIn(message).some((e) => e.attributes.some((a) => a.name === 'job-id' && a.values[0]?.tag === 'integer' && a.values[0].value === jobId));
}

export const infraLifecycleTests = [
  defineTest({
    id: 'trustnoone-infra.multi-document-pull',
    provides: ['infra-multi-document'],
    title: 'a sealed job of two documents (Create-Job, two Send-Document) is fetched document by document, each byte for byte, and acknowledged',
    level: 'REQUIRED',
    section: `${INFRA} §5.6 Fetch-Job, §5.3 Acknowledge-Job, §5.5 Fetch-Document, §5.1 Acknowledge-Document; ${NOTES} §2, §5`,
    roles: INFRASTRUCTURE,
    requires: ['infra-identity'],
    async run(t) {
      const d = device(t);
      const created = await t.send(outerCreateJob(t));
      expectStatus(...OK).of(created.message);
      const jobId = jobIdOf(created.message);
      track(t, jobId);
      // Blind relays never open these: envelopes of random bytes to the device's key will do.
      const documents = [await sealToBytes(randomBytes(3000), { recipients: [d.certificatePem] }), await sealToBytes(randomBytes(1200), { recipients: [d.certificatePem] })];
      for (const [i, envelope] of documents.entries()) expectStatus(...OK).of((await sendSealedDocument(t, jobId, envelope, i === documents.length - 1)).message);
      await takeJob(t, d, jobId);
      for (const [i, envelope] of documents.entries()) {
        const n = i + 1;
        const { message, data } = await t.send(deviceRequest(t, 'Fetch-Document', d.deviceUuid, { jobId, operation: [attr('document-number', val.integer(n))] }));
        expectStatus(...OK).of(message);
        if (!sameBytes(data, envelope)) throw new ConformanceFailure(`document ${n}: ${data.length} bytes fetched, not the ${envelope.length} submitted`);
        expectStatus(...OK).of((await t.send(deviceRequest(t, 'Acknowledge-Document', d.deviceUuid, { jobId, operation: [attr('document-number', val.integer(n))] }))).message);
      }
      t.remember('infra-multi-document-job', { jobId, documents } satisfies PulledJob);
      t.provide('infra-multi-document');
    },
  }),
  defineTest({
    id: 'trustnoone-infra.update-document-status',
    title: "Update-Document-Status reports a fetched document's state; a document the job does not have is refused",
    level: 'REQUIRED',
    section: `${INFRA} §5.8 Update-Document-Status, §5.9 Update-Job-Status`,
    roles: INFRASTRUCTURE,
    requires: ['infra-multi-document'],
    async run(t) {
      const d = device(t);
      const { jobId, documents } = t.need<PulledJob>('infra-multi-document-job');
      const report = (n: number, state: number) =>
        t.send(
          deviceRequest(t, 'Update-Document-Status', d.deviceUuid, {
            jobId,
            operation: [attr('document-number', val.integer(n))],
            groups: [{ tag: GroupTag.document, attributes: [attr('output-device-document-state', { tag: 'enum', value: state })] }],
          }),
        );
      for (let n = 1; n <= documents.length; n++) expectStatus(...OK).of((await report(n, 9)).message);
      expectClientError().of((await report(documents.length + 1, 9)).message);
      // The device's final report ends the job for the client.
      expectStatus(...OK).of((await reportJobState(t, d, jobId, 9, 'job-completed-successfully')).message);
      const ended = await until(async () => ((await jobState(t, jobId)).state === 9 ? true : undefined), 5000);
      if (!ended) throw new ConformanceFailure(`job ${jobId} shows job-state ${(await jobState(t, jobId)).state ?? 'missing'} after the device reported it completed`);
    },
  }),
  defineTest({
    id: 'trustnoone-infra.cancel-reaches-device',
    title: "a client's Cancel-Job of a job the device holds reaches it: a job-state-changed event, Update-Active-Jobs answers canceled, its report ends the job canceled",
    level: 'REQUIRED',
    section: `${INFRA} §5.7 Update-Active-Jobs, §5.9 Update-Job-Status; RFC 3995 §5.3.3.4 (job-state-changed), RFC 3996 §5 (Get-Notifications)`,
    roles: INFRASTRUCTURE,
    requires: ['infra-identity'],
    async run(t) {
      const d = device(t);
      const subscription = await subscribeDevice(t, d, 'job-state-changed');
      try {
        const { message } = await submitSealed(t, await sealJob(t, { document: await printableRaster(t), jobName: secretName('infra-cancel') }));
        expectStatus(...OK).of(message);
        const jobId = jobIdOf(message);
        track(t, jobId);
        await takeJob(t, d, jobId);
        expectStatus(...OK).of((await reportJobState(t, d, jobId, 5, 'job-printing')).message);
        const before = await updateActiveJobs(t, d, [jobId], [5]);
        if (before.get(jobId) === 7) throw new ConformanceFailure(`Update-Active-Jobs says job ${jobId} is canceled before anyone canceled it`);
        let next = await subscription.nextSequence();
        expectStatus('successful-ok').of((await t.send(t.request('Cancel-Job', { target: [attr('job-id', val.integer(jobId))] }))).message);
        const heard = await until(async () => {
          const answer = await subscription.poll(next, true);
          const events = eventsIn(answer);
          next = Math.max(next, ...events.map((e) => e.sequence + 1));
          return events.some((e) => e.event === 'job-state-changed') && jobNamed(answer, jobId) ? true : undefined;
        }, 8000);
        if (!heard) throw new ConformanceFailure(`the device heard no job-state-changed event for job ${jobId} within 8 s of Cancel-Job`);
        const after = await updateActiveJobs(t, d, [jobId], [5]);
        if (after.get(jobId) !== 7) throw new ConformanceFailure(`Update-Active-Jobs after Cancel-Job answers ${after.has(jobId) ? `state ${after.get(jobId)}` : 'nothing'} for job ${jobId}, not canceled (7)`);
        expectStatus(...OK).of((await reportJobState(t, d, jobId, 7, 'job-canceled-by-user')).message);
        const ended = await until(async () => ((await jobState(t, jobId)).state === 7 ? true : undefined), 5000);
        if (!ended) throw new ConformanceFailure(`job ${jobId} shows job-state ${(await jobState(t, jobId)).state ?? 'missing'} after the device reported it canceled`);
      } finally {
        await subscription.cancel();
      }
    },
  }),
];
