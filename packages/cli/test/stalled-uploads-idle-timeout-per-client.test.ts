/**
 * Issue 12 item 5: stalled uploads must not lock everyone out. Many uploads from one client that
 * stop sending (anonymous, from 127.0.0.1) hold at most that client's share of the server; another
 * client (127.0.0.2 on the same loopback) is still served, and the stalled ones are cut off once
 * their bodies have been idle for the body idle timeout — on the intermediary and on the printer,
 * which share ipp-http. The servers run with a one-second timeout to keep the test quick; the
 * default `tno` ships is checked separately, and a `tno intermediary` child shows the flag works.
 */
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHeader, type IppMessage } from '@trustnoone/ipp';
import { DEFAULT_BODY_IDLE_TIMEOUT_MS, DEFAULT_MAX_REQUESTS_PER_CLIENT, ippRequest } from '@trustnoone/ipp-http';
import { startIntermediary, type RunningIntermediary } from '@trustnoone/intermediary';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { ExitCode, main, type Io } from '@trustnoone/cli';
import { PassThrough } from 'node:stream';
import { attr } from '../../intermediary/src/attrs.js';
import { startFakePrinter, type FakePrinter } from '../../intermediary/test/fixtures/fake-printer.js';
import { envelopeShaped, request, sealedPrintJob, waitFor } from '../../intermediary/test/fixtures/client.js';
import { startCliServer } from './support/cli-server.js';

const IDLE_MS = 1000;
/** More than any one client's share, fewer than the server-wide limit the test configures plus the share. */
const STALLED = 40;
const SERVER_WIDE = 32;

let upstream: FakePrinter;
let inter: RunningIntermediary;
let printer: RunningPrinter;

beforeAll(async () => {
  upstream = await startFakePrinter();
  upstream.completeAfterMs = 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'tno-stalled-'));
  inter = await startIntermediary({
    stateDir: join(dir, 'inter'),
    upstreams: [{ uri: upstream.uri }],
    limits: { maxConcurrentUploads: SERVER_WIDE, bodyIdleTimeoutMs: IDLE_MS },
    port: 0,
    announce: () => {},
    handleSignals: false,
  });
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, maxActiveJobs: SERVER_WIDE, bodyIdleTimeoutMs: IDLE_MS, logger: false, renderer: async () => ({ pages: 0 }) } as unknown as Parameters<typeof startPrinter>[0]);
});
afterAll(async () => {
  await inter?.close();
  await printer?.close();
  await upstream?.close();
});

interface Stalled {
  readonly socket: net.Socket;
  /** The HTTP status line's code, if the server answered. */
  status(): number | undefined;
  readonly closed: Promise<number>;
}

/** Sends the HTTP head, the IPP attribute section and a few document bytes, then goes silent. */
function stall(url: string, message: IppMessage): Promise<Stalled> {
  const u = new URL(url.replace(/^ipp:/, 'http:'));
  const socket = net.connect({ host: '127.0.0.1', port: Number(u.port), localAddress: '127.0.0.1' });
  let head = '';
  socket.on('data', (d: Buffer) => (head += d.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<number>((res) => socket.once('close', () => res(Date.now())));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(`POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/ipp\r\nContent-Length: 10000000\r\n\r\n`);
      socket.write(encodeHeader(message));
      // Envelope-shaped, so the intermediary's envelope check (on as shipped) lets it through to stall.
      socket.write(envelopeShaped(Buffer.alloc(85, 0x30)));
      resolve({ socket, closed, status: () => (/^HTTP\/1\.1 (\d{3})/.exec(head) ? Number(/^HTTP\/1\.1 (\d{3})/.exec(head)![1]) : undefined) });
    });
  });
}

/** A whole upload from another address on the loopback: another client. */
async function uploadFromElsewhere(uri: string, message: IppMessage): Promise<number> {
  const agent = new http.Agent({ localAddress: '127.0.0.2' } as http.AgentOptions);
  const r = await ippRequest(uri, message, { data: envelopeShaped('hello from another client\n'), agent, timeoutMs: 10_000 });
  r.data.resume();
  agent.destroy();
  return r.message.code;
}

async function settle(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

const cases = [
  {
    name: 'intermediary',
    uri: () => inter.uri,
    job: (uri: string) => sealedPrintJob(uri, 'mallory'),
    other: (uri: string) => sealedPrintJob(uri, 'alice'),
    inProgress: () => inter.service.uploads,
  },
  {
    name: 'printer',
    uri: () => printer.uri,
    job: (uri: string) => request(0x0002, uri, [attr.name('requesting-user-name', 'mallory'), attr.mimeMediaType('document-format', 'text/plain')]),
    other: (uri: string) => request(0x0002, uri, [attr.name('requesting-user-name', 'alice'), attr.mimeMediaType('document-format', 'text/plain')]),
    // The printer has no upload counter: the stalled client's unfinished jobs stand for one.
    inProgress: () => printer.printer.runtime.store.active().filter((j) => j.owner === 'mallory').length,
  },
] as const;

describe('issue 12 item 5: stalled uploads lock nobody out', () => {
  for (const c of cases) {
    it(`${c.name}: ${STALLED} stalled uploads from one client leave another client served, and are cut after the idle timeout`, async () => {
      const uri = c.uri();
      const stalled: Stalled[] = [];
      for (let i = 0; i < STALLED; i++) stalled.push(await stall(uri, c.job(uri)));
      await settle(300);
      const started = Date.now();
      expect(await uploadFromElsewhere(uri, c.other(uri)), 'another client still gets its upload in').toBe(0);
      const refused = stalled.filter((s) => s.status() === 503).length;
      expect(refused, 'uploads beyond the client share are refused at once with 503').toBe(STALLED - DEFAULT_MAX_REQUESTS_PER_CLIENT);

      const closedAt = await Promise.race([Promise.all(stalled.map((s) => s.closed)), settle(IDLE_MS * 8).then(() => undefined)]);
      expect(closedAt, 'every stalled upload was cut off').toBeDefined();
      expect(Math.max(...closedAt!) - started, 'cut off within a few idle periods').toBeLessThan(IDLE_MS * 6);
      // The handlers notice the cut-off stream and give their upload slots back.
      await waitFor(() => c.inProgress() === 0, 3000, `${c.name}: uploads in progress back to 0 (now ${c.inProgress()})`);
      // The slots came back: the same client may upload again.
      const again = await stall(uri, c.job(uri));
      await settle(200);
      expect(again.status(), 'a new upload from the same client is admitted').toBeUndefined();
      again.socket.destroy();
    });
  }

  it('tno ships a body idle timeout: on by default, between 5 s and 5 min, shown in --help of both servers', async () => {
    expect(DEFAULT_BODY_IDLE_TIMEOUT_MS).toBeGreaterThanOrEqual(5_000);
    expect(DEFAULT_BODY_IDLE_TIMEOUT_MS).toBeLessThanOrEqual(300_000);
    expect(DEFAULT_MAX_REQUESTS_PER_CLIENT).toBeGreaterThanOrEqual(2);
    expect(DEFAULT_MAX_REQUESTS_PER_CLIENT).toBeLessThan(256); // the intermediary's default upload limit
    for (const cmd of ['intermediary', 'printer']) {
      const out = new PassThrough();
      let text = '';
      out.on('data', (d) => (text += d));
      const io: Io = { stdout: out, stderr: out, stdin: new PassThrough(), cwd: tmpdir(), env: {} };
      expect(await main([cmd, '--help'], io)).toBe(ExitCode.ok);
      expect(text, `tno ${cmd} --help`).toMatch(new RegExp(`--body-idle-timeout SECONDS[\\s\\S]*default ${DEFAULT_BODY_IDLE_TIMEOUT_MS / 1000}\\)`));
    }
  });

  it('tno intermediary --body-idle-timeout 1 cuts a stalled upload after about a second', async () => {
    const s = await startCliServer(['intermediary', '--upstream', upstream.uri, '--port', '0', '--state', mkdtempSync(join(tmpdir(), 'tno-stalled-cli-')), '--body-idle-timeout', '1']);
    try {
      const one = await stall(s.uri, sealedPrintJob(s.uri, 'mallory'));
      const t0 = Date.now();
      const closed = await Promise.race([one.closed, settle(10_000).then(() => undefined)]);
      expect(closed, 'the stalled upload was cut off').toBeDefined();
      expect(closed! - t0).toBeGreaterThanOrEqual(500);
    } finally {
      await s.stop();
    }
  });
});
