/**
 * Issue 16.2, the intermediary's status page as an admin sees it: `tno printer --tls` and
 * `tno intermediary` as shipped (users file, its own TLS key made by openssl, the upstream pinned
 * by its TLS fingerprint), one sealed job printed through it by alice. Debian's Chromium: without
 * credentials the page is refused (401, Basic challenge, as for IPP); with alice's it shows the
 * routing view only — owner, neutral name, state, size, upstream job — the upstream as reachable
 * with its pin, and never the sealed job name.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get as httpsGet } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tnoLines } from '../../../testing/tno-lines.js';
import type { Browser } from 'playwright-core';
import { print, TrustStore } from '@trustnoone/client';
import { addUser } from '@trustnoone/intermediary';
import { formatFingerprint } from '@trustnoone/smime';
import { launchChromium, screenshot } from '../../../testing/chromium.js';
import { tlsCertificateSha256 } from '../../../testing/tls-fingerprint.js';

const SECRET_NAME = 'Board minutes SECRET-91c2';

let dir: string;
const children: ChildProcess[] = [];
let relayUri: string;
let upstreamPin: string;
let relayPin: string;
let browser: Browser;
let jobId: number;

const tnoServer = (args: readonly string[], until: (line: string) => boolean): Promise<string[]> => tnoLines(args, until, { children });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-relay-page-'));
  const printerLines = await tnoServer(['printer', '--port', '0', '--tls', '--state', join(dir, 'printer')], (l) => l.startsWith('fingerprint '));
  const printerUri = printerLines[0]!;
  upstreamPin = await tlsCertificateSha256(Number(new URL(printerUri).port));
  const key = join(dir, 'relay.key');
  const cert = join(dir, 'relay.crt');
  const ossl = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  expect(ossl.status, ossl.stderr).toBe(0);
  const users = join(dir, 'users');
  await addUser(users, 'alice', 'alice-secret');
  const relayLines = await tnoServer(
    ['intermediary', '--state', join(dir, 'relay'), '--port', '0', '--tls-key', key, '--tls-cert', cert, '--users', users, '--upstream', printerUri, '--upstream-pin', upstreamPin],
    () => true,
  );
  relayUri = relayLines[0]!;
  relayPin = await tlsCertificateSha256(Number(new URL(relayUri).port));
  const r = await print({
    printer: relayUri,
    tls: { pinSha256: relayPin },
    auth: { user: 'alice', password: 'alice-secret' },
    userName: 'alice',
    documents: [{ data: new TextEncoder().encode('minutes\n'), format: 'text/plain' }],
    jobName: SECRET_NAME,
    trust: { store: new TrustStore(join(dir, 'client')), firstUse: 'accept' },
  });
  expect(r.status?.state).toBe('completed');
  jobId = r.jobId;
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  for (const c of children) c.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

describe('intermediary status page in Chromium (issue 16.2)', () => {
  it('refuses a visitor without credentials with the same Basic challenge as IPP', async () => {
    // The browser meets the challenge and, with no credentials to give, stops there.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await expect(page.goto(`https://127.0.0.1:${new URL(relayUri).port}/`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await context.close();
    // What it was answered: 401 with the Basic challenge, and no page.
    const answer = await new Promise<{ status: number; challenge: string | undefined; body: string }>((resolve, reject) => {
      const req = httpsGet(`https://127.0.0.1:${new URL(relayUri).port}/`, { rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, challenge: res.headers['www-authenticate'], body }));
      });
      req.once('error', reject);
    });
    expect(answer.status).toBe(401);
    expect(answer.challenge).toMatch(/^Basic realm=/);
    expect(answer.body).not.toContain('encrypted job');
  }, 60_000);

  it("shows the signed-in admin the routing view: jobs, the upstream and its pin; never a sealed job's real name", async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, httpCredentials: { username: 'alice', password: 'alice-secret' }, viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const res = await page.goto(`https://127.0.0.1:${new URL(relayUri).port}/`);
    expect(res?.status()).toBe(200);
    const rows = await page.$$eval('#jobs tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.slice(0, 5)).toEqual([String(jobId), 'alice', 'encrypted job', 'completed', '1']);
    expect(rows[0]![6]).toMatch(/^\d+$/); // the upstream printer's job id
    const upstream = await page.$$eval('#upstreams tbody tr td', (tds) => tds.map((td) => td.textContent ?? ''));
    expect(upstream).toEqual([expect.stringMatching(/^ipps:\/\/127\.0\.0\.1:\d+\/ipp\/print$/), 'reachable', formatFingerprint(upstreamPin)]);
    expect(await page.textContent('#job-count')).toBe('1');
    expect(await page.content()).not.toContain(SECRET_NAME);
    await screenshot(page, 'intermediary-status');
    await context.close();
  }, 60_000);
});
