/**
 * Review item 5, second half: the INFRA output device (`tno printer --proxy URL`) retried a poll
 * that failed on the network at a fixed pace (the wait went back to 0.5 s each time it registered
 * again, so a link that admits the registration but drops every Get-Notifications was hit twice a
 * second for ever). It must back off: waits doubling from 0.5 s to 10 s, each drawn between half and
 * all of its step (jitter), reset only by a poll that was answered (docs/decisions.md D40).
 * `tno printer --proxy` and `tno intermediary --infra` as shipped; between them a front that passes
 * every request on except Get-Notifications, whose connection it cuts.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IppOperation } from '@trustnoone/ipp';
import { startCliServer, type CliServer } from './support/cli-server.js';

let dir: string;
let infra: CliServer;
let device: CliServer | undefined;
let front: Server;
let frontUri: string;
/** When each Get-Notifications arrived (ms). */
const polls: number[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tno-review-5-backoff-'));
  infra = await startCliServer(['intermediary', '--infra', '--anonymous-devices', '--port', '0', '--state', join(dir, 'infra')]);
  const upstream = new URL(infra.uri.replace(/^ipp:/, 'http:')).origin;
  front = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (body.length >= 4 && body.readUInt16BE(2) === IppOperation.getNotifications) {
        polls.push(Date.now());
        req.socket.destroy();
        return;
      }
      void fetch(`${upstream}${req.url}`, { method: 'POST', headers: { 'content-type': 'application/ipp' }, body }).then(
        async (up) => {
          const answer = Buffer.from(await up.arrayBuffer());
          res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/ipp', 'content-length': answer.length });
          res.end(answer);
        },
        () => req.socket.destroy(),
      );
    });
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  frontUri = `ipp://127.0.0.1:${(front.address() as { port: number }).port}/ipp/print`;
}, 60_000);

afterAll(async () => {
  await device?.stop();
  front?.closeAllConnections();
  await new Promise<void>((r) => (front ? front.close(() => r()) : r()));
  await infra?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('review item 5: the INFRA device backs off on network errors (bounded exponential, jitter)', () => {
  it('polls cut on the network are retried after growing, jittered waits, not at a fixed pace', async () => {
    device = await startCliServer(['printer', '--port', '0', '--state', join(dir, 'printer'), '--proxy', frontUri]);
    const until = Date.now() + 20_000;
    while (polls.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(polls.length, device.stderr()).toBeGreaterThan(0);
    // Nine seconds of failures: about six polls with the backoff; fifteen or more at a fixed 0.5 s.
    await new Promise((r) => setTimeout(r, 9_000));
    const seen = polls.slice();
    expect(seen.length, `polls at ${seen.map((t) => t - seen[0]!).join(', ')} ms`).toBeLessThanOrEqual(7);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    const gaps = seen.slice(1).map((t, i) => t - seen[i]!);
    expect(gaps.at(-1), `gaps ${gaps.join(', ')} ms`).toBeGreaterThan(1_800);

    // The waits the device announced (its log's retryMs): each in [step/2, step], the step doubling
    // from 500 ms to 10 s, and not all on the step's edges (drawn, not fixed).
    const waits = [...device.stderr().matchAll(/"retryMs":(\d+)/g)].map((m) => Number(m[1]));
    expect(waits.length, device.stderr()).toBeGreaterThanOrEqual(seen.length - 1);
    let step = 500;
    for (const [i, w] of waits.entries()) {
      expect(w, `wait ${i} of ${waits.join(', ')}`).toBeGreaterThanOrEqual(step / 2);
      expect(w, `wait ${i} of ${waits.join(', ')}`).toBeLessThanOrEqual(step);
      step = Math.min(step * 2, 10_000);
    }
    expect(waits.some((w, i) => w !== Math.min(500 * 2 ** i, 10_000) && w !== Math.min(500 * 2 ** i, 10_000) / 2)).toBe(true);
  }, 60_000);
});
