/**
 * Issue 16.2, the owner's view on the printer: `tno printer --tls` as shipped, a sealed two-copy
 * job signed with alice's certificate. In Debian's Chromium, a visitor without a certificate and a
 * stranger with a self-made one are refused (403, the sealed name nowhere); alice, presenting her
 * certificate as a TLS client certificate, sees the real name, the options and a preview of the
 * rendered page. IPP clients, which present no certificate, are served as before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { print, status, TrustStore } from '@trustnoone/client';
import { certificateToPem, createIdentity, privateKeyToPem } from '@trustnoone/smime';
import { launchChromium, screenshot } from '../../../testing/chromium.js';
import { tlsCertificateSha256 } from '../../../testing/tls-fingerprint.js';
import { TEXT } from './support/documents.js';
import { tempDir } from './support/ipp.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const launcher = fileURLToPath(new URL('./support/tno-source.mts', import.meta.url));
const SECRET_NAME = 'Offer letter SECRET-5d01';

let child: ChildProcess;
let origin: string;
let browser: Browser;
let jobId: number;
let tlsPin: string;
const state = await tempDir();
const client = await tempDir('tno-client-');
const alice = createIdentity({ commonName: 'alice', algorithm: 'p256' });
const mallory = createIdentity({ commonName: 'alice', algorithm: 'p256' }); // same name, other key
const pem = (id: typeof alice) => ({ cert: Buffer.from(certificateToPem(id.certificate)), key: Buffer.from(privateKeyToPem(id.privateKey)) });


beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, 'printer', '--port', '0', '--tls', '--state', state.path], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const uri = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`tno printer exited ${code}`)));
  });
  origin = `https://127.0.0.1:${new URL(uri).port}`;
  tlsPin = await tlsCertificateSha256(Number(new URL(uri).port));
  const r = await print({
    printer: uri,
    tls: { pinSha256: tlsPin },
    documents: [{ data: TEXT, format: 'text/plain' }],
    jobName: SECRET_NAME,
    attributes: { copies: 2 },
    sign: { certificate: certificateToPem(alice.certificate), privateKey: privateKeyToPem(alice.privateKey) },
    trust: { store: new TrustStore(client.path), firstUse: 'accept' },
  });
  expect(r.status?.state).toBe('completed');
  jobId = r.jobId;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  child?.kill('SIGTERM');
  await state.remove();
  await client.remove();
});

describe("printer owner view (issue 16.2: the owner, once authenticated, sees the job's sealed details and page previews)", () => {
  it('refuses a visitor without a certificate and a stranger with a self-made one', async () => {
    for (const clientCertificates of [[], [{ origin, ...pem(mallory) }]]) {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, clientCertificates });
      const page = await context.newPage();
      const res = await page.goto(`${origin}/jobs/${jobId}`);
      expect(res?.status()).toBe(403);
      expect(await page.textContent('#refusal')).toMatch(clientCertificates.length ? /not the one this job was sealed for/ : /client certificate/);
      expect(await page.content()).not.toContain(SECRET_NAME);
      const preview = await context.request.get(`${origin}/jobs/${jobId}/pages/1.png`);
      expect(preview.status()).toBe(403);
      await context.close();
    }
  }, 60_000);

  it("shows alice, who presents her certificate, the job's real name, options and page previews", async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, clientCertificates: [{ origin, ...pem(alice) }], viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    const res = await page.goto(`${origin}/jobs/${jobId}`);
    expect(res?.status()).toBe(200);
    expect(await page.textContent('#sealed-name')).toBe(SECRET_NAME);
    expect(await page.textContent('#job')).toMatch(/copies\s*2/);
    const previews = await page.$$eval('#previews img', (imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
    expect(previews.length).toBeGreaterThan(0);
    for (const w of previews) expect(w).toBeGreaterThan(0);
    await screenshot(page, 'printer-owner-view');
    await context.close();
  }, 60_000);

  it('IPP clients, which present no certificate, are served as before', async () => {
    const s = await status({ printer: origin.replace('https:', 'ipps:') + '/ipp/print', tls: { pinSha256: tlsPin } }, jobId);
    expect(s.state).toBe('completed');
  }, 30_000);
});
