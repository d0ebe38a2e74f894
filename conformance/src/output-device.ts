/**
 * The output device (INFRA Proxy, PWG 5100.18) the suite plays in the infrastructure role: its
 * own printer identity (key, certificate, printer-uuid) made per run, and the requests a Proxy
 * sends, each naming its output-device-uuid (docs/spec-notes.md §5). The identity is what lets the suite
 * open the jobs it fetches, and so check that the Infrastructure Printer passed them on untouched.
 */
import { randomUUID } from 'node:crypto';
import { GroupTag, findGroups, operationCode, type IppAttribute, type IppGroup, type IppMessage } from '@trustnoone/ipp';
import { certificateToPem, createIdentity, pemLines, privateKeyToPem } from '@trustnoone/smime';
import type { Exchange, TestContext } from './context.js';
import { attr, val } from './ipp-builders.js';

export interface DeviceIdentity {
  /** output-device-uuid (urn:uuid:), distinct from the printer-uuid it reports. */
  readonly deviceUuid: string;
  /** printer-uuid the device reports; named in its certificate's subjectAltName. */
  readonly printerUuid: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** printer-pkcs7-public-key as reported: the PEM, one line per value (docs/spec-notes.md §1). */
  readonly keyLines: readonly string[];
}

/** A fresh printer identity for one run (never leaves the process). */
export function newDeviceIdentity(): DeviceIdentity {
  const printerUuid = randomUUID();
  const identity = createIdentity({ commonName: 'tno conformance output device', printerUuid });
  const certificatePem = certificateToPem(identity.certificate);
  return {
    deviceUuid: `urn:uuid:${randomUUID()}`,
    printerUuid: `urn:uuid:${printerUuid}`,
    certificatePem,
    privateKeyPem: privateKeyToPem(identity.privateKey),
    keyLines: pemLines(certificatePem),
  };
}

/** Another output device of the same printer identity (a pool member, PWG 5100.18 §4). */
export function sameIdentityOtherDevice(d: DeviceIdentity): DeviceIdentity {
  return { ...d, deviceUuid: `urn:uuid:${randomUUID()}` };
}

export interface DeviceRequestSpec {
  readonly jobId?: number;
  readonly operation?: readonly IppAttribute[];
  readonly groups?: readonly IppGroup[];
}

/** A Proxy request to the Infrastructure Printer (the target), naming the device. */
export function deviceRequest(t: TestContext, operation: string, deviceUuid: string, spec: DeviceRequestSpec = {}): IppMessage {
  const m = t.request(operation, {
    ...(spec.jobId !== undefined ? { target: [attr('job-id', val.integer(spec.jobId))] } : {}),
    operation: [attr('output-device-uuid', val.uri(deviceUuid)), ...(spec.operation ?? [])],
  });
  return { ...m, groups: [...m.groups, ...(spec.groups ?? [])] };
}

/**
 * A System Service request (PWG 5100.22): system-uri names the System object, printer-uri the
 * queue the device will serve, then the device's uuid (omitted to test that it is required).
 */
export function systemRequest(t: TestContext, operation: string, deviceUuid: string | undefined): IppMessage {
  const code = operationCode(operation);
  if (code === undefined) throw new RangeError(`unknown IPP operation '${operation}'`);
  const ops: IppAttribute[] = [
    attr('attributes-charset', val.charset('utf-8')),
    attr('attributes-natural-language', val.language('en')),
    attr('system-uri', val.uri(t.systemUri)),
    attr('printer-uri', val.uri(t.printerUri)),
    attr('requesting-user-name', val.name(t.user)),
  ];
  if (deviceUuid !== undefined) ops.push(attr('output-device-uuid', val.uri(deviceUuid)));
  return { version: { major: 2, minor: 0 }, code, requestId: t.nextRequestId(), groups: [{ tag: GroupTag.operation, attributes: ops }] };
}

export function register(t: TestContext, d: DeviceIdentity): Promise<Exchange> {
  return t.send(systemRequest(t, 'Register-Output-Device', d.deviceUuid), { to: 'system' });
}

export function deregister(t: TestContext, d: DeviceIdentity): Promise<Exchange> {
  return t.send(systemRequest(t, 'Deregister-Output-Device', d.deviceUuid), { to: 'system' });
}

/** The printer attributes a client seals to, as a TRUSTNOONE printer would report them. */
export function reportedAttributes(d: DeviceIdentity): IppAttribute[] {
  return [
    attr('printer-uuid', val.uri(d.printerUuid)),
    attr('printer-pkcs7-public-key', ...d.keyLines.map(val.text)),
    attr('printer-state', { tag: 'enum', value: 3 }),
    attr('printer-state-reasons', val.keyword('none')),
    attr('document-format-supported', val.mime('application/pkcs7-mime')),
    attr('pkcs7-document-format-supported', val.mime('image/pwg-raster')),
  ];
}

export function reportAttributes(t: TestContext, d: DeviceIdentity): Promise<Exchange> {
  return t.send(deviceRequest(t, 'Update-Output-Device-Attributes', d.deviceUuid, { groups: [{ tag: GroupTag.printer, attributes: reportedAttributes(d) }] }));
}

/** job-ids of the job groups of an answer (Get-Jobs). */
export function jobIdsIn(message: IppMessage): number[] {
  return findGroups(message, GroupTag.job).flatMap((g) => {
    const v = g.attributes.find((a) => a.name === 'job-id')?.values[0];
    return v?.tag === 'integer' ? [v.value] : [];
  });
}

/** Get-Jobs which-jobs=fetchable as the device (PWG 5100.18: how a Proxy primes its queue). */
export async function fetchableJobs(t: TestContext, d: DeviceIdentity): Promise<Exchange> {
  return t.send(deviceRequest(t, 'Get-Jobs', d.deviceUuid, { operation: [attr('which-jobs', val.keyword('fetchable'))] }));
}

/** Update-Job-Status with output-device-job-state (PWG 5100.18), as the device. */
export function reportJobState(t: TestContext, d: DeviceIdentity, jobId: number, state: number, reason: string): Promise<Exchange> {
  return t.send(
    deviceRequest(t, 'Update-Job-Status', d.deviceUuid, {
      jobId,
      groups: [{ tag: GroupTag.job, attributes: [attr('output-device-job-state', { tag: 'enum', value: state }), attr('output-device-job-state-reasons', val.keyword(reason))] }],
    }),
  );
}

/** An event of a Get-Notifications answer (RFC 3996 §5.2), reduced to what the suite reads. */
export interface DeviceEvent {
  readonly sequence: number;
  readonly event: string;
  readonly attributes: readonly IppAttribute[];
}

export function eventsIn(message: IppMessage): DeviceEvent[] {
  return findGroups(message, GroupTag.eventNotification).map((g) => {
    const get = (name: string) => g.attributes.find((a) => a.name === name)?.values[0];
    const seq = get('notify-sequence-number');
    const ev = get('notify-subscribed-event');
    return { sequence: seq?.tag === 'integer' ? seq.value : 0, event: ev && 'value' in ev && typeof ev.value === 'string' ? ev.value : '', attributes: g.attributes };
  });
}
