/**
 * Review item 3: with the PostgreSQL store down, a request that needs the store (a sign-in checks
 * the shared failure throttle there) was answered HTTP 500. It must be 503 with Retry-After (the
 * client tries again later; nothing was taken), logged with its cause; and once the database is
 * back the same instance serves again, without a restart. `tno intermediary` as it ships (TLS,
 * a users file, --store), a real PostgreSQL (testing/postgres.ts) halted and restarted under it.
 */
import https from 'node:https';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ippRequest, IppTransportError } from '@trustnoone/ipp-http';
import { addUser, migrateStore } from '../src/index.js';
import { startPrivatePostgres, type PrivatePostgres } from '../../../testing/postgres.js';
import { startTnoIntermediary, type TnoIntermediary } from '../../../testing/tno-intermediary.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { loopbackTls, type LoopbackTls } from '../../../testing/loopback-tls.js';
import { request } from './fixtures/client.js';

const GET_PRINTER_ATTRIBUTES = 0x000b;
const GET_JOBS = 0x000a;
let dir: string;
let db: PrivatePostgres;
let printer: FakePrinter;
let tls: LoopbackTls;
let inter: TnoIntermediary;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tno-review-3-'));
  tls = loopbackTls('intermediary', dir);
  const users = join(dir, 'users');
  await addUser(users, 'alice', 'alice-pw');
  [db, printer] = await Promise.all([startPrivatePostgres(), startFakePrinter()]);
  const url = await db.createDatabase('review3');
  await migrateStore(url);
  inter = await startTnoIntermediary(printer.uri, ['--store', url, '--tls-key', tls.keyFile, '--tls-cert', tls.certFile, '--users', users, '--anonymous']);
}, 120_000);

afterAll(async () => {
  await inter?.stop();
  await printer?.close();
  await db?.stop();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

/**
 * A request over the intermediary's TLS (pinned), as alice (a sign-in) or anonymous (then only the
 * operation needs the store): its IPP status, or the HTTP refusal.
 */
async function ask(code: number, as: 'alice' | 'anonymous' = 'alice'): Promise<{ ipp: number } | { http: number; retryAfter: number | undefined }> {
  const agent = new https.Agent({ maxCachedSessions: 0 });
  const auth = as === 'alice' ? { auth: { user: 'alice', password: 'alice-pw' } } : {};
  try {
    const r = await ippRequest(inter.uri, request(code, inter.uri, []), { ...auth, tls: { pinSha256: tls.pin }, agent, timeoutMs: 20_000 });
    r.data.resume();
    return { ipp: r.message.code };
  } catch (err) {
    if (err instanceof IppTransportError && err.httpStatus !== undefined) return { http: err.httpStatus, retryAfter: err.retryAfterSeconds };
    throw err;
  } finally {
    agent.destroy();
  }
}

describe('review item 3: the PostgreSQL store down is 503 with Retry-After, not 500', () => {
  it('serves, answers 503 + Retry-After with a log line naming the cause while the database is down, and serves again once it is back', async () => {
    expect(inter.uri).toMatch(/^ipps:/);
    expect(await ask(GET_PRINTER_ATTRIBUTES)).toEqual({ ipp: 0 });
    expect(await ask(GET_JOBS)).toEqual({ ipp: 0 });
    expect(await ask(GET_JOBS, 'anonymous')).toEqual({ ipp: 0 });

    await db.halt();
    try {
      for (const [code, as] of [[GET_PRINTER_ATTRIBUTES, 'alice'], [GET_JOBS, 'alice'], [GET_JOBS, 'anonymous']] as const) {
        const down = await ask(code, as);
        expect(down, `operation 0x${code.toString(16)} as ${as}`).toMatchObject({ http: 503 });
        expect((down as { retryAfter?: number }).retryAfter).toBeGreaterThan(0);
      }
      // The log says what was answered and why, with the store's own error as the cause.
      const lines = inter.stderr().split('\n').filter((l) => l.includes('answered 503'));
      expect(lines.length, inter.stderr()).toBeGreaterThanOrEqual(3);
      for (const line of lines) {
        expect(line).toMatch(/the job store is unavailable/);
        expect(line).toMatch(/INTERMEDIARY_STORE_UNAVAILABLE/);
        // The cause: PostgreSQL's socket could not be reached (or the session was cut).
        expect(line).toMatch(/ECONNREFUSED|ENOENT|terminat|57P01|connect/i);
      }
      expect(inter.stderr()).not.toMatch(/"statusCode":500|Internal Server Error/);
    } finally {
      await db.restart();
    }
    // The same instance, without a restart: its pool reconnects.
    let back: Awaited<ReturnType<typeof ask>> | undefined;
    for (let i = 0; i < 50; i++) {
      back = await ask(GET_JOBS);
      if ('ipp' in back) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(back).toEqual({ ipp: 0 });
    expect(await ask(GET_PRINTER_ATTRIBUTES)).toEqual({ ipp: 0 });
    expect(await ask(GET_JOBS, 'anonymous')).toEqual({ ipp: 0 });
  }, 120_000);
});
