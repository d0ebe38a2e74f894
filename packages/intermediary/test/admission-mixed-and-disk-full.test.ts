/**
 * Mixed admission (users file plus anonymous requests) keeps anonymous clients away from
 * authenticated users' jobs (RFC 8011 client-error-not-authenticated), and a full disk is a
 * temporary condition the client is told about, not an internal error.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectorySpool, hashPassword, startIntermediary, type RunningIntermediary, type StagedBlob, type UserEntry } from '../src/index.js';
import { attr } from '../src/attrs.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { request, sealedPrintJob, send, envelopeShaped, trustLoopbackTls } from './fixtures/client.js';
import { loopbackTls } from '../../../testing/loopback-tls.js';

const TLS = loopbackTls();
trustLoopbackTls({ pinSha256: TLS.pin });

class FullDisk extends DirectorySpool {
  override async writeBlob(data: Readable): Promise<StagedBlob> {
    data.resume();
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }
}

let printer: FakePrinter;
const running: RunningIntermediary[] = [];
const common = { port: 0, announce: () => {}, handleSignals: false, retryInitialMs: 20, pollMs: 20 } as const;

beforeAll(async () => {
  printer = await startFakePrinter();
});
afterAll(async () => {
  for (const r of running) await r.close();
  await printer?.close();
});

describe('users file plus anonymous', () => {
  it('an anonymous client naming itself alice cannot see authenticated alice\'s job', async () => {
    const users = new Map<string, UserEntry>([['alice', { name: 'alice', role: 'user', hash: await hashPassword('pw', { N: 1024, r: 8, p: 1 }) }]]);
    const r = await startIntermediary({ ...common, stateDir: mkdtempSync(join(tmpdir(), 'tno-mixed-')), upstreams: [{ uri: printer.uri }], users, allowAnonymous: true, https: { key: TLS.key, cert: TLS.cert } });
    running.push(r);
    const auth = { user: 'alice', password: 'pw' };
    const a = await send(r.uri, sealedPrintJob(r.uri, 'alice'), envelopeShaped('authenticated job'), auth);
    expect(a.status).toBe(0);
    const gja = (withAuth: boolean) => send(r.uri, request(0x0009, r.uri, [attr.integer('job-id', a.jobId!), attr.name('requesting-user-name', 'alice')]), undefined, withAuth ? auth : undefined);
    expect((await gja(false)).status).toBe(0x0402);
    expect((await gja(true)).status).toBe(0);
    // Anonymous printing still works, owned by the requesting-user-name.
    const anon = await send(r.uri, sealedPrintJob(r.uri, 'guest'), envelopeShaped('anonymous job'));
    expect(anon.status).toBe(0);
  });
});

describe('disk full', () => {
  it('a submission is answered server-error-temporary-error with a reason, and no job is created', async () => {
    const state = mkdtempSync(join(tmpdir(), 'tno-full-'));
    const r = await startIntermediary({ ...common, spool: new FullDisk({ root: join(state, 'spool') }), upstreams: [{ uri: printer.uri }] });
    running.push(r);
    const a = await send(r.uri, sealedPrintJob(r.uri), envelopeShaped('no room'));
    expect(a.status).toBe(0x0505);
    expect(a.statusMessage).toMatch(/out of space/);
    expect(a.jobId).toBeUndefined();
  });
});
