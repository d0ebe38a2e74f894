/**
 * Review item 2: `tno print` gave up at once when the intermediary answered HTTP 503 (this client
 * has too many requests in progress; the answer carries Retry-After: 5). It must wait as told,
 * saying why, send again a bounded number of times, and give up with CLIENT_SERVER_BUSY; and a job
 * is never sent twice (docs/decisions.md D39). The 503 comes from the real intermediary as `tno
 * intermediary` ships: this test holds all of 127.0.0.1's request slots with uploads that stall.
 */
import { createServer, request, type ClientRequest, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag, IppOperation, type IppMessage } from '@trustnoone/ipp';
import { ippRequest, IppTransportError } from '@trustnoone/ipp-http/client';
import { ExitCode, main } from '@trustnoone/cli';
import { showFingerprint } from '@trustnoone/printer';
import { startTnoIntermediary, type TnoIntermediary } from '../../../testing/tno-intermediary.js';
import { startCliServer, type CliServer } from './support/cli-server.js';
import { tno } from './helpers.js';

/** ipp-http's DEFAULT_MAX_REQUESTS_PER_CLIENT: what `tno intermediary` allows one client at once. */
const SLOTS = 16;

let dir: string;
let state: string;
let doc: string;
let printer: CliServer;
let inter: TnoIntermediary;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-review-2-'));
  state = join(dir, 'client');
  doc = join(dir, 'memo.txt');
  await writeFile(doc, 'review item 2\n');
  printer = await startCliServer(['printer', '--port', '0', '--state', join(dir, 'printer')]);
  inter = await startTnoIntermediary(printer.uri);
  const fp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  const pinned = await tno(['trust', 'pin', '--printer', inter.uri, '--fingerprint', fp, '--state', state]);
  expect(pinned.code, pinned.err).toBe(ExitCode.ok);
}, 90_000);

afterAll(async () => {
  await inter?.stop();
  await printer?.stop();
  await rm(dir, { recursive: true, force: true });
});

function getPrinterAttributes(uri: string): IppMessage {
  return {
    version: { major: 2, minor: 0 },
    code: IppOperation.getPrinterAttributes,
    requestId: 1,
    groups: [
      {
        tag: GroupTag.operation,
        attributes: [
          { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
          { name: 'attributes-natural-language', values: [{ tag: 'naturalLanguage', value: 'en' }] },
          { name: 'printer-uri', values: [{ tag: 'uri', value: uri }] },
        ],
      },
    ],
  };
}

/** Takes every request slot 127.0.0.1 has at the intermediary: uploads that send a little and stall. */
async function holdAllSlots(): Promise<ClientRequest[]> {
  const url = new URL(inter.uri.replace(/^ipp:/, 'http:'));
  const held: ClientRequest[] = [];
  for (let i = 0; i < SLOTS; i++) {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/ipp', 'transfer-encoding': 'chunked' } });
    req.on('error', () => undefined);
    req.write(Buffer.from([2, 0]));
    held.push(req);
  }
  // Held once one more request is refused with 503.
  for (let tries = 0; ; tries++) {
    try {
      await ippRequest(inter.uri, getPrinterAttributes(inter.uri));
    } catch (err) {
      if (err instanceof IppTransportError && err.httpStatus === 503) return held;
    }
    if (tries > 100) throw new Error('the intermediary never answered 503 with all slots held');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A front on 127.0.0.1 that passes IPP requests to the intermediary, except what `onPrintJob` says
 * for a Print-Job: answer 503 itself (unread, with Retry-After: 1), or forward it and then cut the
 * connection before the answer (the job was accepted; the client cannot know).
 */
type PrintJobFate = 'busy' | 'forward-then-cut' | 'forward';
async function startFront(onPrintJob: (n: number) => PrintJobFate): Promise<{ uri: string; printJobs: () => number; close: () => Promise<void> }> {
  const upstream = inter.uri.replace(/^ipp:/, 'http:');
  let printJobs = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const fate = body.readUInt16BE(2) === IppOperation.printJob ? onPrintJob(++printJobs) : 'forward';
      if (fate === 'busy') {
        res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' });
        res.end('busy\n');
        return;
      }
      void fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/ipp' }, body }).then(async (up) => {
        const answer = Buffer.from(await up.arrayBuffer());
        if (fate === 'forward-then-cut') {
          req.socket.destroy();
          return;
        }
        res.writeHead(up.status, { 'content-type': 'application/ipp', 'content-length': answer.length });
        res.end(answer);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const uri = `ipp://127.0.0.1:${(server.address() as { port: number }).port}/ipp/print`;
  const fp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  const pinned = await tno(['trust', 'pin', '--printer', uri, '--fingerprint', fp, '--state', state]);
  expect(pinned.code, pinned.err).toBe(ExitCode.ok);
  return {
    uri,
    printJobs: () => printJobs,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function release(held: ClientRequest[]): void {
  for (const r of held) r.destroy();
}

/** `tno print` in-process, with its stderr readable while it runs. */
function printing(args: readonly string[], to = inter.uri): { err: () => string; out: () => string; done: Promise<number> } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const done = main(['print', doc, '--printer', to, '--state', state, ...args], { stdout, stderr, stdin: new PassThrough(), cwd: dir, env: {} });
  return { err: () => err, out: () => out, done };
}

async function until(what: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end && !what()) await new Promise((r) => setTimeout(r, 50));
  return what();
}

async function jobCount(): Promise<number> {
  const r = await tno(['jobs', '--printer', inter.uri, '--which', 'all', '--json', '--state', state]);
  expect(r.code, r.err).toBe(ExitCode.ok);
  const parsed = JSON.parse(r.out) as unknown[] | { jobs: unknown[] };
  return (Array.isArray(parsed) ? parsed : parsed.jobs).length;
}

describe('review item 2: tno print waits out HTTP 503 as told, a bounded number of times', () => {
  it('503 with Retry-After: says it waits and why, sends again after the wait, and the job prints once', async () => {
    const before = await jobCount();
    const held = await holdAllSlots();
    const run = printing(['--json']);
    const told = await until(() => /HTTP 503/.test(run.err()), 15_000);
    const started = Date.now();
    release(held);
    expect(told, run.err()).toBe(true);
    expect(run.err()).toMatch(/tno: the server answered HTTP 503 \(busy, or limiting requests from this client\) and asked to retry after 5 s; nothing was accepted, waiting 5 s before sending again \(attempt 2 of 4\)/);
    const code = await run.done;
    expect(code, run.err()).toBe(ExitCode.ok);
    // It waited the Retry-After rather than resending at once.
    expect(Date.now() - started).toBeGreaterThan(3_500);
    expect((JSON.parse(run.out()) as { state: string }).state).toBe('completed');
    expect(await jobCount()).toBe(before + 1);
  }, 60_000);

  it('503 on every attempt: gives up after 4 attempts with CLIENT_SERVER_BUSY, having submitted nothing', async () => {
    const before = await jobCount();
    const held = await holdAllSlots();
    try {
      const run = printing(['--json']);
      const code = await run.done;
      expect(code, run.err()).toBe(ExitCode.unreachable);
      expect(run.err().match(/waiting 5 s before sending again/g)?.length, run.err()).toBe(3);
      const error = (JSON.parse(run.out()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('CLIENT_SERVER_BUSY');
      expect(error.message).toMatch(/gave up after 4 attempt\(s\) over 1[45] s, none of which the server took/);
    } finally {
      release(held);
    }
    expect(await jobCount()).toBe(before);
  }, 60_000);

  it('503 to the Print-Job itself (after the attributes were read): sent again after Retry-After, printed once', async () => {
    const before = await jobCount();
    const front = await startFront((n) => (n === 1 ? 'busy' : 'forward'));
    try {
      const run = printing(['--json'], front.uri);
      const code = await run.done;
      expect(code, run.err()).toBe(ExitCode.ok);
      expect(run.err()).toMatch(/HTTP 503 .* asked to retry after 1 s; nothing was accepted, waiting 1 s before sending again \(attempt 2 of 4\)/);
      expect(front.printJobs()).toBe(2);
    } finally {
      await front.close();
    }
    expect(await jobCount()).toBe(before + 1);
  }, 60_000);

  it('the connection lost after the Print-Job went upstream: never sent again (the job may have been accepted)', async () => {
    const before = await jobCount();
    const front = await startFront(() => 'forward-then-cut');
    try {
      const run = printing(['--json'], front.uri);
      const code = await run.done;
      expect(code, run.err()).toBe(ExitCode.unreachable);
      expect(front.printJobs()).toBe(1);
      expect(run.err()).not.toMatch(/sending again/);
    } finally {
      await front.close();
    }
    expect(await jobCount()).toBe(before + 1);
  }, 60_000);
});
