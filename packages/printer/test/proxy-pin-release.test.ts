/**
 * PIN release in pull mode (PWG 5100.18): a job held at a Proxy printer for its release code does
 * not stop the Proxy from taking the next job; once the code is entered at the printer the held
 * job prints and its completion reaches the Infrastructure Printer (and so the client).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { print, status, TrustStore } from '@trustnoone/client';
import { hashPassword, startIntermediary, type RunningIntermediary, type UserEntry } from '@trustnoone/intermediary';
import { buildApp, startProxy, type PrinterHandle, type RunningProxy } from '@trustnoone/printer';
import { pwgRaster } from './support/documents.js';

const PW = { alice: 'alice-pass-1', dev1: 'dev1-pass-3' };
const CODE = '5150';
let root: string;
let inter: RunningIntermediary;
let printer: PrinterHandle;
let proxy: RunningProxy;
let store: TrustStore;

async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const submit = (name: string, pin?: string) =>
  print({
    printer: inter.uri,
    auth: { user: 'alice', password: PW.alice },
    userName: 'alice',
    documents: [{ data: pwgRaster({ pages: 1, width: 64, height: 80 }), format: 'image/pwg-raster', name: `${name}.pwg` }],
    trust: { store, firstUse: 'accept' },
    ...(pin ? { pin } : {}),
    wait: false,
  });

const stateAtQueue = async (jobId: number): Promise<string> => (await status({ printer: inter.uri, auth: { user: 'alice', password: PW.alice }, userName: 'alice' }, jobId)).state;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tno-proxy-pin-'));
  const users = new Map<string, UserEntry>();
  for (const [name, pw] of Object.entries(PW)) users.set(name, { name, role: 'user', hash: await hashPassword(pw, { N: 1024, r: 8, p: 1 }) });
  inter = await startIntermediary({
    stateDir: join(root, 'intermediary'),
    upstreams: [],
    infra: { deviceUsers: ['dev1'], maxNotifyWaitMs: 2000, encryptedAttributesTimeoutMs: 10_000 },
    users,
    allowLoopbackCleartextAuth: true,
    port: 0,
    announce: () => {},
    handleSignals: false,
    printerAttributesTtlMs: 0,
  });
  printer = await buildApp({ stateDir: join(root, 'printer'), logger: false });
  proxy = await startProxy(printer, { url: inter.uri, auth: { user: 'dev1', password: PW.dev1 }, retryInitialMs: 50, retryMaxMs: 500 });
  await waitUntil(() => proxy.connected, 'the proxy to connect');
  store = new TrustStore(join(root, 'client'));
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await printer?.close();
  await inter?.close();
  await rm(root, { recursive: true, force: true });
});

describe('PIN release through an Infrastructure Printer', () => {
  it('a held job does not block the next one; released, it completes at the queue', async () => {
    const held = await submit('held', CODE);
    await waitUntil(() => printer.heldJobs().length === 1, 'the job to be held at the printer');
    const localId = printer.heldJobs()[0]!;

    const next = await submit('next');
    await waitUntil(async () => (await stateAtQueue(next.jobId)) === 'completed', 'the next job to complete while the first is held');
    expect(await stateAtQueue(held.jobId)).not.toBe('completed');

    expect(await printer.release(localId, CODE)).toEqual({ outcome: 'released' });
    await waitUntil(async () => (await stateAtQueue(held.jobId)) === 'completed', 'the released job to complete at the queue');
  }, 90_000);
});
