/**
 * `tno intermediary --retry-max SECONDS` (noticed in issue 15's round): the forwarder's backoff
 * towards an unreachable upstream doubled up to a fixed 30 s that no flag could change. Started as
 * the CLI ships it, with the upstream's port closed; a clear job submitted by ipptool makes the
 * forwarder retry, and its warnings (always on stderr) give each wait.
 */
import { createServer } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { ipptool, startTno, type TnoServer } from '../../../testing/ipptool.js';
import { tno } from './helpers.js';

let dir: string;
let relay: TnoServer | undefined;

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-retry-max-'));
  await writeFile(join(dir, 'memo.txt'), 'memo\n');
});

afterAll(async () => {
  await relay?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('tno intermediary --retry-max', () => {
  it('refuses a value out of range, naming the range', async () => {
    for (const bad of ['0', '0.1', 'x', '3601']) {
      const r = await tno(['intermediary', '--state', join(dir, 'never'), '--port', '0', '--upstream', 'ipp://127.0.0.1:1/ipp/print', '--retry-max', bad]);
      expect(r.code, bad).toBe(ExitCode.usage);
      expect(r.err).toMatch(/--retry-max .*from 0\.25 .* to 3600/);
    }
    expect((await tno(['intermediary', '--help'])).out).toMatch(/--retry-max SECONDS/);
  });

  it('caps the wait between attempts to reach a down upstream', async () => {
    const upstream = `ipp://127.0.0.1:${await closedPort()}/ipp/print`;
    relay = await startTno(['intermediary', '--port', '0', '--state', join(dir, 'relay'), '--upstream', upstream, '--anonymous', '--allow-cleartext', '--retry-max', '0.5']);
    const submit = join(dir, 'print.test');
    await writeFile(
      submit,
      `{\n NAME "clear job to a relay whose printer is down"\n OPERATION Print-Job\n GROUP operation-attributes-tag\n ATTR charset attributes-charset utf-8\n ATTR naturalLanguage attributes-natural-language en\n ATTR uri printer-uri $uri\n ATTR name requesting-user-name alice\n ATTR mimeMediaType document-format text/plain\n FILE ${join(dir, 'memo.txt')}\n STATUS successful-ok\n}\n`,
    );
    const r = await ipptool(['-t', relay.uri, submit], dir);
    expect(r.code, r.failures()).toBe(0);
    let waits: number[] = [];
    for (let i = 0; i < 40 && waits.length < 6; i++) {
      await sleep(250);
      waits = [...relay.stderr().matchAll(/"retryMs":(\d+)/g)].map((m) => Number(m[1]));
    }
    // 250 ms, then doubled, never past the 500 ms cap (without the flag: 250, 500, 1000, 2000, ...).
    expect(waits.length, relay.stderr().slice(-2000)).toBeGreaterThanOrEqual(6);
    expect(waits.slice(0, 6)).toEqual([250, 500, 500, 500, 500, 500]);
  }, 60_000);
});
