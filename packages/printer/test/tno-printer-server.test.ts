/**
 * The printer as a process and a server (docs/architecture.md "Configuration defaults"): `tno printer`
 * prints the URI first, serves it, and exits 0 on SIGTERM; --show-fingerprint; ipps with a
 * certificate generated on first start and pinned by the client; documents streamed over a real
 * socket with chunked transfer encoding.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { IppMessage } from '@trustnoone/ipp';
import { ippRequest } from '@trustnoone/ipp-http';
import { main, type Io } from '@trustnoone/cli';
import { showFingerprint, startPrinter } from '@trustnoone/printer';
import { pwgRaster } from './support/documents.js';
import { a, request, tempDir, Op } from './support/ipp.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const launcher = fileURLToPath(new URL('./support/tno-source.mts', import.meta.url));

function withUri(m: IppMessage, uri: string): IppMessage {
  const ops = m.groups[0]!.attributes.map((x) => (x.name === 'printer-uri' ? a.uri('printer-uri', uri) : x));
  return { ...m, groups: [{ ...m.groups[0]!, attributes: ops }, ...m.groups.slice(1)] };
}

function capture(): { io: Io; out: () => string } {
  const stdout = new PassThrough();
  let o = '';
  stdout.on('data', (d) => (o += d));
  return { io: { stdout, stderr: new PassThrough(), stdin: new PassThrough(), cwd: process.cwd(), env: {} }, out: () => o };
}

describe('tno printer', () => {
  it('prints the URI as its first line, serves it, and exits 0 on SIGTERM', async () => {
    const d = await tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, 'printer', '--port', '0', '--state', d.path], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        const rl = createInterface({ input: child.stdout! });
        rl.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`exited ${code} before printing its URI`)));
      });
      expect(first).toMatch(/^ipp:\/\/127\.0\.0\.1:\d+\/ipp\/print$/);
      const res = await ippRequest(first, withUri(request(Op.GetPrinterAttributes, [a.kw('requested-attributes', 'printer-uuid')]), first));
      expect(res.message.code).toBe(0);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await d.remove();
    }
  }, 60_000);

  it('--show-fingerprint prints the certificate fingerprint, stable across runs, and --json details', async () => {
    const d = await tempDir();
    try {
      const c1 = capture();
      expect(await main(['printer', '--show-fingerprint', '--state', d.path], c1.io)).toBe(0);
      // People compare it with what tno shows elsewhere: one format, AB:CD:... (issue 15.7).
      expect(c1.out().trim()).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      const c2 = capture();
      expect(await main(['printer', '--show-fingerprint', '--json', '--state', d.path], c2.io)).toBe(0);
      const info = JSON.parse(c2.out());
      // --json shows it the same way (issue 15.7).
      expect(info.fingerprint).toBe(c1.out().trim());
      expect(info.printerUuid).toMatch(/^urn:uuid:/);
      expect((await showFingerprint({ stateDir: d.path })).fingerprint).toBe(info.fingerprint.replace(/:/g, '').toLowerCase());
    } finally {
      await d.remove();
    }
  });

  it('refuses bad flags with a usage error', async () => {
    const c = capture();
    expect(await main(['printer', '--require-signature', '--port', '0'], c.io)).toBe(2);
    expect(await main(['printer', '--key-algorithm', 'dsa'], c.io)).toBe(2);
  });
});

describe('ipps and streaming over a real socket', () => {
  it('serves ipps with a certificate made on first start; a pinned client connects, others are refused', async () => {
    const d = await tempDir();
    const running = await startPrinter({ stateDir: d.path, port: 0, tls: true, logger: false });
    try {
      expect(running.uri).toMatch(/^ipps:\/\/127\.0\.0\.1:\d+\/ipp\/print$/);
      expect(running.tlsFingerprint).toMatch(/^[0-9a-f]{64}$/);
      const msg = withUri(request(Op.GetPrinterAttributes, [a.kw('requested-attributes', 'printer-uri-supported', 'uri-security-supported')]), running.uri);
      const res = await ippRequest(running.uri, msg, { tls: { pinSha256: running.tlsFingerprint! } });
      expect(res.message.code).toBe(0);
      const uriSecurity = res.message.groups.find((g) => g.tag === 0x04)!.attributes.find((x) => x.name === 'uri-security-supported');
      expect((uriSecurity!.values[0] as { value: string }).value).toBe('tls');
      await expect(ippRequest(running.uri, msg, { tls: { pinSha256: '00'.repeat(32) } })).rejects.toThrow();
    } finally {
      await running.close();
    }
    // Restart: the same TLS certificate.
    const again = await startPrinter({ stateDir: d.path, port: 0, tls: true, logger: false });
    try {
      expect(again.tlsFingerprint).toBe(running.tlsFingerprint);
    } finally {
      await again.close();
      await d.remove();
    }
  }, 60_000);

  it('streams a large chunked document to disk and prints it', async () => {
    const d = await tempDir();
    const running = await startPrinter({ stateDir: d.path, port: 0, logger: false });
    try {
      const page = pwgRaster({ pages: 1, width: 2480, height: 3508, dpi: 300 });
      const pages = 6;
      // A PWG Raster stream: one sync word, then page records; sent in 64 KiB chunks (chunked encoding).
      const body = Readable.from(
        (async function* () {
          yield page.subarray(0, 4);
          for (let i = 0; i < pages; i++) {
            const rec = page.subarray(4);
            for (let o = 0; o < rec.length; o += 65536) yield rec.subarray(o, o + 65536);
          }
        })(),
      );
      const msg = withUri(request(Op.PrintJob, [a.mime('document-format', 'image/pwg-raster')]), running.uri);
      const res = await ippRequest(running.uri, msg, { data: body });
      expect(res.message.code).toBe(0);
      const id = (res.message.groups.find((g) => g.tag === 0x02)!.attributes.find((x) => x.name === 'job-id')!.values[0] as { value: number }).value;
      const job = await running.printer.runtime.store.whenFinalized(id, 60_000);
      expect(job.state).toBe('completed');
      expect(job.pagesCompleted).toBe(pages);
      expect(job.kOctets).toBeGreaterThan(Math.floor(((page.length - 4) * pages) / 1024) - 1);
    } finally {
      await running.close();
      await d.remove();
    }
  }, 90_000);
});

