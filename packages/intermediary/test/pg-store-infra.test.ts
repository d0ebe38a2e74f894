/**
 * Issue 17, pull mode: two Infrastructure Printer instances (`infra`) on one PostgreSQL store serve
 * one queue. Output devices registered at different instances see the same jobs: a job submitted at
 * one reaches a device long-polling the other (job-fetchable), two devices racing to acknowledge
 * one job through different instances get one success and one client-error-not-fetchable, and a
 * stream of jobs submitted alternately at both instances is fetched once each, byte for byte, and
 * completes, seen the same from either instance. A device that talks only to one instance is not
 * taken for a silent one by the other (its jobs are not offered again nor aborted there).
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
import { envelopeShaped, request, sealedPrintJob, send, waitFor, type Answer, trustLoopbackTls } from './fixtures/client.js';
import { events, ScriptedDevice } from './fixtures/infra-device.js';

const TLS = loopbackTls();
trustLoopbackTls({ pinSha256: TLS.pin });

const PW = { alice: 'alice-pw-1', dev1: 'dev1-pw-3', dev2: 'dev2-pw-4' };
const alice = { user: 'alice', password: PW.alice };
const PRINTER_UUID = `urn:uuid:${randomUUID()}`;
const users = new Map<string, UserEntry>();
let db: PrivatePostgres;
const running: RunningIntermediary[] = [];
let a: RunningIntermediary;
let b: RunningIntermediary;

async function instance(url: string, deviceTimeoutMs?: number): Promise<RunningIntermediary> {
  const s = await startIntermediary({
    stateDir: mkdtempSync(join(tmpdir(), 'tno-pg-infra-')),
    store: url,
    upstreams: [],
    infra: { deviceUsers: ['dev1', 'dev2'], maxNotifyWaitMs: 5000, ...(deviceTimeoutMs ? { deviceTimeoutMs } : {}) },
    users,
    // TLS on loopback, as `tno intermediary --tls-key/--tls-cert` serves credentials.
    https: { key: TLS.key, cert: TLS.cert },
    port: 0,
    announce: () => {},
    handleSignals: false,
    printerAttributesTtlMs: 0,
    storeSyncMs: 100,
  });
  running.push(s);
  return s;
}

beforeAll(async () => {
  for (const [name, pw] of Object.entries(PW)) users.set(name, { name, role: 'user', hash: await hashPassword(pw, { N: 1024, r: 8, p: 1 }) });
  db = await startPrivatePostgres();
  const url = await db.createDatabase('infra');
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

async function device(user: 'dev1' | 'dev2', at: RunningIntermediary): Promise<ScriptedDevice> {
  const d = new ScriptedDevice(at.uri, systemOf(at), { user, password: PW[user] });
  expect((await d.register()).status).toBe(0);
  expect((await d.reportAttributes(PRINTER_UUID)).status).toBe(0);
  return d;
}

async function bytesOf(x: Answer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of x.response.data) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function stateAt(s: RunningIntermediary, id: number): Promise<number> {
  const x = await send(s.uri, request(0x0009, s.uri, [jobIdOp(id), attr.name('requesting-user-name', 'alice')]), undefined, alice);
  return integerValue(findAttribute(x.message, GroupTag.job, 'job-state')) ?? 0;
}

/** The device takes, fetches and completes one job; false if another device had it first. */
async function take(d: ScriptedDevice, id: number): Promise<Buffer | false> {
  if ((await d.call(0x0043, [jobIdOp(id)])).status !== 0) return false;
  const ack = await d.call(0x0041, [jobIdOp(id)]);
  if (ack.status === 0x0420) return false;
  expect(ack.status, ack.statusMessage).toBe(0);
  const doc = await d.call(0x0042, [jobIdOp(id), attr.integer('document-number', 1)]);
  expect(doc.status, doc.statusMessage).toBe(0);
  const bytes = await bytesOf(doc);
  expect((await d.call(0x003f, [jobIdOp(id), attr.integer('document-number', 1)])).status).toBe(0);
  const done = await d.call(0x0048, [jobIdOp(id)], [{ tag: GroupTag.job, attributes: [attr.enum('output-device-job-state', 9), attr.keyword('output-device-job-state-reasons', 'job-completed-successfully')] }]);
  expect(done.status, done.statusMessage).toBe(0);
  return bytes;
}

describe('issue 17: INFRA output devices pulling from different instances of one queue', () => {
  it('a job submitted at one instance reaches a device long-polling the other; one acknowledgement wins', async () => {
    const d1 = await device('dev1', a);
    const d2 = await device('dev2', b);
    const s1 = await d1.subscribe();
    const s2 = await d2.subscribe();
    const poll1 = d1.notifications(s1, 1, true);
    const poll2 = d2.notifications(s2, 1, true);
    const data = envelopeShaped(40_000);
    const submitted = await send(a.uri, sealedPrintJob(a.uri, 'alice'), data, alice);
    expect(submitted.status, submitted.statusMessage).toBe(0);
    const id = submitted.jobId!;
    for (const n of await Promise.all([poll1, poll2])) expect(events(n).find((e) => e['notify-subscribed-event'] === 'job-fetchable')?.['job-id']).toBe(id);
    const acks = await Promise.all([d1.call(0x0041, [jobIdOp(id)]), d2.call(0x0041, [jobIdOp(id)])]);
    expect(acks.map((x) => x.status).sort()).toEqual([0, 0x0420]);
    const winner = acks[0]!.status === 0 ? d1 : d2;
    const doc = await winner.call(0x0042, [jobIdOp(id), attr.integer('document-number', 1)]);
    expect((await bytesOf(doc)).equals(data)).toBe(true);
    await winner.call(0x0048, [jobIdOp(id)], [{ tag: GroupTag.job, attributes: [attr.enum('output-device-job-state', 9), attr.keyword('output-device-job-state-reasons', 'job-completed-successfully')] }]);
    for (const s of [a, b]) await waitFor(async () => (await stateAt(s, id)) === 9, 5000, 'completed, seen from both instances');
  }, 60_000);

  it('jobs submitted alternately at both instances are each taken by exactly one device and complete', async () => {
    const d1 = await device('dev1', a);
    const d2 = await device('dev2', b);
    const sent = new Map<number, Buffer>();
    for (let i = 0; i < 16; i++) {
      const at = i % 2 ? b : a;
      const data = envelopeShaped(5_000 + i);
      const r = await send(at.uri, sealedPrintJob(at.uri, 'alice'), data, alice);
      expect(r.status, r.statusMessage).toBe(0);
      sent.set(r.jobId!, data);
    }
    const takenBy = new Map<number, string[]>();
    const got = new Map<number, Buffer>();
    // Both devices work the queue at once, each through its own instance.
    await Promise.all(
      [d1, d2].map(async (d, k) => {
        for (const id of sent.keys()) {
          const bytes = await take(d, id);
          if (bytes === false) continue;
          takenBy.set(id, [...(takenBy.get(id) ?? []), `dev${k + 1}`]);
          got.set(id, bytes);
        }
      }),
    );
    for (const [id, data] of sent) {
      expect(takenBy.get(id), `job ${id}`).toHaveLength(1);
      expect(got.get(id)!.equals(data)).toBe(true);
    }
    // Both devices did work (the instances really shared the queue).
    const counts = [...takenBy.values()].flat();
    expect(counts.filter((x) => x === 'dev1').length).toBeGreaterThan(0);
    expect(counts.filter((x) => x === 'dev2').length).toBeGreaterThan(0);
    for (const id of sent.keys()) for (const s of [a, b]) await waitFor(async () => (await stateAt(s, id)) === 9, 5000, `job ${id} completed at both`);
  }, 120_000);
});

describe('issue 17: device liveness is shared', () => {
  it('a device busy at one instance is not declared silent by the other', async () => {
    const url = await db.createDatabase('infra_liveness');
    await migrateStore(url);
    const [x, y] = await Promise.all([instance(url, 1500), instance(url, 1500)]);
    const d = await device('dev1', x);
    const data = envelopeShaped(8_000);
    const r = await send(x.uri, sealedPrintJob(x.uri, 'alice'), data, alice);
    const id = r.jobId!;
    expect((await d.call(0x0043, [jobIdOp(id)])).status).toBe(0);
    expect((await d.call(0x0041, [jobIdOp(id)])).status).toBe(0);
    // The device keeps talking to x only, for well past the other instance's silence limit.
    const until = Date.now() + 6_000;
    while (Date.now() < until) {
      expect((await d.call(0x000a, [attr.keyword('which-jobs', 'fetchable')])).status).toBe(0);
      await new Promise((res) => setTimeout(res, 300));
    }
    const st = y.service.table.get(id)!.status;
    expect(st.state, st.message).toBeLessThan(7);
    expect(st.forward.upstream).toBe(d.uuid);
  }, 60_000);
});
