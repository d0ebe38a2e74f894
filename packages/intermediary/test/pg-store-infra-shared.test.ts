/**
 * Issue 17 ("any instance answers any request"), pull mode on the PostgreSQL store without sticky
 * routing: an output device subscribes at one instance and long-polls Get-Notifications at the
 * other, and hears the job-fetchable and job-state-changed events with one sequence of numbers
 * whichever instance it asks; an owner's Get-Encrypted-Job-Attributes waiting at one instance is
 * answered by the device through the other (Fetch-/Acknowledge-Encrypted-Job-Attributes).
 * The instances run with the shipped store poll interval (500 ms); the event latency printed is
 * from the submission's answer to the long poll's answer at the other instance. A job written at
 * one instance reaches the other's view by NOTIFY, not by waiting for its next poll.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag } from '@trustnoone/ipp';
import { attr, findAttribute, integerValue } from '../src/attrs.js';
import { hashPassword, migrateStore, startIntermediary, type RunningIntermediary, type UserEntry } from '../src/index.js';
import { startPrivatePostgres, type PrivatePostgres } from '../../../testing/postgres.js';
import { loopbackTls } from '../../../testing/loopback-tls.js';
import { envelopeShaped, request, sealedPrintJob, send, type Answer, trustLoopbackTls } from './fixtures/client.js';
import { events, ScriptedDevice } from './fixtures/infra-device.js';

const TLS = loopbackTls();
trustLoopbackTls({ pinSha256: TLS.pin });

const PW = { alice: 'alice-pw-1', dev1: 'dev1-pw-3' };
const alice = { user: 'alice', password: PW.alice };
const PRINTER_UUID = `urn:uuid:${randomUUID()}`;
const users = new Map<string, UserEntry>();
let db: PrivatePostgres;
const running: RunningIntermediary[] = [];
let a: RunningIntermediary;
let b: RunningIntermediary;

async function instance(url: string, storeSyncMs?: number): Promise<RunningIntermediary> {
  const s = await startIntermediary({
    stateDir: mkdtempSync(join(tmpdir(), 'tno-pg-shared-')),
    store: url,
    upstreams: [],
    infra: { deviceUsers: ['dev1'], maxNotifyWaitMs: 8000 },
    users,
    // TLS on loopback, as `tno intermediary --tls-key/--tls-cert` serves credentials.
    https: { key: TLS.key, cert: TLS.cert },
    port: 0,
    announce: () => {},
    handleSignals: false,
    ...(storeSyncMs ? { storeSyncMs } : {}),
  });
  running.push(s);
  return s;
}

beforeAll(async () => {
  for (const [name, pw] of Object.entries(PW)) users.set(name, { name, role: 'user', hash: await hashPassword(pw, { N: 1024, r: 8, p: 1 }) });
  db = await startPrivatePostgres();
  const url = await db.createDatabase('shared');
  await migrateStore(url);
  [a, b] = await Promise.all([instance(url), instance(url)]);
  expect(a.uri).toMatch(/^ipps:/);
}, 120_000);
afterAll(async () => {
  for (const r of running) await r.close().catch(() => undefined);
  await db?.stop();
}, 60_000);

const jobIdOp = (id: number) => attr.integer('job-id', id);
const systemOf = (s: RunningIntermediary) => s.uri.replace('/ipp/print', '/ipp/system');

/** The same device (same output-device-uuid and account) talking to instance `s`. */
function via(d: ScriptedDevice, s: RunningIntermediary): ScriptedDevice {
  const other = new ScriptedDevice(s.uri, systemOf(s), d.auth);
  Object.defineProperty(other, 'uuid', { value: d.uuid });
  return other;
}

async function registered(at: RunningIntermediary): Promise<ScriptedDevice> {
  const d = new ScriptedDevice(at.uri, systemOf(at), { user: 'dev1', password: PW.dev1 });
  expect((await d.register()).status).toBe(0);
  expect((await d.reportAttributes(PRINTER_UUID)).status).toBe(0);
  return d;
}

async function bytesOf(x: Answer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of x.response.data) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const lastSequence = (x: Answer): number => Math.max(0, ...events(x).map((e) => e['notify-sequence-number'] as number));

describe('issue 17: subscriptions shared by the instances', () => {
  it('subscribed at one instance, polled at the other: job-fetchable and job-state-changed with one sequence', async () => {
    const atA = await registered(a);
    const atB = via(atA, b);
    const sub = await atA.subscribe();
    const primed = await atB.notifications(sub, 1, false);
    expect(primed.status, primed.statusMessage).toBe(0);
    const from = lastSequence(primed) + 1;

    const poll = atB.notifications(sub, from, true);
    await new Promise((r) => setTimeout(r, 300)); // the long poll is held at B
    const submitted = await send(a.uri, sealedPrintJob(a.uri, 'alice'), envelopeShaped(20_000), alice);
    expect(submitted.status, submitted.statusMessage).toBe(0);
    const t0 = Date.now();
    const heard = await poll;
    const latency = Date.now() - t0;
    console.log(`cross-instance event latency (submit at A → long poll at B answered): ${latency} ms`);
    const fetchable = events(heard).find((e) => e['notify-subscribed-event'] === 'job-fetchable');
    expect(fetchable?.['job-id']).toBe(submitted.jobId);
    expect(fetchable?.['notify-sequence-number']).toBe(from);

    // Acknowledged through B; the event is numbered next, and A reports the same numbers.
    expect((await atB.call(0x0041, [jobIdOp(submitted.jobId!)])).status).toBe(0);
    const all = await atA.notifications(sub, from, false);
    const seqs = events(all).map((e) => e['notify-sequence-number']);
    expect(seqs).toEqual(events(await atB.notifications(sub, from, false)).map((e) => e['notify-sequence-number']));
    expect(seqs).toEqual(seqs.map((_, i) => from + i));
    const changed = events(all).find((e) => e['notify-subscribed-event'] === 'job-state-changed' && e['job-id'] === submitted.jobId);
    expect(changed?.['output-device-uuid-assigned']).toBe(atA.uuid);

    // Canceled at B: A no longer knows it either.
    expect((await atB.call(0x001b, [attr.integer('notify-subscription-id', sub)])).status).toBe(0);
    expect((await atA.notifications(sub, 1, false)).status).toBe(0x0406);
  }, 60_000);
});

describe('issue 17: Get-Encrypted-Job-Attributes relayed across instances', () => {
  const ownerCert = ['-----BEGIN CERTIFICATE-----', 'T1dORVI=', '-----END CERTIFICATE-----'];

  it('the owner waits at B while the device fetches and answers at A', async () => {
    const d = await registered(a);
    const submitted = await send(a.uri, sealedPrintJob(a.uri, 'alice'), envelopeShaped(5_000), alice);
    const id = submitted.jobId!;
    expect((await d.call(0x0041, [jobIdOp(id)])).status).toBe(0);
    const sub = await d.subscribe();
    const poll = d.notifications(sub, lastSequence(await d.notifications(sub, 1, false)) + 1, true);
    const owner = send(
      b.uri,
      request(0x006a, b.uri, [jobIdOp(id), attr.name('requesting-user-name', 'alice'), attr.keyword('requested-attributes', 'job-name'), attr.text('requesting-user-pkcs7-public-key', ...ownerCert)]),
      undefined,
      alice,
    );
    const ev = events(await poll).find((e) => e['notify-subscribed-event'] === 'printer-state-changed');
    const requestId = ev?.['encrypted-job-request-id'] as number;
    expect(requestId).toBeGreaterThan(0);
    const fetched = await d.call(0x0069, [attr.integer('encrypted-job-request-id', requestId)]);
    expect(fetched.status, fetched.statusMessage).toBe(0);
    expect(integerValue(findAttribute(fetched.message, GroupTag.operation, 'job-id'))).toBe(id);
    const sealed = envelopeShaped(3000);
    expect((await d.call(0x0068, [attr.integer('encrypted-job-request-id', requestId)], [], sealed)).status).toBe(0);
    const answer = await owner;
    expect(answer.status, answer.statusMessage).toBe(0);
    expect((await bytesOf(answer)).equals(sealed)).toBe(true);
    // Answered once: the id is spent at both instances.
    expect((await via(d, b).call(0x0068, [attr.integer('encrypted-job-request-id', requestId)], [], sealed)).status).toBe(0x0406);
  }, 60_000);
});

describe('issue 17: LISTEN/NOTIFY wakes the other instances', () => {
  it('a job created at one instance is in the other’s view at once, not at its next poll', async () => {
    const url = await db.createDatabase('notify');
    await migrateStore(url);
    // Polls a minute apart: within the test only the notification can bring the job over.
    const [x, y] = await Promise.all([instance(url, 60_000), instance(url, 60_000)]);
    await new Promise((r) => setTimeout(r, 300)); // the listening connections are up
    const submitted = await send(x.uri, sealedPrintJob(x.uri, 'alice'), envelopeShaped(2_000), alice);
    expect(submitted.status, submitted.statusMessage).toBe(0);
    const t0 = Date.now();
    while (!y.service.table.get(submitted.jobId!) && Date.now() - t0 < 5_000) await new Promise((r) => setTimeout(r, 2));
    const latency = Date.now() - t0;
    console.log(`cross-instance view latency (job committed at one instance → in the other's table): ${latency} ms`);
    expect(y.service.table.get(submitted.jobId!)?.job.id).toBe(submitted.jobId);
  }, 60_000);
});
