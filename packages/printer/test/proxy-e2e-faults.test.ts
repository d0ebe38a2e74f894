/**
 * A lost exchange in the middle of a job, without the connection as a whole going down: a faulty
 * network path in front of the Infrastructure Printer drops the Proxy's first Acknowledge-Document
 * (the socket is destroyed before it reaches the server) while its long poll stays up. The job was
 * already handed to the printer; the Proxy must still report its end, and it must not print it again.
 */
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { print, TrustStore } from '@trustnoone/client';
import { startIntermediary, type RunningIntermediary } from '@trustnoone/intermediary';
import { buildApp, startProxy, type PrinterHandle, type RunningProxy } from '@trustnoone/printer';
import { TEXT } from './support/documents.js';

let dir: string;
let inter: RunningIntermediary;
let printer: PrinterHandle;
let proxy: RunningProxy;
let faulty: http.Server;
let dropped = 0;

/** Forwards HTTP to the intermediary; destroys the first request whose IPP operation is `drop`. */
function faultyPath(target: number, drop: number): http.Server {
  return http.createServer((req, res) => {
    let decided = false;
    let upstream: http.ClientRequest | undefined;
    const pending: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      if (!decided) {
        pending.push(chunk);
        const head = Buffer.concat(pending);
        if (head.length < 4) return;
        decided = true;
        if (head.readUInt16BE(2) === drop && dropped === 0) {
          dropped++;
          req.socket.destroy();
          return;
        }
        upstream = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.on('error', () => res.destroy());
        upstream.write(head);
        return;
      }
      upstream?.write(chunk);
    });
    req.on('end', () => upstream?.end());
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-proxy-faults-'));
  inter = await startIntermediary({ stateDir: join(dir, 'i'), upstreams: [], infra: { allowAnonymousDevices: true, maxNotifyWaitMs: 500 }, port: 0, announce: () => {}, handleSignals: false });
  faulty = faultyPath(inter.port, 0x003f);
  await new Promise<void>((r) => faulty.listen(0, '127.0.0.1', r));
  printer = await buildApp({ stateDir: join(dir, 'p'), logger: false });
  proxy = await startProxy(printer, { url: `ipp://127.0.0.1:${(faulty.address() as AddressInfo).port}/ipp/print`, retryInitialMs: 50 });
  const until = Date.now() + 20_000;
  while (!proxy.connected && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await printer?.close();
  faulty?.closeAllConnections();
  await new Promise((r) => faulty?.close(r));
  await inter?.close();
});

describe('Proxy: an exchange lost mid-job', () => {
  it('the job still reaches completed, printed once', async () => {
    const r = await print({
      printer: inter.uri,
      userName: 'alice',
      documents: [{ data: TEXT, format: 'text/plain' }],
      trust: { store: new TrustStore(join(dir, 'client')), firstUse: 'accept' },
      follow: { intervalMs: 100, timeoutMs: 30_000 },
    });
    expect(dropped).toBe(1);
    expect(r.status?.state).toBe('completed');
    const jobs = join(dir, 'p', 'jobs');
    let completed = 0;
    for (const id of await readdir(jobs)) {
      const f = join(jobs, id, 'manifest.json');
      if ((await stat(f).catch(() => undefined)) && (JSON.parse(await readFile(f, 'utf8')) as { state: string }).state === 'completed') completed++;
    }
    expect(completed).toBe(1);
  }, 60_000);
});
