/**
 * Issue 12 item 1: a body that is not application/ipp is refused with HTTP 415 before it is read,
 * no body is read before the credentials are checked, and neither server answers 500 (or crashes)
 * for what a client chose to send. Both servers are started as `tno` starts them, in a child
 * process; the 600 MB body is streamed from one 64 KiB buffer.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '@trustnoone/intermediary';
import { startFakePrinter, type FakePrinter } from '../../intermediary/test/fixtures/fake-printer.js';
import { startCliServer, type CliServer } from './support/cli-server.js';
import { postStream, type PostOutcome } from './support/http-post.js';

const BIG = 600 * 1024 * 1024;
/** Far below the body: what socket buffers on both sides may hold before the server hangs up. */
const UNREAD = 64 * 1024 * 1024;

let upstream: FakePrinter;
const servers: Record<'intermediary' | 'intermediary --users' | 'printer', CliServer | undefined> = {
  intermediary: undefined,
  'intermediary --users': undefined,
  printer: undefined,
};

beforeAll(async () => {
  upstream = await startFakePrinter();
  const dir = mkdtempSync(join(tmpdir(), 'tno-hostile-bodies-'));
  const users = join(dir, 'users');
  await addUser(users, 'alice', 'alice-pw');
  [servers.intermediary, servers['intermediary --users'], servers.printer] = await Promise.all([
    startCliServer(['intermediary', '--upstream', upstream.uri, '--port', '0', '--state', join(dir, 'i1')]),
    startCliServer(['intermediary', '--upstream', upstream.uri, '--port', '0', '--state', join(dir, 'i2'), '--users', users]),
    startCliServer(['printer', '--port', '0', '--state', join(dir, 'p')]),
  ]);
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s?.stop()));
  await upstream?.close();
});

/** Refused unread: the answer arrives, and the server took in no more than socket buffers hold. */
function expectRefusedUnread(o: PostOutcome, status: number, what: string): void {
  expect(o.status, `${what}: ${o.body || o.error}`).toBe(status);
  expect(o.bytesWritten, `${what}: body bytes the server took in`).toBeLessThan(UNREAD);
}

async function stillServes(s: CliServer, what: string): Promise<void> {
  expect(s.alive(), `${what} exited: ${s.stderr()}`).toBe(true);
  const r = await fetch(s.uri.replace(/^ipp:/, 'http:'), { method: 'GET' });
  expect(r.status, `${what} answers after the attack`).toBeLessThan(500);
}

describe('issue 12 item 1: one unauthenticated POST must not kill a server', () => {
  for (const name of ['intermediary', 'intermediary --users', 'printer'] as const) {
    it(`${name}: a 600 MB text/plain POST is refused with 415 before its body is read, and the server lives on`, async () => {
      const s = servers[name]!;
      const o = await postStream(s.uri, { contentType: 'text/plain', bytes: BIG });
      expectRefusedUnread(o, 415, name);
      await stillServes(s, name);
    });

    it(`${name}: small text/plain, JSON and form bodies get 415, not 500 and never a stack`, async () => {
      const s = servers[name]!;
      for (const contentType of ['text/plain', 'application/json', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
        const o = await postStream(s.uri, { contentType, bytes: 5 });
        expect(o.status, `${name} ${contentType}: ${o.body}`).toBe(415);
        expect(o.body).not.toMatch(/\bat \S+ \(|stack|\.ts:\d+/);
      }
      const none = await postStream(s.uri, { bytes: 5 });
      expect(none.status, `${name} without content-type: ${none.body}`).toBe(415);
    });

    it(`${name}: a large POST to a path that is not an IPP object is answered without reading it`, async () => {
      const s = servers[name]!;
      const url = new URL('/no-such-object', s.uri.replace(/^ipp:/, 'http:')).href;
      const o = await postStream(url, { contentType: 'text/plain', bytes: BIG });
      expectRefusedUnread(o, 404, `${name} unknown path`);
      await stillServes(s, name);
    });
  }

  it('intermediary --users: an application/ipp upload without credentials gets 401 before its body is read', async () => {
    const s = servers['intermediary --users']!;
    const o = await postStream(s.uri, { contentType: 'application/ipp', bytes: BIG });
    expectRefusedUnread(o, 401, 'unauthenticated IPP upload');
    expect(o.headers['www-authenticate'] ?? '', 'challenge').toMatch(/^Basic /);
    await stillServes(s, 'intermediary --users');
  });
});
