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
import type { RunningIntermediary } from '@trustnoone/intermediary';
import { buildApp, type PrinterHandle, type RunningProxy } from '@trustnoone/printer';
import { pwgRaster } from './support/documents.js';
import { connectProxy, startInfraQueue, waitUntil } from './support/infra-queue.js';

const PW = { alice: 'alice-pass-1', dev1: 'dev1-pass-3' };
const CODE = '5150';
let root: string;
let inter: RunningIntermediary;
let printer: PrinterHandle;
let proxy: RunningProxy;
let store: TrustStore;

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
  inter = await startInfraQueue(root, PW, ['dev1']);
  printer = await buildApp({ stateDir: join(root, 'printer'), logger: false });
  proxy = await connectProxy(printer, inter, 'dev1', PW.dev1);
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
