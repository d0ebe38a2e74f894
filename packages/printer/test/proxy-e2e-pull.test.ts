/**
 * Pull mode end to end on loopback (PWG 5100.18 with TRUSTNOONE): the intermediary runs as an
 * Infrastructure Printer, two emulated printers (one identity, provisioned as a pool) run as
 * Proxies pulling from its one queue, and the real client library prints sealed jobs through it
 * and reads their attributes back with Get-Encrypted-Job-Attributes. Checks: every job printed
 * exactly once and completed; each printer pulls on its own; a two-document sealed job prints
 * both documents once; the owner reads the real job name
 * sealed through the relay, another user cannot; the intermediary's state never held the canary.
 */
import { cp, mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancel, encryptedJobAttributes, print, status, TrustStore } from '@trustnoone/client';
import type { RunningIntermediary } from '@trustnoone/intermediary';
import { buildApp, type PrinterHandle, type RunningProxy } from '@trustnoone/printer';
import { certificateToPem, createIdentity, privateKeyToPem } from '@trustnoone/smime';
import { pwgRaster } from './support/documents.js';
import { connectProxy, startInfraQueue, waitUntil } from './support/infra-queue.js';
import { filesUnder } from './support/files.js';

const PW = { alice: 'alice-pass-1', bob: 'bob-pass-2', dev1: 'dev1-pass-3', dev2: 'dev2-pass-4' };
const CANARY = `CANARY-${Math.random().toString(36).slice(2, 14)}`;

let root: string;
let inter: RunningIntermediary;
let printers: PrinterHandle[] = [];
const proxies: (RunningProxy | undefined)[] = [undefined, undefined];
let store: TrustStore;

async function startProxyFor(i: 0 | 1): Promise<RunningProxy> {
  const user = i === 0 ? 'dev1' : 'dev2';
  const p = await connectProxy(printers[i]!, inter, user, PW[user]);
  proxies[i] = p;
  return p;
}

async function completedManifests(p: PrinterHandle): Promise<Array<{ jobUuid: string; state: string; clearName: string; pageCount: number; documents?: unknown[] }>> {
  const dir = p.runtime.layout.jobs;
  const out = [];
  for (const id of await readdir(dir)) {
    const f = join(dir, id, 'manifest.json');
    if (!(await stat(f).catch(() => undefined))) continue;
    out.push(JSON.parse(await readFile(f, 'utf8')) as { jobUuid: string; state: string; clearName: string; pageCount: number; documents?: unknown[] });
  }
  return out.filter((m) => m.state === 'completed');
}

const printSealed = (name: string, document = pwgRaster({ pages: 1, width: 64, height: 80 }), ownerCertificate?: string) =>
  print({
    ...(ownerCertificate ? { ownerCertificate } : {}),
    printer: inter.uri,
    auth: { user: 'alice', password: PW.alice },
    userName: 'alice',
    documents: [{ data: document, format: 'image/pwg-raster', name: `${name}.pwg` }],
    jobName: name,
    trust: { store, firstUse: 'accept' },
    wait: true,
    follow: { intervalMs: 100, timeoutMs: 30_000 },
  });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tno-proxy-e2e-'));
  inter = await startInfraQueue(root, PW, ['dev1', 'dev2']);
  // A pool: the second printer is provisioned with the first one's identity and key.
  const a = await buildApp({ stateDir: join(root, 'printer-a'), logger: false });
  await a.close();
  for (const part of ['keys', 'certs', 'printer.json']) await cp(join(root, 'printer-a', part), join(root, 'printer-b', part), { recursive: true });
  printers = [await buildApp({ stateDir: join(root, 'printer-a'), logger: false }), await buildApp({ stateDir: join(root, 'printer-b'), logger: false })];
  expect(printers[0]!.uuid).toBe(printers[1]!.uuid);
  store = new TrustStore(join(root, 'client'));
  await startProxyFor(0);
  await startProxyFor(1);
}, 60_000);

afterAll(async () => {
  for (const p of proxies) await p?.stop();
  for (const p of printers) await p.close();
  await inter?.close();
});

describe('pull mode end to end: two printers, one queue', () => {
  it('sealed jobs printed through the Infrastructure Printer complete, each exactly once', async () => {
    const names = [0, 1, 2, 3].map((i) => `payroll ${i} ${CANARY}`);
    // The first print pins the printer's key (trust on first use); the rest go in parallel.
    const results = [await printSealed(names[0]!)];
    results.push(...(await Promise.all(names.slice(1).map((n) => printSealed(n)))));
    for (const r of results) {
      expect(r.encrypted).toBe(true);
      expect(r.status?.state).toBe('completed');
    }
    const done = [...(await completedManifests(printers[0]!)), ...(await completedManifests(printers[1]!))];
    expect(done).toHaveLength(4);
    expect(new Set(done.map((m) => m.jobUuid)).size).toBe(4);
    // The printers saw only the neutral name in clear.
    for (const m of done) expect(m.clearName).not.toContain(CANARY);
  }, 90_000);

  it('each printer pulls on its own when the other is away', async () => {
    for (const away of [0, 1] as const) {
      await proxies[away]!.stop();
      const present = printers[1 - away]!;
      const before = (await completedManifests(present)).length;
      const r = await printSealed(`solo ${away}`);
      expect(r.status?.state).toBe('completed');
      expect((await completedManifests(present)).length).toBe(before + 1);
      await startProxyFor(away);
    }
  }, 90_000);

  it('the owner reads the real job name sealed through the relay; another user cannot', async () => {
    const owner = createIdentity({ commonName: 'alice' });
    const name = `quarterly ${CANARY}`;
    const r = await printSealed(name, undefined, certificateToPem(owner.certificate));
    const got = await encryptedJobAttributes(
      { printer: inter.uri, auth: { user: 'alice', password: PW.alice }, userName: 'alice' },
      r.jobId,
      { certificate: certificateToPem(owner.certificate), privateKey: privateKeyToPem(owner.privateKey), requested: ['job-name', 'job-state'], trust: { store } },
    );
    const jobName = got.attributes.find((a) => a.name === 'job-name')?.values[0];
    expect(jobName && 'value' in jobName ? jobName.value : undefined).toBe(name);
    expect(got.trust.kind).toBe('pinned');
    const bob = createIdentity({ commonName: 'bob' });
    const err = await encryptedJobAttributes(
      { printer: inter.uri, auth: { user: 'bob', password: PW.bob }, userName: 'bob' },
      r.jobId,
      { certificate: certificateToPem(bob.certificate), privateKey: privateKeyToPem(bob.privateKey), trust: { store } },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toMatch(/not-authorized|another user|0x0403/i);
  }, 60_000);

  it('a two-document sealed job: both envelopes travel through the relay and print once, all pages', async () => {
    const docs = [pwgRaster({ pages: 1, width: 64, height: 80 }), pwgRaster({ pages: 2, width: 64, height: 80 })];
    const r = await print({
      printer: inter.uri,
      auth: { user: 'alice', password: PW.alice },
      userName: 'alice',
      documents: docs.map((data, i) => ({ data, format: 'image/pwg-raster', name: `part ${i + 1}` })),
      jobName: `two parts ${CANARY}`,
      trust: { store, firstUse: 'accept' },
      wait: true,
      follow: { intervalMs: 100, timeoutMs: 30_000 },
    });
    expect(r.status?.state).toBe('completed');
    // Two sealed documents travelled through the relay, each as its own envelope ...
    expect(inter.service.table.get(r.jobId)?.job.documents.map((d) => d.number)).toEqual([1, 2]);
    // ... and one printer opened both and printed all three pages, once.
    const all = [...(await completedManifests(printers[0]!)), ...(await completedManifests(printers[1]!))];
    const multi = all.filter((m) => (m.documents?.length ?? 0) === 2);
    expect(multi).toHaveLength(1);
    expect(multi[0]!.pageCount).toBe(3);
  }, 60_000);

  it('the owner cancels a job the printer is rendering: the cancel reaches the printer and the job ends canceled', async () => {
    const conn = { printer: inter.uri, auth: { user: 'alice', password: PW.alice }, userName: 'alice' };
    // Many large pages: rendering takes far longer than the cancel needs to arrive.
    const big = pwgRaster({ pages: 12, width: 2480, height: 3508, dpi: 300 });
    const r = await print({ ...conn, documents: [{ data: big, format: 'image/pwg-raster' }], jobName: `cancel me ${CANARY}`, trust: { store, firstUse: 'accept' }, wait: false });
    await waitUntil(async () => (await status(conn, r.jobId)).stateReasons.includes('job-printing'), 'the printer to be rendering', 30_000);
    await cancel(conn, r.jobId);
    await waitUntil(async () => (await status(conn, r.jobId)).state === 'canceled', 'the job to end canceled', 30_000);
    const rendered = [...(await completedManifests(printers[0]!)), ...(await completedManifests(printers[1]!))];
    expect(rendered.some((m) => m.pageCount === 12)).toBe(false);
  }, 90_000);

  it('the intermediary never held plaintext: no canary in anything it wrote', async () => {
    const files = await filesUnder(join(root, 'intermediary'));
    expect(files.length).toBeGreaterThan(0);
    const needles = [Buffer.from(CANARY), Buffer.from(CANARY, 'utf16le')];
    for (const f of files) {
      const body = await readFile(f);
      for (const n of needles) expect(body.includes(n), f).toBe(false);
    }
  });
});
