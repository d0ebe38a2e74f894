/**
 * Pull mode (PWG 5100.18 INFRA, PWG 5100.22 Register-Output-Device) against scripted output
 * devices speaking raw IPP: registration and device authentication, job-fetchable events through
 * Get-Notifications with notify-wait, Get-Jobs which-jobs=fetchable, first acknowledgement wins
 * among two devices of one queue, multi-document jobs fetched byte for byte, jobs that reach
 * completed and canceled, Update-Active-Jobs, Get-Encrypted-Job-Attributes relayed through
 * Fetch-/Acknowledge-Encrypted-Job-Attributes (owner, non-owner, time-out), and a restart.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag } from '@trustnoone/ipp';
import { buildOuterRequest } from '@trustnoone/profile';
import { attr, findAttribute, integerValue, keywords, stringValue } from '../src/attrs.js';
import { hashPassword, startIntermediary, type RunningIntermediary, type UserEntry } from '../src/index.js';
import { request, sealedPrintJob, send, systemRequest, type Answer, envelopeShaped, trustLoopbackTls } from './fixtures/client.js';
import { loopbackTls } from '../../../testing/loopback-tls.js';
import { events, ScriptedDevice } from './fixtures/infra-device.js';

const TLS = loopbackTls();
trustLoopbackTls({ pinSha256: TLS.pin });

const PW = { alice: 'alice-pw-1', bob: 'bob-pw-2', dev1: 'dev1-pw-3', dev2: 'dev2-pw-4' };
const alice = { user: 'alice', password: PW.alice };
const bob = { user: 'bob', password: PW.bob };
const PRINTER_UUID = `urn:uuid:${randomUUID()}`;

let root: string;
const users = new Map<string, UserEntry>();
let server: RunningIntermediary;
let systemUri: string;

async function start(state: string, extra: { encryptedAttributesTimeoutMs?: number; deviceTimeoutMs?: number } = {}): Promise<RunningIntermediary> {
  const s = await startIntermediary({
    stateDir: state,
    upstreams: [],
    infra: { deviceUsers: ['dev1', 'dev2'], maxNotifyWaitMs: 5000, encryptedAttributesTimeoutMs: extra.encryptedAttributesTimeoutMs ?? 5000, ...(extra.deviceTimeoutMs ? { deviceTimeoutMs: extra.deviceTimeoutMs } : {}) },
    users,
    // TLS on loopback, as `tno intermediary --tls-key/--tls-cert` serves credentials.
    https: { key: TLS.key, cert: TLS.cert },
    port: 0,
    announce: () => {},
    handleSignals: false,
    printerAttributesTtlMs: 0,
  });
  systemUri = s.uri.replace('/ipp/print', '/ipp/system');
  return s;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tno-infra-'));
  // Cheap scrypt parameters for test accounts: every device request authenticates.
  for (const [name, pw] of Object.entries(PW)) users.set(name, { name, role: 'user', hash: await hashPassword(pw, { N: 1024, r: 8, p: 1 }) });
  server = await start(join(root, 'state'));
}, 60_000);
afterAll(async () => {
  await server?.close();
});

async function device(user: 'dev1' | 'dev2', printerUuid = PRINTER_UUID): Promise<ScriptedDevice> {
  const d = new ScriptedDevice(server.uri, systemUri, { user, password: PW[user] });
  const r = await d.register();
  expect(r.status, r.statusMessage).toBe(0);
  const u = await d.reportAttributes(printerUuid);
  expect(u.status, u.statusMessage).toBe(0);
  return d;
}

async function submit(data: Uint8Array, who = alice): Promise<number> {
  const a = await send(server.uri, sealedPrintJob(server.uri, who.user), data, who);
  expect(a.status, a.statusMessage).toBe(0);
  return a.jobId!;
}

async function jobState(id: number, who = alice): Promise<{ state: number; reasons: string[] }> {
  const a = await send(server.uri, request(0x0009, server.uri, [attr.integer('job-id', id), attr.name('requesting-user-name', who.user)]), undefined, who);
  return { state: integerValue(findAttribute(a.message, GroupTag.job, 'job-state'))!, reasons: keywords(findAttribute(a.message, GroupTag.job, 'job-state-reasons')) };
}

async function bytesOf(a: Answer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of a.response.data) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const jobIdOp = (id: number) => attr.integer('job-id', id);

describe('INFRA: output device registration and authentication', () => {
  it('refuses devices without credentials, with a non-device account, or a malformed uuid', async () => {
    const anon = new ScriptedDevice(server.uri, systemUri);
    await expect(anon.register()).rejects.toThrow(/401|auth/i);
    const asAlice = new ScriptedDevice(server.uri, systemUri, alice);
    expect((await asAlice.register()).status).toBe(0x0403);
    const bad = await send(systemUri, systemRequest(0x005f, systemUri, server.uri, [attr.uri('output-device-uuid', 'urn:uuid:not-a-uuid')]), undefined, { user: 'dev1', password: PW.dev1 });
    expect(bad.status).toBe(0x0400);
  });

  it('binds a device to the account that registered it; another device account cannot use it', async () => {
    const d = await device('dev1');
    const thief = new ScriptedDevice(server.uri, systemUri, { user: 'dev2', password: PW.dev2 });
    const a = await send(server.uri, request(0x000a, server.uri, [attr.uri('output-device-uuid', d.uuid), attr.keyword('which-jobs', 'fetchable')]), undefined, thief.auth);
    expect(a.status).toBe(0x0403);
    // An unregistered device is told to register.
    const unknown = await thief.call(0x000a, [attr.keyword('which-jobs', 'fetchable')]);
    expect(unknown.status).toBe(0x0403);
    expect(unknown.statusMessage).toMatch(/Register-Output-Device/);
  });

  it('clients read the printer attributes the device reported (printer-uuid, key) through Get-Printer-Attributes', async () => {
    await device('dev1');
    const a = await send(server.uri, request(0x000b, server.uri, [attr.keyword('requested-attributes', 'printer-uuid', 'printer-pkcs7-public-key')]), undefined, alice);
    expect(a.status).toBe(0);
    expect(stringValue(findAttribute(a.message, GroupTag.printer, 'printer-uuid'))).toBe(PRINTER_UUID);
    expect(findAttribute(a.message, GroupTag.printer, 'printer-pkcs7-public-key')?.values.length).toBe(3);
  });
});

describe('INFRA: fetching jobs', () => {
  it('two devices, one queue: job-fetchable reaches both by long poll, the first acknowledgement wins, the job completes', async () => {
    const d1 = await device('dev1');
    const d2 = await device('dev2');
    const s1 = await d1.subscribe();
    const s2 = await d2.subscribe();
    // Both long polls are waiting before the job exists.
    const poll1 = d1.notifications(s1, 1, true);
    const poll2 = d2.notifications(s2, 1, true);
    const data = envelopeShaped(50_000);
    const id = await submit(data);
    const [n1, n2] = await Promise.all([poll1, poll2]);
    for (const n of [n1, n2]) {
      const ev = events(n).find((e) => e['notify-subscribed-event'] === 'job-fetchable');
      expect(ev?.['job-id']).toBe(id);
    }
    expect((await jobState(id)).reasons).toContain('job-fetchable');
    const listed = await d2.call(0x000a, [attr.keyword('which-jobs', 'fetchable')]);
    expect(listed.message.groups.filter((g) => g.tag === GroupTag.job).map((g) => integerValue(g.attributes.find((a) => a.name === 'job-id')))).toContain(id);

    const [f1, f2] = await Promise.all([d1.call(0x0043, [jobIdOp(id)]), d2.call(0x0043, [jobIdOp(id)])]);
    expect([f1.status, f2.status]).toEqual([0, 0]);
    expect(integerValue(findAttribute(f1.message, GroupTag.job, 'number-of-documents'))).toBe(1);
    const acks = await Promise.all([d1.call(0x0041, [jobIdOp(id)]), d2.call(0x0041, [jobIdOp(id)])]);
    const statuses = acks.map((a) => a.status).sort();
    expect(statuses).toEqual([0, 0x0420]);
    const [winner, loser] = acks[0]!.status === 0 ? [d1, d2] : [d2, d1];

    expect((await loser.call(0x0042, [jobIdOp(id), attr.integer('document-number', 1)])).status).toBe(0x0420);
    const again = await loser.call(0x000a, [attr.keyword('which-jobs', 'fetchable')]);
    expect(again.message.groups.filter((g) => g.tag === GroupTag.job)).toHaveLength(0);

    const doc = await winner.call(0x0042, [jobIdOp(id), attr.integer('document-number', 1)]);
    expect(doc.status).toBe(0);
    expect(stringValue(findAttribute(doc.message, GroupTag.operation, 'document-format'))).toBe('application/pkcs7-mime');
    expect((await bytesOf(doc)).equals(data)).toBe(true);
    expect((await winner.call(0x003f, [jobIdOp(id), attr.integer('document-number', 1)])).status).toBe(0);
    expect((await winner.call(0x0048, [jobIdOp(id)], [{ tag: GroupTag.job, attributes: [attr.enum('output-device-job-state', 5), attr.keyword('output-device-job-state-reasons', 'job-printing')] }])).status).toBe(0);
    expect((await jobState(id)).state).toBe(5);
    const upd = await winner.call(0x0047, [jobIdOp(id), attr.integer('document-number', 1)], [{ tag: GroupTag.document, attributes: [attr.enum('output-device-document-state', 9)] }]);
    expect(upd.status).toBe(0);
    expect((await winner.call(0x0048, [jobIdOp(id)], [{ tag: GroupTag.job, attributes: [attr.enum('output-device-job-state', 9), attr.keyword('output-device-job-state-reasons', 'job-completed-successfully')] }])).status).toBe(0);
    const final = await jobState(id);
    expect(final.state).toBe(9);
    expect(final.reasons).toContain('job-completed-successfully');
    // Once finished, the ciphertext is gone and nobody can fetch it.
    expect((await winner.call(0x0042, [jobIdOp(id), attr.integer('document-number', 1)])).status).toBe(0x0420);
  });

  it('a multi-document job becomes fetchable when closed; each document is fetched byte for byte', async () => {
    const d = await device('dev1');
    const create = await send(server.uri, buildOuterRequest({ operation: 'Create-Job', printerUri: server.uri, requestId: 7, requestingUserName: 'alice' }), undefined, alice);
    const id = create.jobId!;
    const docs = [envelopeShaped(10_000), envelopeShaped(20_000), envelopeShaped(5_000)];
    for (const [i, body] of docs.entries()) {
      const last = i === docs.length - 1;
      const before = await d.call(0x000a, [attr.keyword('which-jobs', 'fetchable')]);
      expect(before.message.groups.some((g) => g.tag === GroupTag.job && integerValue(g.attributes.find((a) => a.name === 'job-id')) === id)).toBe(false);
      const a = await send(server.uri, buildOuterRequest({ operation: 'Send-Document', printerUri: server.uri, requestId: 8 + i, requestingUserName: 'alice', jobId: id, lastDocument: last }), body, alice);
      expect(a.status, a.statusMessage).toBe(0);
    }
    expect((await d.call(0x0041, [jobIdOp(id)])).status).toBe(0);
    const job = await d.call(0x0043, [jobIdOp(id)]);
    expect(integerValue(findAttribute(job.message, GroupTag.job, 'number-of-documents'))).toBe(3);
    for (const [i, body] of docs.entries()) {
      const doc = await d.call(0x0042, [jobIdOp(id), attr.integer('document-number', i + 1)]);
      expect(doc.status).toBe(0);
      expect(findAttribute(doc.message, GroupTag.operation, 'last-document')?.values[0]).toEqual({ tag: 'boolean', value: i === 2 });
      expect((await bytesOf(doc)).equals(body)).toBe(true);
      expect((await d.call(0x003f, [jobIdOp(id), attr.integer('document-number', i + 1)])).status).toBe(0);
    }
    expect((await d.call(0x0042, [jobIdOp(id), attr.integer('document-number', 4)])).status).toBe(0x0406);
    await d.call(0x0048, [jobIdOp(id)], [{ tag: GroupTag.job, attributes: [attr.enum('output-device-job-state', 9), attr.keyword('output-device-job-state-reasons', 'job-completed-successfully')] }]);
    expect((await jobState(id)).state).toBe(9);
  });

  it('a device reporting another printer identity is offered nothing', async () => {
    await device('dev1'); // the queue's identity is set by devices already registered
    const other = await device('dev2', `urn:uuid:${randomUUID()}`);
    const id = await submit(envelopeShaped(1000));
    const listed = await other.call(0x000a, [attr.keyword('which-jobs', 'fetchable')]);
    expect(listed.message.groups.filter((g) => g.tag === GroupTag.job)).toHaveLength(0);
    expect((await other.call(0x0041, [jobIdOp(id)])).status).toBe(0x0420);
    // Tidy: someone with the right identity takes it.
    const d = await device('dev1');
    expect((await d.call(0x0041, [jobIdOp(id)])).status).toBe(0);
    await d.call(0x0048, [jobIdOp(id)], [{ tag: GroupTag.job, attributes: [attr.enum('output-device-job-state', 9)] }]);
  });

  it('cancel: before a fetch the job ends here; after, the device hears it, Update-Active-Jobs says so, its report ends it', async () => {
    const d = await device('dev1');
    const early = await submit(envelopeShaped(1000));
    expect((await send(server.uri, request(0x0008, server.uri, [jobIdOp(early), attr.name('requesting-user-name', 'alice')]), undefined, alice)).status).toBe(0);
    await expect.poll(async () => (await jobState(early)).state).toBe(7);
    expect((await d.call(0x0041, [jobIdOp(early)])).status).toBe(0x0420);

    const id = await submit(envelopeShaped(1000));
    const sub = await d.subscribe();
    expect((await d.call(0x0041, [jobIdOp(id)])).status).toBe(0);
    const first = await d.notifications(sub, 1, false);
    const next = Math.max(0, ...events(first).map((e) => e['notify-sequence-number'] as number)) + 1;
    const poll = d.notifications(sub, next, true);
    expect((await send(server.uri, request(0x0008, server.uri, [jobIdOp(id), attr.name('requesting-user-name', 'alice')]), undefined, alice)).status).toBe(0);
    const ev = events(await poll).find((e) => e['job-id'] === id && e['notify-subscribed-event'] === 'job-state-changed');
    expect(ev?.['job-state-reasons']).toContain('processing-to-stop-point');
    const active = await d.call(0x0045, [attr.integer('job-ids', id), attr.enum('output-device-job-states', 5)]);
    expect(integerValue(findAttribute(active.message, GroupTag.operation, 'job-ids'))).toBe(id);
    expect(integerValue(findAttribute(active.message, GroupTag.operation, 'output-device-job-states'))).toBe(7);
    await d.call(0x0048, [jobIdOp(id)], [{ tag: GroupTag.job, attributes: [attr.enum('output-device-job-state', 7), attr.keyword('output-device-job-state-reasons', 'job-canceled-by-user')] }]);
    expect((await jobState(id)).state).toBe(7);
  });
});

describe('Get-Encrypted-Job-Attributes in pull mode (0x006A via 0x0069/0x0068)', () => {
  const ownerCert = ['-----BEGIN CERTIFICATE-----', 'T1dORVI=', '-----END CERTIFICATE-----'];
  const ask = (id: number, who: { user: string; password: string }) =>
    send(
      server.uri,
      request(0x006a, server.uri, [jobIdOp(id), attr.name('requesting-user-name', who.user), attr.keyword('requested-attributes', 'job-name'), attr.text('requesting-user-pkcs7-public-key', ...ownerCert)]),
      undefined,
      who,
    );

  it('the owner’s request is recorded, announced, fetched by the job’s device and completed with its sealed answer', async () => {
    const d = await device('dev1');
    const id = await submit(envelopeShaped(1000));
    expect((await d.call(0x0041, [jobIdOp(id)])).status).toBe(0);
    const sub = await d.subscribe();
    const before = await d.notifications(sub, 1, false);
    const next = Math.max(0, ...events(before).map((e) => e['notify-sequence-number'] as number)) + 1;
    const poll = d.notifications(sub, next, true);
    const owner = ask(id, alice);
    const ev = events(await poll).find((e) => e['notify-subscribed-event'] === 'printer-state-changed');
    expect(ev?.['printer-state-reasons']).toBe('encrypted-job-attributes-requested');
    const requestId = ev?.['encrypted-job-request-id'] as number;
    expect(requestId).toBeGreaterThan(0);
    // While it waits, the queue says so.
    const pa = await send(server.uri, request(0x000b, server.uri, [attr.keyword('requested-attributes', 'printer-state-reasons')]), undefined, alice);
    expect(keywords(findAttribute(pa.message, GroupTag.printer, 'printer-state-reasons'))).toContain('encrypted-job-attributes-requested');

    const fetched = await d.call(0x0069, [attr.integer('encrypted-job-request-id', requestId)]);
    expect(fetched.status).toBe(0);
    expect(integerValue(findAttribute(fetched.message, GroupTag.operation, 'job-id'))).toBe(id);
    expect(findAttribute(fetched.message, GroupTag.operation, 'requesting-user-pkcs7-public-key')?.values.map((v) => ('value' in v ? v.value : ''))).toEqual(ownerCert);
    expect(stringValue(findAttribute(fetched.message, GroupTag.operation, 'requesting-user-name'))).toBe('alice');
    const sealed = envelopeShaped(3000);
    expect((await d.call(0x0068, [attr.integer('encrypted-job-request-id', requestId)], [], sealed)).status).toBe(0);
    const answer = await owner;
    expect(answer.status).toBe(0);
    expect(stringValue(findAttribute(answer.message, GroupTag.operation, 'document-format'))).toBe('application/pkcs7-mime');
    expect((await bytesOf(answer)).equals(sealed)).toBe(true);
    // Answered once: the id is spent.
    expect((await d.call(0x0068, [attr.integer('encrypted-job-request-id', requestId)], [], sealed)).status).toBe(0x0406);
  });

  it('a refusal by the printer reaches the owner with its status and no data', async () => {
    const d = await device('dev1');
    const id = await submit(envelopeShaped(1000));
    expect((await d.call(0x0041, [jobIdOp(id)])).status).toBe(0);
    const sub = await d.subscribe();
    const before = await d.notifications(sub, 1, false);
    const next = Math.max(0, ...events(before).map((e) => e['notify-sequence-number'] as number)) + 1;
    const poll = d.notifications(sub, next, true);
    const owner = ask(id, alice);
    const requestId = events(await poll).find((e) => e['encrypted-job-request-id'] !== undefined)?.['encrypted-job-request-id'] as number;
    expect((await d.call(0x0069, [attr.integer('encrypted-job-request-id', requestId)])).status).toBe(0);
    const refusal = await d.call(0x0068, [attr.integer('encrypted-job-request-id', requestId), attr.enum('fetch-status-code', 0x0406), attr.text('fetch-status-message', 'the printer no longer has this job')]);
    expect(refusal.status).toBe(0);
    const answer = await owner;
    expect(answer.status).toBe(0x0406);
    expect(answer.statusMessage).toBe('the printer no longer has this job');
    expect((await bytesOf(answer)).length).toBe(0);
  });

  it('a non-owner is refused before anything reaches the device; a job not yet fetched says so', async () => {
    const d = await device('dev1');
    const id = await submit(envelopeShaped(1000));
    expect((await ask(id, alice)).status).toBe(0x0404);
    expect((await d.call(0x0041, [jobIdOp(id)])).status).toBe(0);
    expect((await ask(id, bob)).status).toBe(0x0403);
    expect((await d.call(0x0069, [])).status).toBe(0x0406);
  });
});

describe('INFRA: restart and time-outs', () => {
  it('after a restart the device stays registered and its job bound; its subscription is gone; an unanswered request times out clearly', async () => {
    const d = await device('dev1');
    const sub = await d.subscribe();
    const id = await submit(envelopeShaped(2000));
    expect((await d.call(0x0041, [jobIdOp(id)])).status).toBe(0);
    await server.close();
    server = await start(join(root, 'state'), { encryptedAttributesTimeoutMs: 300 });
    const d2 = Object.assign(Object.create(Object.getPrototypeOf(d)) as ScriptedDevice, d, { printerUri: server.uri, systemUri });
    expect((await d2.notifications(sub, 1, false)).status).toBe(0x0406);
    expect((await d2.call(0x0043, [jobIdOp(id)])).status).toBe(0);
    const timedOut = await ask(id);
    expect(timedOut.status).toBe(0x0502);
    expect(timedOut.statusMessage).toMatch(/did not answer/);
    await d2.call(0x0048, [jobIdOp(id)], [{ tag: GroupTag.job, attributes: [attr.enum('output-device-job-state', 9)] }]);
    expect((await jobState(id)).state).toBe(9);

    function ask(job: number) {
      return send(server.uri, request(0x006a, server.uri, [jobIdOp(job), attr.name('requesting-user-name', 'alice'), attr.text('requesting-user-pkcs7-public-key', 'x')]), undefined, alice);
    }
  });
});

describe('INFRA: a device that goes silent', () => {
  it('loses its unfinished job to aborted (with a message), not to another device and not pending forever', async () => {
    await server.close();
    server = await start(join(root, 'state-silent'), { deviceTimeoutMs: 300 });
    const d = await device('dev1');
    const id = await submit(envelopeShaped(500));
    expect((await d.call(0x0041, [jobIdOp(id)])).status).toBe(0);
    const doc = await d.call(0x0042, [jobIdOp(id), attr.integer('document-number', 1)]);
    expect(doc.status).toBe(0);
    await bytesOf(doc);
    // The device has the document and says nothing more; the job must end on its own.
    await expect.poll(async () => (await jobState(id)).state, { timeout: 10_000, interval: 100 }).toBe(8);
    const a = await send(server.uri, request(0x0009, server.uri, [jobIdOp(id), attr.name('requesting-user-name', 'alice'), attr.keyword('requested-attributes', 'job-state-message')]), undefined, alice);
    expect(stringValue(findAttribute(a.message, GroupTag.job, 'job-state-message'))).toMatch(/stopped responding/);
  });

  it('a job acknowledged but never fetched is offered again after the time-out, and another device prints it', async () => {
    const silent = await device('dev1');
    const other = await device('dev2');
    const data = envelopeShaped(700);
    const id = await submit(data);
    expect((await silent.call(0x0041, [jobIdOp(id)])).status).toBe(0);
    // Bound to the silent device: nobody else may take it yet.
    expect((await other.call(0x0041, [jobIdOp(id)])).status).toBe(0x0420);
    // dev2 keeps polling (it is alive); dev1 says nothing more.
    await expect
      .poll(async () => (await other.call(0x0041, [jobIdOp(id)])).status, { timeout: 10_000, interval: 100 })
      .toBe(0);
    const doc = await other.call(0x0042, [jobIdOp(id), attr.integer('document-number', 1)]);
    expect(doc.status).toBe(0);
    expect((await bytesOf(doc)).equals(Buffer.from(data))).toBe(true);
    // The silent device cannot come back for it.
    expect((await silent.call(0x0042, [jobIdOp(id), attr.integer('document-number', 1)])).status).toBe(0x0420);
    await other.call(0x0048, [jobIdOp(id)], [{ tag: GroupTag.job, attributes: [attr.enum('output-device-job-state', 9)] }]);
    expect((await jobState(id)).state).toBe(9);
  });

  it('deregistering a device returns the jobs it never fetched to the queue and aborts the ones it did', async () => {
    const d = await device('dev1');
    const fetched = await submit(envelopeShaped(300));
    const untouched = await submit(envelopeShaped(300));
    for (const id of [fetched, untouched]) expect((await d.call(0x0041, [jobIdOp(id)])).status).toBe(0);
    await bytesOf(await d.call(0x0042, [jobIdOp(fetched), attr.integer('document-number', 1)]));
    expect((await send(systemUri, request(0x0046, systemUri, [attr.uri('output-device-uuid', d.uuid)]), undefined, { user: 'dev1', password: PW.dev1 })).status).toBe(0);
    expect((await jobState(fetched)).state).toBe(8);
    expect(await jobState(untouched)).toEqual({ state: 3, reasons: ['job-fetchable'] });
  });
});
