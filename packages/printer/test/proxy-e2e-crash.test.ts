/**
 * Pull mode survives crashes (PWG 5100.18 leaves this to implementations; we test it): the
 * intermediary (Infrastructure Printer) and the printer (Proxy) run as real `tno` processes and are
 * each killed with SIGKILL while a sealed job is being printed, then restarted on the same state.
 *   - intermediary killed: the Proxy reconnects with backoff, re-subscribes, and the job still
 *     reaches completed, printed once;
 *   - printer killed: after its restart the job is never fetched or printed again — it ends
 *     completed (if its manifest was written) or aborted with a clear message, never pending —
 *     and new jobs print.
 * The canary (the real job name, inside the envelope) appears nowhere in the intermediary's state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { GroupTag, type IppMessage } from '@trustnoone/ipp';
import { ippRequest } from '@trustnoone/ipp-http';
import { print, TrustStore } from '@trustnoone/client';
import { pwgRaster } from './support/documents.js';
import { filesUnder } from './support/files.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const launcher = fileURLToPath(new URL('./support/tno-source.mts', import.meta.url));
const CANARY = `CANARY-${Math.random().toString(36).slice(2, 14)}`;
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function tno(args: string[]): Promise<{ child: ChildProcess; uri: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); if (process.env.TNO_DEBUG) process.stderr.write(c); });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (uri) => resolve({ child, uri }));
    child.once('exit', (code) => reject(new Error(`tno ${args[0]} exited ${code}: ${err}`)));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function until<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 40_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function request(code: number, uri: string, extra: IppMessage['groups'][number]['attributes'] = []): IppMessage {
  return {
    version: { major: 2, minor: 0 },
    code,
    requestId: 1,
    groups: [
      {
        tag: GroupTag.operation,
        attributes: [
          { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
          { name: 'attributes-natural-language', values: [{ tag: 'naturalLanguage', value: 'en' }] },
          { name: 'printer-uri', values: [{ tag: 'uri', value: uri }] },
          { name: 'requesting-user-name', values: [{ tag: 'nameWithoutLanguage', value: 'alice' }] },
          ...extra,
        ],
      },
    ],
  };
}

async function jobStatus(uri: string, id: number): Promise<{ state: number; message: string }> {
  const res = await ippRequest(uri, request(0x0009, uri, [{ name: 'job-id', values: [{ tag: 'integer', value: id }] }]), { timeoutMs: 5000 });
  res.data.resume();
  const job = res.message.groups.find((g) => g.tag === GroupTag.job)?.attributes ?? [];
  const s = job.find((a) => a.name === 'job-state')?.values[0];
  const m = job.find((a) => a.name === 'job-state-message')?.values[0];
  return { state: s && s.tag === 'enum' ? s.value : 0, message: m && 'value' in m ? String(m.value) : '' };
}

async function manifests(stateDir: string): Promise<Array<{ state: string }>> {
  const dir = join(stateDir, 'jobs');
  const out = [];
  for (const id of await readdir(dir).catch(() => [] as string[])) {
    const f = join(dir, id, 'manifest.json');
    if (await stat(f).catch(() => undefined)) out.push(JSON.parse(await readFile(f, 'utf8')) as { state: string });
  }
  return out;
}

describe('pull mode: SIGKILL and restart on either side', () => {
  it('intermediary killed mid-job: the job completes once; printer killed mid-job: never printed twice, never left pending', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tno-proxy-crash-'));
    const interState = join(dir, 'intermediary');
    const printerState = join(dir, 'printer');
    const port = String(await freePort());
    const interArgs = ['intermediary', '--infra', '--anonymous-devices', '--anonymous', '--port', port, '--state', interState];
    let inter = await tno(interArgs);
    const printerArgs = ['printer', '--port', '0', '--state', printerState, '--proxy', inter.uri, '--verbose'];
    let printer = await tno(printerArgs);
    const store = new TrustStore(join(dir, 'client'));
    // The queue is usable once the device has reported its attributes.
    await until(async () => {
      const r = await ippRequest(inter.uri, request(0x000b, inter.uri), { timeoutMs: 5000 });
      r.data.resume();
      return r.message.code === 0 ? true : undefined;
    }, 'the printer to register with the intermediary');
    // Rendering 6 A4 pages at 300 dpi takes long enough to kill a process in the middle of it.
    const big = pwgRaster({ pages: 6, width: 2480, height: 3508, dpi: 300 });
    const submit = (name: string) =>
      print({ printer: inter.uri, userName: 'alice', documents: [{ data: big, format: 'image/pwg-raster' }], jobName: name, trust: { store, firstUse: 'accept' }, wait: false });

    // 1. The intermediary dies while the printer works on the job.
    const one = await submit(`one ${CANARY}`);
    await until(async () => ((await jobStatus(inter.uri, one.jobId)).state === 5 ? true : undefined), 'job 1 processing');
    await kill(inter.child);
    inter = await tno(interArgs);
    await until(async () => ((await jobStatus(inter.uri, one.jobId)).state === 9 ? true : undefined), 'job 1 completed after the intermediary restarted');
    expect((await manifests(printerState)).filter((m) => m.state === 'completed')).toHaveLength(1);

    // 2. The printer dies while it works on the job.
    const two = await submit(`two ${CANARY}`);
    await until(async () => ((await jobStatus(inter.uri, two.jobId)).state === 5 ? true : undefined), 'job 2 processing');
    await kill(printer.child);
    printer = await tno(printerArgs);
    const ended = await until(async () => {
      const s = await jobStatus(inter.uri, two.jobId);
      return s.state >= 7 ? s : undefined;
    }, 'job 2 to end after the printer restarted');
    const completed = (await manifests(printerState)).filter((m) => m.state === 'completed').length;
    if (ended.state === 9) expect(completed).toBe(2); // it had finished: reported from its manifest
    else {
      expect(ended.state).toBe(8);
      expect(ended.message).toMatch(/restarted/);
      expect(completed).toBe(1); // not printed again
    }

    // 3. After both restarts, new work flows.
    const three = await submit(`three ${CANARY}`);
    await until(async () => ((await jobStatus(inter.uri, three.jobId)).state === 9 ? true : undefined), 'job 3 completed');

    await kill(printer.child);
    await kill(inter.child);
    for (const f of await filesUnder(interState)) expect((await readFile(f)).includes(Buffer.from(CANARY)), f).toBe(false);
  }, 120_000);
});
