/**
 * Issue 17 (README gap): with the PostgreSQL store, the limits that guard users and the service
 * count across instances, not per instance, so a load balancer in front of two instances grants no
 * more than one instance would.
 * - issue 12's sign-in throttle (5 wrong per user, 10 per address, then 429): wrong passwords spread
 *   over two instances reach the 429 at the same total count as at one;
 * - the per-user queue limit counts the user's unfinished jobs submitted at both instances, also
 *   when the submissions arrive at once.
 * Default throttle settings, as tno runs them; a real PostgreSQL (testing/postgres.ts).
 */
import https from 'node:https';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ippRequest, IppTransportError } from '@trustnoone/ipp-http';
import { attr } from '../src/attrs.js';
import { hashPassword, migrateStore, startIntermediary, type IntermediaryOptions, type RunningIntermediary, type UserEntry } from '../src/index.js';
import { startPrivatePostgres, type PrivatePostgres } from '../../../testing/postgres.js';
import { loopbackTls } from '../../../testing/loopback-tls.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { request, send } from './fixtures/client.js';

const FAST = { N: 1 << 10, r: 8, p: 1 };
/** The instances that take passwords serve TLS on loopback, as `tno intermediary --tls-key/--tls-cert` does. */
const TLS = loopbackTls();
const WRONG = 'not-the-password-51c2';
const TOO_MANY_JOBS = 0x050b;
let db: PrivatePostgres;
let printer: FakePrinter;
const running: RunningIntermediary[] = [];

beforeAll(async () => {
  [db, printer] = await Promise.all([startPrivatePostgres(), startFakePrinter()]);
}, 120_000);
afterAll(async () => {
  for (const r of running) await r.close().catch(() => undefined);
  await printer?.close();
  await db?.stop();
}, 60_000);

async function pair(name: string, extra: Partial<IntermediaryOptions>): Promise<[RunningIntermediary, RunningIntermediary]> {
  const url = await db.createDatabase(name);
  await migrateStore(url);
  const one = (): Promise<RunningIntermediary> =>
    startIntermediary({
      stateDir: mkdtempSync(join(tmpdir(), 'tno-pg-limits-')),
      store: url,
      upstreams: [{ uri: printer.uri }],
      port: 0,
      announce: () => {},
      handleSignals: false,
      storeSyncMs: 100,
      ...extra,
    }).then((r) => (running.push(r), r));
  return [await one(), await one()];
}

/** Get-Printer-Attributes as `user` from loopback address `from`: 'ok' or the refusing HTTP status. */
async function signIn(at: RunningIntermediary, user: string, password: string, from: string): Promise<'ok' | number> {
  // No TLS session reuse: a resumed session shows no certificate for the pin to check.
  const agent = new https.Agent({ localAddress: from, maxCachedSessions: 0 } as https.AgentOptions);
  try {
    const r = await ippRequest(at.uri, request(0x000b, at.uri), { auth: { user, password }, agent, tls: { pinSha256: TLS.pin }, timeoutMs: 10_000 });
    r.data.resume();
    return 'ok';
  } catch (err) {
    if (!(err instanceof IppTransportError) || err.httpStatus === undefined) throw err;
    return err.httpStatus;
  } finally {
    agent.destroy();
  }
}

describe('issue 17: the sign-in throttle counts across instances', () => {
  let a: RunningIntermediary;
  let b: RunningIntermediary;
  beforeAll(async () => {
    const names = ['alice', ...Array.from({ length: 11 }, (_, i) => `user${i}`)];
    const users = new Map<string, UserEntry>();
    for (const n of names) users.set(n, { name: n, role: 'user', hash: await hashPassword(`${n}-pw`, FAST) });
    [a, b] = await pair('throttle', { users, https: { key: TLS.key, cert: TLS.cert }, credentialCacheTtlMs: 0 });
    expect(a.uri).toMatch(/^ipps:/);
  }, 60_000);

  it('five wrong passwords for one user, alternating between two instances, make the sixth a 429 (as at one instance)', async () => {
    const outcomes: Array<'ok' | number> = [];
    for (let i = 0; i < 6; i++) outcomes.push(await signIn(i % 2 === 0 ? a : b, 'alice', WRONG, '127.0.0.3'));
    expect(outcomes).toEqual([401, 401, 401, 401, 401, 429]);
    // Closed at both instances, for a guess from yet another address too.
    expect(await signIn(a, 'alice', WRONG, '127.0.0.4')).toBe(429);
    expect(await signIn(b, 'alice', WRONG, '127.0.0.4')).toBe(429);
  }, 60_000);

  it('ten wrong passwords from one address over two instances (different users) make the eleventh a 429', async () => {
    const outcomes: Array<'ok' | number> = [];
    for (let i = 0; i < 11; i++) outcomes.push(await signIn(i % 2 === 0 ? a : b, `user${i}`, WRONG, '127.0.0.5'));
    expect(outcomes).toEqual([...Array(10).fill(401), 429]);
    // Another address is not held back by this one's failures, at either instance.
    expect(await signIn(b, 'user10', 'user10-pw', '127.0.0.6')).toBe('ok');
    expect(await signIn(a, 'user10', 'user10-pw', '127.0.0.6')).toBe('ok');
  }, 60_000);
});

describe("issue 17: a user's queue limit counts jobs at every instance", () => {
  const LIMIT = 3;
  let a: RunningIntermediary;
  let b: RunningIntermediary;
  beforeAll(async () => {
    [a, b] = await pair('queue', { limits: { maxQueuedJobsPerUser: LIMIT } });
  }, 60_000);

  /** Create-Job (left open: the job stays unfinished) as `user` at `at`; the IPP status. */
  const create = async (at: RunningIntermediary, user: string): Promise<number> =>
    (await send(at.uri, request(0x0005, at.uri, [attr.name('requesting-user-name', user), attr.name('job-name', 'held open')]))).status;

  it('jobs submitted at one instance count at the other', async () => {
    expect(await create(a, 'carol')).toBe(0);
    expect(await create(a, 'carol')).toBe(0);
    expect(await create(b, 'carol')).toBe(0);
    expect(await create(b, 'carol')).toBe(TOO_MANY_JOBS);
    expect(await create(a, 'carol')).toBe(TOO_MANY_JOBS);
    expect(await create(b, 'dave'), 'another user is not held back').toBe(0);
  }, 60_000);

  it('submissions arriving at once at both instances are admitted up to the limit, not beyond', async () => {
    const statuses = await Promise.all(Array.from({ length: 10 }, (_, i) => create(i % 2 === 0 ? a : b, 'erin')));
    expect(statuses.filter((s) => s === 0)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === TOO_MANY_JOBS)).toHaveLength(10 - LIMIT);
  }, 60_000);
});
