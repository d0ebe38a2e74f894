/**
 * Issue 16.2, the printer's status page as a person sees it: `tno printer --tls` as shipped, one
 * sealed job and one clear job with a hostile name, then Debian's Chromium loads GET /. The page
 * must show the state, the jobs as a clear Get-Jobs shows them (the sealed job only under its
 * neutral name, without page counts), the key fingerprint and the TLS certificate fingerprint (read
 * independently off the TLS handshake), and a QR code that an independent decoder (zbarimg) reads
 * back as the key fingerprint. It loads nothing from outside and runs no script a job name carries.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { IppMessage } from '@trustnoone/ipp';
import { ippRequest } from '@trustnoone/ipp-http';
import { print, TrustStore } from '@trustnoone/client';
import { formatFingerprint } from '@trustnoone/smime';
import { launchChromium, screenshot } from '../../../testing/chromium.js';
import { tlsCertificateSha256 } from '../../../testing/tls-fingerprint.js';
import { TEXT } from './support/documents.js';
import { a, request, tempDir, Op } from './support/ipp.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const launcher = fileURLToPath(new URL('./support/tno-source.mts', import.meta.url));
const SECRET_NAME = 'Salaries 2027 SECRET-7f3a';
const HOSTILE_NAME = '<img src=x onerror="document.title=\'owned\'">report';

let child: ChildProcess;
let uri: string;
let keyFingerprint: string;
let tlsFingerprint: string;
let browser: Browser;
let state: { path: string; remove(): Promise<void> };
let client: { path: string; remove(): Promise<void> };

function withUri(m: IppMessage, target: string): IppMessage {
  const ops = m.groups[0]!.attributes.map((x) => (x.name === 'printer-uri' ? a.uri('printer-uri', target) : x));
  return { ...m, groups: [{ ...m.groups[0]!, attributes: ops }, ...m.groups.slice(1)] };
}


beforeAll(async () => {
  state = await tempDir();
  client = await tempDir('tno-client-');
  child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, 'printer', '--port', '0', '--tls', '--state', state.path], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = createInterface({ input: child.stdout! });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (l) => {
      seen.push(l);
      if (l.startsWith('fingerprint ')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`tno printer exited ${code}: ${seen.join('\n')}`)));
  });
  uri = seen[0]!;
  // tno printer prints it in the one display format (AB:CD:...); compare hex to hex.
  keyFingerprint = seen.find((l) => l.startsWith('fingerprint '))!.slice('fingerprint '.length).replace(/:/g, '').toLowerCase();
  tlsFingerprint = await tlsCertificateSha256(Number(new URL(uri).port));
  const tls = { pinSha256: tlsFingerprint };

  const sealed = await print({
    printer: uri,
    tls,
    documents: [{ data: TEXT, format: 'text/plain' }],
    jobName: SECRET_NAME,
    attributes: { copies: 2 },
    trust: { store: new TrustStore(client.path), firstUse: 'accept' },
  });
  expect(sealed.status?.state).toBe('completed');
  const clear = await ippRequest(
    uri,
    withUri(request(Op.PrintJob, [a.name('job-name', HOSTILE_NAME), a.mime('document-format', 'text/plain')]), uri),
    { data: Buffer.from(TEXT), tls },
  );
  expect(clear.message.code).toBe(0);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  child?.kill('SIGTERM');
  await state?.remove();
  await client?.remove();
});

describe('printer status page in Chromium (issue 16.2)', () => {
  it('shows state, both fingerprints, the jobs in their clear view, and a QR code that decodes to the key fingerprint', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(`https://127.0.0.1:${new URL(uri).port}/`)) external.push(r.url());
    });
    const res = await page.goto(`https://127.0.0.1:${new URL(uri).port}/`);
    expect(res?.status()).toBe(200);

    expect(await page.textContent('#printer-state')).toMatch(/^(idle|processing)$/);
    expect(await page.textContent('#key-fingerprint')).toBe(formatFingerprint(keyFingerprint));
    expect(await page.textContent('#tls-fingerprint')).toBe(formatFingerprint(tlsFingerprint));

    const rows = await page.$$eval('#jobs tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows).toHaveLength(2);
    const [clearRow, sealedRow] = rows; // newest first
    expect(sealedRow![1]).not.toContain('SECRET');
    expect(sealedRow!.slice(2, 4)).toEqual([expect.any(String), 'completed']);
    expect(sealedRow![4]).toBe('—'); // page counts of a sealed job are sealed
    expect(sealedRow![6]).toBe('sealed');
    expect(clearRow![1]).toBe(HOSTILE_NAME); // shown as text, not markup
    expect(clearRow![6]).toBe('clear');
    expect(await page.title()).not.toBe('owned');
    expect(await page.content()).not.toContain(SECRET_NAME);
    expect(external).toEqual([]);

    const shot = await screenshot(page, 'printer-status');
    const qr = spawnSync('zbarimg', ['--quiet', '--raw', shot], { encoding: 'utf8' });
    expect(qr.status, qr.stderr).toBe(0);
    expect(qr.stdout.trim()).toBe(formatFingerprint(keyFingerprint));
    await context.close();
  }, 120_000);
});
