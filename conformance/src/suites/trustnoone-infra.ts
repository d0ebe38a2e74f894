/**
 * TRUSTNOONE over the INFRA pull path (PWG 5100.18 INFRA, PWG 5100.22 Register-Output-Device,
 * docs/spec-notes.md §2 and §5) at an Infrastructure Printer. The suite plays both ends: the output device
 * (Proxy) with a printer identity of its own, which it reports and clients seal to, and the client
 * that submits sealed jobs to the queue. Because it holds the key, it can tell whether what it
 * fetches is byte for byte what the client sent, which a blind relay must guarantee.
 */
import { IppTransportError } from '@trustnoone/ipp-http/client';
import { GroupTag, decodeMessage, encodeMessage, findGroups, getInteger, getStrings, type IppMessage, IppStatus } from '@trustnoone/ipp';
import { buildOuterRequest, newJobNonce } from '@trustnoone/profile';
import { certificateToPem, createIdentity, open, pemLines, privateKeyToPem, sealToBytes } from '@trustnoone/smime';
import type { Exchange, TestContext } from '../context.js';
import { findPrinterAttribute } from '../context.js';
import { expectClientError, expectStatus, statusNameOf } from '../expect.js';
import { attr, val } from '../ipp-builders.js';
import { ConformanceFailure, defineSuite, defineTest } from '../model.js';
import {
  deregister,
  deviceRequest,
  eventsIn,
  fetchableJobs,
  jobIdsIn,
  newDeviceIdentity,
  register,
  reportAttributes,
  reportJobState,
  sameIdentityOtherDevice,
  systemRequest,
  type DeviceIdentity,
} from '../output-device.js';
import { sealJob, secretName, submitSealed } from '../sealed.js';
import { device, jobState, subscribeDevice, track, until } from './infra-shared.js';
import { infraLifecycleTests } from './trustnoone-infra-lifecycle.js';
import { INFRASTRUCTURE, isSuccess, jobIdOf, printableRaster } from './shared.js';

const INFRA = 'PWG 5100.18';
const SYSTEM = 'PWG 5100.22';
const NOTES = 'docs/spec-notes.md';
const OK = ['successful-ok', 'successful-ok-ignored-or-substituted-attributes'] as const;

interface SealedJob {
  readonly jobId: number;
  readonly envelope: Uint8Array;
  readonly document: Uint8Array;
  readonly secret: string;
}

function firstDifference(a: Uint8Array, b: Uint8Array): string | undefined {
  if (a.length === b.length && Buffer.from(a).equals(Buffer.from(b))) return undefined;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return `${a.length} bytes fetched, ${b.length} submitted; first difference at offset ${i}`;
}

function expectNotFetchable(what: string, message: IppMessage): void {
  if (message.code === IppStatus.clientErrorNotFetchable) return;
  throw new ConformanceFailure(`${what}: expected client-error-not-fetchable (0x0420), got ${statusNameOf(message)} (0x${message.code.toString(16).padStart(4, '0')})`);
}

function encryptedAttributesRequest(t: TestContext, jobId: number, ownerPem: string): IppMessage {
  return t.request('Get-Encrypted-Job-Attributes', {
    target: [attr('job-id', val.integer(jobId))],
    operation: [attr('requested-attributes', val.keyword('job-name'), val.keyword('job-state')), attr('requesting-user-pkcs7-public-key', ...pemLines(ownerPem).map(val.text))],
  });
}

/**
 * How the device learns an owner asked for encrypted job attributes: a printer-state-changed
 * event carrying encrypted-job-request-id (ippget long poll), or else printer-state-reasons.
 */
async function awaitEncryptedRequest(t: TestContext, d: DeviceIdentity, subscription: number | undefined, from: number): Promise<{ requestId?: number; signal: string } | undefined> {
  if (subscription !== undefined) {
    let next = from;
    const found = await until(async () => {
      const { message } = await t.send(
        deviceRequest(t, 'Get-Notifications', d.deviceUuid, {
          operation: [attr('notify-subscription-ids', val.integer(subscription)), attr('notify-sequence-numbers', val.integer(next)), attr('notify-wait', val.boolean(true))],
        }),
      );
      const events = eventsIn(message);
      next = Math.max(next, ...events.map((e) => e.sequence + 1));
      for (const e of events) {
        const id = e.attributes.find((a) => a.name === 'encrypted-job-request-id')?.values[0];
        const reasons = e.attributes.find((a) => a.name === 'printer-state-reasons')?.values.map((v) => ('value' in v ? v.value : ''));
        if (id?.tag === 'integer' && (reasons ?? []).includes('encrypted-job-attributes-requested')) return id.value;
      }
      return undefined;
    }, 8000).catch(() => undefined);
    if (found !== undefined) return { requestId: found, signal: `printer-state-changed event (encrypted-job-request-id ${found})` };
  }
  const seen = await until(async () => {
    const { message } = await t.send(t.request('Get-Printer-Attributes', { operation: [attr('requested-attributes', val.keyword('printer-state-reasons'))] }));
    return getStrings(message, 'printer', 'printer-state-reasons').includes('encrypted-job-attributes-requested') ? true : undefined;
  }, 8000);
  return seen ? { signal: 'printer-state-reasons encrypted-job-attributes-requested' } : undefined;
}

export const trustnooneInfra = defineSuite({
  id: 'trustnoone-infra',
  title: 'TRUSTNOONE over INFRA (Infrastructure Printer)',
  spec: 'PWG 5100.18 INFRA and PWG 5100.22 with the TRUSTNOONE pull path (docs/spec-notes.md §2, §5)',
  tests: [
    defineTest({
      id: 'trustnoone-infra.register-output-device',
      provides: ['infra-device'],
      title: 'Register-Output-Device on the System object accepts the output device',
      level: 'REQUIRED',
      section: `${SYSTEM} Register-Output-Device, ${NOTES} §5`,
      roles: INFRASTRUCTURE,
      async run(t) {
        const d = newDeviceIdentity();
        const { message } = await register(t, d);
        expectStatus(...OK).of(message);
        t.remember('infra-device', d);
        const uris = [...getStrings(message, 'printer', 'printer-xri-supported'), ...getStrings(message, 'printer', 'printer-uri-supported')];
        t.note(uris.length > 0 ? `queue to serve: ${uris[0]}` : 'the answer names no printer-uri-supported / printer-xri-supported');
        t.provide('infra-device');
      },
    }),
    defineTest({
      id: 'trustnoone-infra.register-requires-device-uuid',
      title: 'Register-Output-Device and Fetch-Job without output-device-uuid are refused with client-error-bad-request',
      level: 'REQUIRED',
      section: `${SYSTEM} Register-Output-Device, ${INFRA} Fetch-Job, ${NOTES} §5 (every Proxy request names its output-device-uuid)`,
      roles: INFRASTRUCTURE,
      async run(t) {
        const { message } = await t.send(systemRequest(t, 'Register-Output-Device', undefined), { to: 'system' });
        try {
          expectStatus('client-error-bad-request').of(message);
        } catch (err) {
          throw new ConformanceFailure(`Register-Output-Device: ${(err as Error).message}`);
        }
        const fetch = await t.send(t.request('Fetch-Job', { target: [attr('job-id', val.integer(1))] }));
        try {
          expectStatus('client-error-bad-request').of(fetch.message);
        } catch (err) {
          throw new ConformanceFailure(`Fetch-Job: ${(err as Error).message}`);
        }
      },
    }),
    defineTest({
      id: 'trustnoone-infra.device-must-authenticate',
      title: 'output-device operations without credentials are refused (HTTP 401, not-authenticated, not-authorized or forbidden)',
      level: 'REQUIRED',
      section: `${INFRA} (Proxy authentication), ${NOTES} §5; docs/pull-mode.md`,
      roles: INFRASTRUCTURE,
      requires: ['infra-device'],
      async run(t) {
        if (t.options.auth === undefined) t.skip('no --auth given: the device account is unknown, so the target is assumed to admit anonymous devices');
        const d = device(t);
        const stranger = sameIdentityOtherDevice(d);
        const attempts: Array<[string, (a: { anonymous: true }) => Promise<Exchange>]> = [
          ['Register-Output-Device', (o) => t.send(systemRequest(t, 'Register-Output-Device', stranger.deviceUuid), { to: 'system', ...o })],
          ['Get-Jobs which-jobs=fetchable', (o) => t.send(deviceRequest(t, 'Get-Jobs', d.deviceUuid, { operation: [attr('which-jobs', val.keyword('fetchable'))] }), o)],
        ];
        for (const [what, send] of attempts) {
          try {
            const { message } = await send({ anonymous: true });
            // A stray anonymous registration must not outlive the run.
            if (isSuccess(message) && what === 'Register-Output-Device') await t.send(systemRequest(t, 'Deregister-Output-Device', stranger.deviceUuid), { to: 'system', anonymous: true }).catch(() => undefined);
            expectStatus('client-error-not-authenticated', 'client-error-not-authorized', 'client-error-forbidden').of(message);
            t.note(`${what}: ${statusNameOf(message)}`);
          } catch (err) {
            if (err instanceof IppTransportError && err.code === 'IPP_HTTP_AUTH_REQUIRED') {
              t.note(`${what}: HTTP 401`);
              continue;
            }
            if (err instanceof ConformanceFailure) throw new ConformanceFailure(`${what} without credentials: ${err.message}`);
            throw err;
          }
        }
      },
    }),
    defineTest({
      id: 'trustnoone-infra.reported-key-relayed',
      provides: ['infra-identity'],
      title: 'Update-Output-Device-Attributes: Get-Printer-Attributes then shows the reported printer-uuid and printer-pkcs7-public-key byte for byte',
      level: 'REQUIRED',
      section: `${INFRA} Update-Output-Device-Attributes, ${NOTES} §3, §5 (no key substitution)`,
      roles: INFRASTRUCTURE,
      requires: ['infra-device'],
      async run(t) {
        const d = device(t);
        expectStatus(...OK).of((await reportAttributes(t, d)).message);
        const ask = () => t.send(t.request('Get-Printer-Attributes', { operation: [attr('requested-attributes', val.keyword('printer-uuid'), val.keyword('printer-pkcs7-public-key'))] }));
        // Answers may be cached for a few seconds: wait for the device's printer-uuid to show.
        let last: IppMessage | undefined;
        await until(async () => {
          last = (await ask()).message;
          return getStrings(last, 'printer', 'printer-uuid').includes(d.printerUuid) ? true : undefined;
        }, 10_000);
        const shown = last!;
        expectStatus(...OK).of(shown);
        const uuids = getStrings(shown, 'printer', 'printer-uuid');
        if (uuids.length !== 1 || uuids[0] !== d.printerUuid) {
          throw new ConformanceFailure(`printer-uuid shows ${uuids.join(', ') || 'nothing'}, not the reported ${d.printerUuid} (a queue already served by another identity, or a substituted one)`);
        }
        const key = findPrinterAttribute(shown, 'printer-pkcs7-public-key');
        const lines = key?.values.map((v) => ('value' in v && typeof v.value === 'string' ? v.value : `<${v.tag}>`)) ?? [];
        if (lines.length !== d.keyLines.length || lines.some((l, i) => l !== d.keyLines[i])) {
          throw new ConformanceFailure(`printer-pkcs7-public-key shows ${lines.length} values that differ from the ${d.keyLines.length} PEM lines reported: a substituted key`);
        }
        t.remember('printer-uuid', d.printerUuid);
        t.remember('printer-certificate', d.certificatePem);
        t.provide('infra-identity');
      },
    }),
    defineTest({
      id: 'trustnoone-infra.not-fetchable',
      title: 'Fetch-Job for a job that is not fetchable (still open, canceled, unknown) is refused with client-error-not-fetchable',
      level: 'REQUIRED',
      section: `${INFRA} Fetch-Job, ${NOTES} §5 (status 0x0420)`,
      roles: INFRASTRUCTURE,
      requires: ['infra-identity'],
      async run(t) {
        const d = device(t);
        const fetch = async (jobId: number) => (await t.send(deviceRequest(t, 'Fetch-Job', d.deviceUuid, { jobId }))).message;
        const unknown = await fetch(0x7ffffff0);
        expectStatus('client-error-not-fetchable', 'client-error-not-found').of(unknown);
        t.note(`unknown job: ${statusNameOf(unknown)}`);
        const create = buildOuterRequest({ operation: 'Create-Job', printerUri: t.printerUri, requestId: t.nextRequestId(), requestingUserName: t.user });
        const { message: created } = await t.send(create);
        if (!isSuccess(created)) {
          t.note(`Create-Job answered ${statusNameOf(created)}: the open-job case was not checked`);
          return;
        }
        const jobId = jobIdOf(created);
        track(t, jobId);
        expectNotFetchable(`Fetch-Job for job ${jobId}, created without documents`, await fetch(jobId));
        if (jobIdsIn((await fetchableJobs(t, d)).message).includes(jobId)) throw new ConformanceFailure(`Get-Jobs which-jobs=fetchable lists job ${jobId}, which has no document yet`);
        expectStatus('successful-ok').of((await t.send(t.request('Cancel-Job', { target: [attr('job-id', val.integer(jobId))] }))).message);
        expectNotFetchable(`Fetch-Job for canceled job ${jobId}`, await fetch(jobId));
      },
    }),
    defineTest({
      id: 'trustnoone-infra.refuses-cleartext-document',
      title: 'a cleartext Print-Job is refused without creating a job (end-to-end policy)',
      level: 'REQUIRED',
      section: `${NOTES} §2`,
      roles: INFRASTRUCTURE,
      requires: ['infra-identity'],
      async run(t) {
        const { message } = await t.send(
          t.request('Print-Job', { operation: [attr('job-name', val.name(secretName('cleartext'))), attr('document-format', val.mime('image/pwg-raster'))] }),
          { data: await printableRaster(t) },
        );
        const jobId = getInteger(message, 'job', 'job-id');
        if (jobId !== undefined) track(t, jobId);
        expectClientError().of(message);
        if (jobId !== undefined) throw new ConformanceFailure('the refusal names a job-id: a job was created');
        t.note(`refused with ${statusNameOf(message)}`);
      },
    }),
    defineTest({
      id: 'trustnoone-infra.sealed-job-fetchable',
      provides: ['infra-job'],
      title: "a sealed Print-Job (sealed to the device's key) becomes fetchable: job-fetchable, listed by Get-Jobs which-jobs=fetchable",
      level: 'REQUIRED',
      section: `${INFRA} Get-Jobs (which-jobs=fetchable), ${NOTES} §5 (job-fetchable)`,
      roles: INFRASTRUCTURE,
      requires: ['infra-identity'],
      async run(t) {
        const d = device(t);
        const secret = secretName('infra');
        const document = await printableRaster(t);
        const envelope = await sealJob(t, { document, jobName: secret, jobUuid: newJobNonce() });
        const { message } = await submitSealed(t, envelope);
        expectStatus(...OK).of(message);
        const jobId = jobIdOf(message);
        track(t, jobId);
        t.remember('infra-sealed-job', { jobId, envelope, document, secret } satisfies SealedJob);
        const reasons = await until(async () => {
          const s = await jobState(t, jobId);
          return s.reasons.includes('job-fetchable') ? s.reasons : undefined;
        }, 5000);
        if (!reasons) throw new ConformanceFailure(`job ${jobId} never showed job-state-reasons job-fetchable (now: ${(await jobState(t, jobId)).reasons.join(', ') || 'none'})`);
        const listed = await fetchableJobs(t, d);
        expectStatus(...OK).of(listed.message);
        if (!jobIdsIn(listed.message).includes(jobId)) throw new ConformanceFailure(`Get-Jobs which-jobs=fetchable does not list job ${jobId}`);
        t.provide('infra-job');
      },
    }),
    defineTest({
      id: 'trustnoone-infra.job-fetchable-event',
      title: 'a device subscribed with ippget hears job-fetchable for a new job through a Get-Notifications long poll',
      level: 'RECOMMENDED',
      section: `${INFRA} (job-fetchable event), RFC 3996 §5 (notify-wait), ${NOTES} §5`,
      roles: INFRASTRUCTURE,
      requires: ['infra-identity'],
      async run(t) {
        const d = device(t);
        const subscription = await subscribeDevice(t, d, 'job-fetchable');
        let jobId: number | undefined;
        try {
          let next = await subscription.nextSequence();
          const { message } = await submitSealed(t, await sealJob(t, { document: await printableRaster(t), jobName: secretName('event') }));
          expectStatus(...OK).of(message);
          jobId = jobIdOf(message);
          track(t, jobId);
          const wanted = jobId;
          const heard = await until(async () => {
            const events = eventsIn(await subscription.poll(next, true));
            next = Math.max(next, ...events.map((e) => e.sequence + 1));
            return events.find((e) => e.event === 'job-fetchable' && e.attributes.some((a) => a.name === 'job-id' && a.values[0]?.tag === 'integer' && a.values[0].value === wanted));
          }, 8000);
          if (!heard) throw new ConformanceFailure(`no job-fetchable event for job ${jobId} within 8 s`);
        } finally {
          if (jobId !== undefined) await t.send(t.request('Cancel-Job', { target: [attr('job-id', val.integer(jobId))] })).catch(() => undefined);
          await subscription.cancel();
        }
      },
    }),
    defineTest({
      id: 'trustnoone-infra.fetch-and-acknowledge-job',
      provides: ['infra-acknowledged'],
      title: 'Fetch-Job returns the job without what was sealed; Acknowledge-Job binds it to the device',
      level: 'REQUIRED',
      section: `${INFRA} Fetch-Job, Acknowledge-Job, ${NOTES} §2, §5`,
      roles: INFRASTRUCTURE,
      requires: ['infra-job'],
      async run(t) {
        const d = device(t);
        const { jobId, secret } = t.need<SealedJob>('infra-sealed-job');
        const fetched = await t.send(deviceRequest(t, 'Fetch-Job', d.deviceUuid, { jobId }));
        expectStatus(...OK).of(fetched.message);
        if (getInteger(fetched.message, 'job', 'job-id') !== jobId) throw new ConformanceFailure(`Fetch-Job answer names job-id ${getInteger(fetched.message, 'job', 'job-id') ?? 'none'}, not ${jobId}`);
        if (Buffer.from(encodeMessage(fetched.message)).includes(Buffer.from(secret))) throw new ConformanceFailure('the Fetch-Job answer carries the sealed job-name in clear');
        expectStatus(...OK).of((await t.send(deviceRequest(t, 'Acknowledge-Job', d.deviceUuid, { jobId }))).message);
        t.provide('infra-acknowledged');
      },
    }),
    defineTest({
      id: 'trustnoone-infra.fetch-document-byte-for-byte',
      title: 'Fetch-Document returns the sealed document byte for byte as submitted, and it opens with the device key',
      level: 'REQUIRED',
      section: `${INFRA} Fetch-Document, ${NOTES} §2 (end to end), §5`,
      roles: INFRASTRUCTURE,
      requires: ['infra-acknowledged'],
      async run(t) {
        const d = device(t);
        const { jobId, envelope, document, secret } = t.need<SealedJob>('infra-sealed-job');
        const { message, data } = await t.send(deviceRequest(t, 'Fetch-Document', d.deviceUuid, { jobId, operation: [attr('document-number', val.integer(1))] }));
        expectStatus(...OK).of(message);
        const diff = firstDifference(data, envelope);
        if (diff) throw new ConformanceFailure(`the fetched document is not the submitted envelope (${diff})`);
        const opened = await open(data, { privateKey: d.privateKeyPem, certificate: d.certificatePem });
        const inner = decodeMessage(opened.plaintext);
        if (!getStrings(inner, 'operation', 'job-name').includes(secret)) throw new ConformanceFailure('the opened inner request does not carry the sealed job-name');
        if (firstDifference(inner.data ?? new Uint8Array(), document)) throw new ConformanceFailure('the opened document differs from the one sealed');
        t.note(`${data.length} bytes, opened with the device key`);
        const ack = await t.send(deviceRequest(t, 'Acknowledge-Document', d.deviceUuid, { jobId, operation: [attr('document-number', val.integer(1))] }));
        expectStatus(...OK).of(ack.message);
      },
    }),
    defineTest({
      id: 'trustnoone-infra.second-device-refused',
      title: 'a job acknowledged by one device cannot be fetched or acknowledged by another (client-error-not-fetchable)',
      level: 'REQUIRED',
      section: `${INFRA} Acknowledge-Job, Fetch-Document, ${NOTES} §5 (output-device-uuid-assigned)`,
      roles: INFRASTRUCTURE,
      requires: ['infra-acknowledged'],
      async run(t) {
        const other = sameIdentityOtherDevice(device(t));
        const { jobId } = t.need<SealedJob>('infra-sealed-job');
        const reg = await register(t, other);
        if (!isSuccess(reg.message)) t.skip(`a second output device could not register (${statusNameOf(reg.message)})`);
        try {
          expectStatus(...OK).of((await reportAttributes(t, other)).message);
          if (jobIdsIn((await fetchableJobs(t, other)).message).includes(jobId)) throw new ConformanceFailure(`Get-Jobs which-jobs=fetchable still lists job ${jobId} to another device`);
          expectNotFetchable('Fetch-Job by another device', (await t.send(deviceRequest(t, 'Fetch-Job', other.deviceUuid, { jobId }))).message);
          expectNotFetchable('Acknowledge-Job by another device', (await t.send(deviceRequest(t, 'Acknowledge-Job', other.deviceUuid, { jobId }))).message);
          const doc = await t.send(deviceRequest(t, 'Fetch-Document', other.deviceUuid, { jobId, operation: [attr('document-number', val.integer(1))] }));
          if (doc.data.length > 0) throw new ConformanceFailure(`another device was handed ${doc.data.length} bytes of job ${jobId}`);
          expectNotFetchable('Fetch-Document by another device', doc.message);
        } finally {
          await deregister(t, other).catch(() => undefined);
        }
      },
    }),
    defineTest({
      id: 'trustnoone-infra.encrypted-job-attributes-pull',
      title: "Get-Encrypted-Job-Attributes reaches the device (Fetch-Encrypted-Job-Attributes) and the owner gets the device's sealed answer byte for byte",
      level: 'RECOMMENDED',
      section: `${NOTES} §2, §5 (0x006A via 0x0069/0x0068)`,
      roles: INFRASTRUCTURE,
      requires: ['infra-acknowledged'],
      async run(t) {
        const d = device(t);
        const { jobId, secret } = t.need<SealedJob>('infra-sealed-job');
        const owner = createIdentity({ commonName: `${t.user} (conformance owner)` });
        const ownerPem = certificateToPem(owner.certificate);
        const sub = await t.send(
          deviceRequest(t, 'Create-Printer-Subscriptions', d.deviceUuid, {
            groups: [{ tag: GroupTag.subscription, attributes: [attr('notify-pull-method', val.keyword('ippget')), attr('notify-events', val.keyword('printer-state-changed'))] }],
          }),
        );
        const subscription = isSuccess(sub.message) ? getInteger(sub.message, 'subscription', 'notify-subscription-id') : undefined;
        let from = 1;
        if (subscription !== undefined) {
          const { message } = await t.send(deviceRequest(t, 'Get-Notifications', d.deviceUuid, { operation: [attr('notify-subscription-ids', val.integer(subscription)), attr('notify-sequence-numbers', val.integer(1))] }));
          from = Math.max(0, ...eventsIn(message).map((e) => e.sequence)) + 1;
        }
        const asking = t.send(encryptedAttributesRequest(t, jobId, ownerPem));
        asking.catch(() => undefined); // awaited below; an early failure must not be unhandled
        try {
          const heard = await awaitEncryptedRequest(t, d, subscription, from);
          if (!heard) throw new ConformanceFailure('the device was not told of the request (no event, no printer-state-reasons encrypted-job-attributes-requested)');
          t.note(`device told by ${heard.signal}`);
          const fetched = await t.send(
            deviceRequest(t, 'Fetch-Encrypted-Job-Attributes', d.deviceUuid, { operation: heard.requestId !== undefined ? [attr('encrypted-job-request-id', val.integer(heard.requestId))] : [] }),
          );
          expectStatus('successful-ok').of(fetched.message);
          const requestId = getInteger(fetched.message, 'operation', 'encrypted-job-request-id');
          if (requestId === undefined) throw new ConformanceFailure('Fetch-Encrypted-Job-Attributes names no encrypted-job-request-id');
          if (getInteger(fetched.message, 'operation', 'job-id') !== jobId) throw new ConformanceFailure(`the fetched request is for job ${getInteger(fetched.message, 'operation', 'job-id') ?? 'none'}, not ${jobId}`);
          const lines = getStrings(fetched.message, 'operation', 'requesting-user-pkcs7-public-key');
          if (lines.join('\n') !== pemLines(ownerPem).join('\n')) throw new ConformanceFailure("the fetched request does not carry the owner's certificate as sent");
          const answer: IppMessage = {
            version: { major: 2, minor: 0 },
            code: 0,
            requestId: 1,
            groups: [
              { tag: GroupTag.operation, attributes: [attr('attributes-charset', val.charset('utf-8')), attr('attributes-natural-language', val.language('en'))] },
              { tag: GroupTag.job, attributes: [attr('job-id', val.integer(jobId)), attr('job-name', val.name(secret)), attr('job-state', { tag: 'enum', value: 5 })] },
            ],
          };
          const sealed = await sealToBytes(encodeMessage(answer), { recipients: [ownerPem], signer: { certificate: d.certificatePem, privateKey: d.privateKeyPem } });
          const ack = await t.send(deviceRequest(t, 'Acknowledge-Encrypted-Job-Attributes', d.deviceUuid, { operation: [attr('encrypted-job-request-id', val.integer(requestId))] }), { data: sealed });
          expectStatus('successful-ok').of(ack.message);
          const got = await asking;
          expectStatus('successful-ok').of(got.message);
          const diff = firstDifference(got.data, sealed);
          if (diff) throw new ConformanceFailure(`the owner's answer is not the device's sealed answer (${diff})`);
          const opened = await open(got.data, { privateKey: privateKeyToPem(owner.privateKey), certificate: ownerPem });
          if (!getStrings(decodeMessage(opened.plaintext), 'job', 'job-name').includes(secret)) throw new ConformanceFailure('the opened answer lacks the job-name');
        } finally {
          await asking.catch(() => undefined);
          if (subscription !== undefined) {
            await t.send(deviceRequest(t, 'Cancel-Subscription', d.deviceUuid, { operation: [attr('notify-subscription-id', val.integer(subscription))] })).catch(() => undefined);
          }
        }
      },
    }),
    defineTest({
      id: 'trustnoone-infra.update-job-status-completed',
      title: 'Update-Job-Status with output-device-job-state completed: the client sees the job completed',
      level: 'REQUIRED',
      section: `${INFRA} Update-Job-Status, ${NOTES} §5 (the Proxy's final report completes the job)`,
      roles: INFRASTRUCTURE,
      requires: ['infra-acknowledged'],
      async run(t) {
        const d = device(t);
        const { jobId } = t.need<SealedJob>('infra-sealed-job');
        expectStatus(...OK).of((await reportJobState(t, d, jobId, 9, 'job-completed-successfully')).message);
        const state = await until(async () => {
          const s = await jobState(t, jobId);
          return s.state === 9 ? s.state : undefined;
        }, 5000);
        if (state !== 9) throw new ConformanceFailure(`Get-Job-Attributes shows job-state ${(await jobState(t, jobId)).state ?? 'missing'}, not completed (9)`);
        t.remember('infra-completed-job', jobId);
      },
    }),
    defineTest({
      id: 'trustnoone-infra.completed-job-not-fetchable',
      title: 'a completed job cannot be fetched again (Fetch-Job, Acknowledge-Job, Fetch-Document: client-error-not-fetchable)',
      level: 'REQUIRED',
      section: `${INFRA} Fetch-Job, Fetch-Document, ${NOTES} §5`,
      roles: INFRASTRUCTURE,
      requires: ['infra-acknowledged'],
      async run(t) {
        const d = device(t);
        const jobId = t.need<number>('infra-completed-job');
        expectNotFetchable('Fetch-Job after completion', (await t.send(deviceRequest(t, 'Fetch-Job', d.deviceUuid, { jobId }))).message);
        expectNotFetchable('Acknowledge-Job after completion', (await t.send(deviceRequest(t, 'Acknowledge-Job', d.deviceUuid, { jobId }))).message);
        const doc = await t.send(deviceRequest(t, 'Fetch-Document', d.deviceUuid, { jobId, operation: [attr('document-number', val.integer(1))] }));
        if (doc.data.length > 0) throw new ConformanceFailure(`Fetch-Document after completion returned ${doc.data.length} bytes`);
        expectNotFetchable('Fetch-Document after completion', doc.message);
      },
    }),
    ...infraLifecycleTests,
    defineTest({
      id: 'trustnoone-infra.deregister-output-device',
      title: 'Deregister-Output-Device ends the registration: the device is refused afterwards',
      level: 'REQUIRED',
      section: `${INFRA} Deregister-Output-Device, ${NOTES} §5`,
      roles: INFRASTRUCTURE,
      requires: ['infra-device'],
      async run(t) {
        const d = device(t);
        // Leave nothing behind: jobs still open are canceled (and reported canceled if ours).
        for (const jobId of t.recall<number[]>('infra-created-jobs') ?? []) {
          const { state } = await jobState(t, jobId).catch(() => ({ state: undefined }));
          if (state === undefined || state >= 7) continue;
          await t.send(t.request('Cancel-Job', { target: [attr('job-id', val.integer(jobId))] })).catch(() => undefined);
          await reportJobState(t, d, jobId, 7, 'job-canceled-by-user').catch(() => undefined);
        }
        expectStatus(...OK).of((await deregister(t, d)).message);
        const after = await fetchableJobs(t, d);
        if (isSuccess(after.message)) throw new ConformanceFailure('the deregistered device is still served (Get-Jobs which-jobs=fetchable succeeded)');
        t.note(`afterwards: ${statusNameOf(after.message)}`);
        if (findGroups(after.message, GroupTag.job).length > 0) throw new ConformanceFailure('the refusal lists jobs');
      },
    }),
  ],
});
