/**
 * Issue 16.2, the intermediary's status page in pull mode: `tno intermediary --infra` and a
 * `tno printer --proxy` that registers with it, both as shipped. In Debian's Chromium the page
 * names the mode and lists the output device by its output-device-uuid with its last report.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tnoLines } from '../../../testing/tno-lines.js';
import type { Browser } from 'playwright-core';
import { launchChromium, screenshot } from '../../../testing/chromium.js';

let dir: string;
const children: ChildProcess[] = [];
let queueUri: string;
let deviceUuid: string;
let browser: Browser;

const tnoServer = (args: readonly string[], until: (line: string) => boolean): Promise<string[]> => tnoLines(args, until, { children });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-infra-page-'));
  queueUri = (await tnoServer(['intermediary', '--infra', '--anonymous', '--anonymous-devices', '--port', '0', '--state', join(dir, 'queue')], () => true))[0]!;
  const printer = await tnoServer(['printer', '--port', '0', '--state', join(dir, 'printer'), '--proxy', queueUri], (l) => l.startsWith('proxy '));
  deviceUuid = /output-device-uuid (urn:uuid:[0-9a-f-]+)/.exec(printer.find((l) => l.startsWith('proxy '))!)![1]!;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const c of children) c.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

describe('intermediary status page in pull mode (issue 16.2)', () => {
  it('names the mode and lists the registered output device with its last report', async () => {
    const page = await browser.newPage();
    const origin = `http://127.0.0.1:${new URL(queueUri).port}`;
    let rows: string[][] = [];
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      const res = await page.goto(`${origin}/`);
      expect(res?.status()).toBe(200);
      rows = await page.$$eval('#devices tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
      if (rows.length === 0) await sleep(200);
    }
    expect(await page.textContent('#service')).toMatch(/INFRA Infrastructure Printer/);
    expect(rows).toHaveLength(1);
    expect(rows[0]![0]).toBe(deviceUuid);
    expect(rows[0]![2]).toBe('/ipp/print');
    expect(rows[0]![4]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(await page.textContent('#upstreams')).toMatch(/Pull mode: no upstream/);
    await screenshot(page, 'intermediary-status-infra');
    await page.close();
  }, 60_000);
});
