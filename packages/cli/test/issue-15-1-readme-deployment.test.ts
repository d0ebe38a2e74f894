/**
 * Issue 15 item 1: the README's deployment section works as written. This test takes the shell
 * block of "Running a printer and an intermediary for real" from README.md, changes only where
 * it runs (state and /etc paths into a temporary directory, the two ports to free loopback ports,
 * the relay's host name to localhost, its listen address to 127.0.0.1), installs tno with the
 * README's install step, and runs the block with /bin/sh. It fails when the README drifts from
 * what tno does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const tmp = mkdtempSync(join(tmpdir(), 'tno-issue-15-1-'));

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A one-page PDF (PDF 1.4, ISO 32000-1 §7.5: header, objects, xref with byte offsets, trailer). */
function tinyPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    '<< /Length 44 >>\nstream\nBT /F1 24 Tf 72 720 Td (Quarterly report) Tj ET\nendstream',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function readmeBlock(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Running a printer and an intermediary for real'));
  expect(section, 'README section "Running a printer and an intermediary for real"').toBeDefined();
  const block = /```sh\n([\s\S]*?)```/.exec(section!)?.[1];
  expect(block, 'its ```sh block').toBeDefined();
  return block!;
}

/** Replaces every occurrence, and insists there is one: a README that no longer says it has drifted. */
function substitute(text: string, from: string, to: string): string {
  expect(text, `the README block mentions ${from}`).toContain(from);
  return text.split(from).join(to);
}

function files(dir: string, name: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p, name));
    else if (e.name === name) out.push(p);
  }
  return out;
}

describe('issue 15.1: the README deployment section, run as written', () => {
  it('sets up a printer and an authenticated ipps intermediary, and alice prints a signed sealed job through it', async () => {
    const bin = join(tmp, 'bin');
    const install = spawnSync(process.execPath, [join(root, 'scripts/install-tno.mjs'), '--bin-dir', bin], { encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    const work = join(tmp, 'admin');
    mkdirSync(work);
    mkdirSync(join(tmp, 'home'));
    writeFileSync(join(work, 'alice-password.txt'), 'correct horse battery staple\n', { mode: 0o600 });
    writeFileSync(join(work, 'report.pdf'), tinyPdf());
    const [printerPort, relayPort] = [await freePort(), await freePort()];
    let script = readmeBlock();
    script = substitute(script, '/var/lib/tno', join(tmp, 'var'));
    script = substitute(script, '/etc/tno', join(tmp, 'etc'));
    script = substitute(script, '8631', String(printerPort));
    script = substitute(script, '8632', String(relayPort));
    script = substitute(script, 'relay.example.com', 'localhost');
    script = substitute(script, '--host 0.0.0.0', '--host 127.0.0.1');
    script = `set -e\n${script}`;
    // The servers the block starts in the background share the script's process group (no job
    // control in sh -c): the whole group is ended once the script has exited.
    const child = spawn('/bin/sh', ['-c', script], {
      cwd: work,
      detached: true,
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: join(tmp, 'home'), USER: 'alice', LANG: 'C.UTF-8' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const endGroup = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // the group has ended
      }
    };
    const timer = setTimeout(() => endGroup('SIGKILL'), 120_000);
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    clearTimeout(timer);
    endGroup('SIGTERM');
    const logs = ['printer.log', 'relay.log'].map((f) => `${f}:\n${(() => { try { return readFileSync(join(work, f), 'utf8'); } catch { return '(none)'; } })()}`).join('\n');
    expect(code, `stdout:\n${out}\nstderr:\n${err}\n${logs}`).toBe(0);
    expect(out).toContain('printer office added');
    expect(out).toMatch(/key PINNED/);
    expect(out).toMatch(/job 1 completed: encrypted and signed to urn:uuid:\S+ \(key pinned/);
    expect(out).toContain('job-name = report.pdf');
    expect(out).toMatch(/printer office \(default\) ipps:\/\/localhost:\d+\/ipp\/print: \w+.*key PINNED/);
    // The printer verified alice's signature against the site CA it was given (--trust ca.crt).
    const manifests = files(join(tmp, 'var'), 'manifest.json').map((f) => JSON.parse(readFileSync(f, 'utf8')) as { signer?: { trust?: string } });
    expect(manifests.map((m) => m.signer?.trust)).toEqual(['verified']);
  }, 180_000);
});
