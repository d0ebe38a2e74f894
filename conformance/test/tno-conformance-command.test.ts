/** `tno conformance`: flags, progress and summary lines, report files, exit statuses. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@trustnoone/cli';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { hashPassword, startIntermediary, type UserEntry } from '@trustnoone/intermediary';
import type { Report } from '@trustnoone/conformance';
import { freePort } from '../../testing/ippeveprinter.js';
import { loopbackTls } from '../../testing/loopback-tls.js';

async function tno(args: readonly string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await main(args, { stdout, stderr, stdin: new PassThrough(), cwd, env: {} });
  return { code, out, err };
}

let printer: RunningPrinter;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-conformance-cli-'));
  printer = await startPrinter({ stateDir: join(dir, 'state'), port: 0, logger: false });
});

afterAll(async () => {
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

const ONLY = ['--only', 'rfc8011-printer.get-printer-attributes', '--only', 'pwg5100-14.printer-uuid', '--only', 'trustnoone-printer.'];

describe('tno conformance', () => {
  it('prints one line per test and the summary line, writes Markdown and JSON reports, exits 0 when conforming', async () => {
    const md = await tno(['conformance', printer.uri, '--role', 'printer', ...ONLY, '--report', 'report.md'], dir);
    expect(md.err).toBe('');
    expect(md.code).toBe(0);
    expect(md.out).toMatch(/^PASS REQUIRED +trustnoone-printer\.sealed-print-job$/m);
    const summary = md.out.trim().split('\n').at(-1)!;
    expect(summary).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/);
    expect(await readFile(join(dir, 'report.md'), 'utf8')).toContain(summary);

    const js = await tno(['conformance', printer.uri, ...ONLY, '--report', 'report.json', '--json'], dir);
    expect(js.code).toBe(0);
    const report = JSON.parse(js.out) as Report;
    expect(report.role).toBe('printer');
    expect(report.results.every((r) => r.id.startsWith('trustnoone-printer.') || ONLY.includes(r.id))).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))).toMatchObject({ summary: report.summary });
  });

  it('--restart-command runs the lab\'s restart command before the restart case of trustnoone-hostile-relay (issue 11.8)', async () => {
    // The command here only leaves a mark (this printer runs in-process); the case then checks the
    // printer still answers for its sealed job, as it must after a real restart.
    const mark = join(dir, 'restarted');
    const only = ['--only', 'trustnoone-hostile-relay.sealed-answer-after-restart'];
    const r = await tno(['conformance', printer.uri, ...only, '--json', '--restart-command', `echo restarted > '${mark}'`], dir);
    expect(r.code, r.err).toBe(0);
    expect((await readFile(mark, 'utf8')).trim()).toBe('restarted');
    const report = JSON.parse(r.out) as Report;
    expect(report.results.find((x) => x.id === 'trustnoone-hostile-relay.sealed-answer-after-restart')?.outcome).toBe('passed');
    const without = JSON.parse((await tno(['conformance', printer.uri, ...only, '--json'], dir)).out) as Report;
    expect(without.results.find((x) => x.id === 'trustnoone-hostile-relay.sealed-answer-after-restart')?.outcome).toBe('skipped');
    expect((await tno(['conformance', printer.uri, '--role', 'intermediary', '--restart-command', 'true'], dir)).code).toBe(2);
  });

  it('exits 1 with the count on stderr when a REQUIRED test fails', async () => {
    // The intermediary role asks for the printer's key relayed from --printer-direct; a printer
    // reached as "intermediary" fails the end-to-end cleartext refusal (it accepts cleartext).
    const r = await tno(['conformance', printer.uri, '--role', 'intermediary', '--only', 'rfc8011-printer.get-printer-attributes', '--only', 'trustnoone-intermediary.refuses-cleartext-document'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL REQUIRED +trustnoone-intermediary\.refuses-cleartext-document/m);
    expect(r.err).toBe('tno: 1 REQUIRED test(s) failed\n');
  });

  it('--role infrastructure runs the INFRA suite as an output device with --auth, --report FILE.html writes HTML', async () => {
    const users = new Map<string, UserEntry>([['dev', { name: 'dev', role: 'user', hash: await hashPassword('dev-pw', { N: 1024, r: 8, p: 1 }) }]]);
    const tls = loopbackTls();
    const infra = await startIntermediary({
      stateDir: join(dir, 'infra'),
      upstreams: [],
      infra: { deviceUsers: ['dev'] },
      users,
      // The device's password over TLS on loopback, as `tno intermediary --tls-key/--tls-cert` takes it.
      https: { key: tls.key, cert: tls.cert },
      port: 0,
      logger: false,
      announce: () => {},
      handleSignals: false,
    });
    try {
      expect(infra.uri).toMatch(/^ipps:/);
      const system = infra.uri.replace('/ipp/print', '/ipp/system');
      const r = await tno(['conformance', infra.uri, '--role', 'infrastructure', '--system-uri', system, '--pin', tls.pin, '--auth', 'dev:dev-pw', '--report', 'infra.html'], dir);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^PASS REQUIRED +trustnoone-infra\.fetch-document-byte-for-byte$/m);
      const summary = r.out.trim().split('\n').at(-1)!;
      expect(summary).toMatch(/^18 passed, 0 failed, 0 skipped$/);
      const html = await readFile(join(dir, 'infra.html'), 'utf8');
      expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
      expect(html).toContain(summary);
      expect(html).toContain('<code>trustnoone-infra.deregister-output-device</code>');
      // Without the device account nothing can run: said as for any target that wants credentials.
      const anon = await tno(['conformance', infra.uri, '--role', 'infrastructure', '--pin', tls.pin, '--only', 'trustnoone-infra.register-output-device'], dir);
      expect(anon.code).toBe(5);
      expect(anon.err).toMatch(/IPP_HTTP_AUTH_REQUIRED.*HTTP 401/);
    } finally {
      await infra.close();
    }
    expect((await tno(['conformance', printer.uri, '--system-uri', printer.uri], dir)).code).toBe(2);
  });

  it('exits 5 when the target cannot be reached, 2 on bad usage', async () => {
    const port = await freePort();
    const down = await tno(['conformance', `ipp://127.0.0.1:${port}/ipp/print`], dir);
    expect(down.code).toBe(5);
    expect(down.err).toMatch(/^tno: .*IPP_HTTP_CONNECT/);
    // A web server that is not an IPP printer: "answered with something that is not IPP".
    const web = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    try {
      const html = await tno(['conformance', `ipp://127.0.0.1:${(web.address() as { port: number }).port}/ipp/print`], dir);
      expect(html.code).toBe(5);
      expect(html.err).toMatch(/IPP_HTTP_NOT_IPP/);
    } finally {
      await new Promise((r) => web.close(r));
    }
    expect((await tno(['conformance'], dir)).code).toBe(2);
    expect((await tno(['conformance', printer.uri, '--role', 'scanner'], dir)).code).toBe(2);
    expect((await tno(['conformance', printer.uri, '--printer-direct', printer.uri], dir)).code).toBe(2);
  });
});
