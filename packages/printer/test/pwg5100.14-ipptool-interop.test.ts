/**
 * Interoperability with CUPS ipptool (an independent IPP client) over a real socket: the stock
 * test files of cups-ipp-utils must pass against the emulator. The vitest globalSetup installs
 * cups-ipp-utils when missing. Sample documents are generated here: PWG Raster files at the
 * paths ipp-everywhere.test looks for, and a JPEG printed with print-job.test.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { jpegImage, pwgRaster } from './support/documents.js';
import { tempDir } from './support/ipp.js';
import { correctedTestFile } from '../../../testing/ipptool.js';

const run = promisify(execFile);
const TESTS = '/usr/share/cups/ipptool';

let dir: { path: string; remove(): Promise<void> };
let running: RunningPrinter;
let work: string;
let sampleCount = 0;

async function ipptool(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('ipptool', ['-T', '30', ...args], { cwd: work, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The failing tests and their reasons, so an assertion message says what broke. */
function failures(out: string): string {
  return out
    .split('\n')
    .filter((l) => /\[FAIL\]|EXPECTED|GOT|status-code|Unable/.test(l))
    .slice(0, 60)
    .join('\n');
}

beforeAll(async () => {
  dir = await tempDir();
  work = join(dir.path, 'ipptool');
  await mkdir(work, { recursive: true });
  running = await startPrinter({ stateDir: join(dir.path, 'state'), port: 0, logger: false });
  // ipp-everywhere.test names 144 sample files; ipptool 2.4 refuses to run if any FILE is
  // unreadable, even for tests it would skip. Every sample is generated here: a small synthetic page
  // (1 × 1.5 in) at the resolution and raster type its name states, so the tests for what this
  // printer advertises really print it (full-size pages are exercised by the renderer tests and
  // the benchmark); the others are skipped by ipptool itself (SKIP-IF-NOT-DEFINED).
  // The file's one defect (overrides-supported 'document-number', unregistered) is corrected in
  // the copy: testing/ipptool.ts FILE_DEFECTS, shown by packages/cli/test/cups-ipptool-files.test.ts.
  const text = correctedTestFile('ipp-everywhere.test', await readFile(join(TESTS, 'ipp-everywhere.test'), 'utf8'));
  await writeFile(join(work, 'ipp-everywhere.test'), text);
  const files = [...new Set([...text.matchAll(/^\s*FILE\s+(\S+)$/gm)].map((m) => m[1]!))];
  for (const file of files) {
    const m = /-(black|sgray|srgb|cmyk)-(1|8|16)-(\d+)dpi\.pwg$/.exec(file);
    if (!m) throw new Error(`unexpected sample name ${file}`);
    const dpi = Number(m[3]);
    await mkdir(join(work, dirname(file)), { recursive: true });
    const pages = file.includes('document-') ? 2 : 1;
    await writeFile(join(work, file), pwgRaster({ colorSpace: m[1] as 'black', bits: Number(m[2]) as 8, dpi, width: dpi, height: Math.round(dpi * 1.5), pages }));
  }
  sampleCount = files.length;
  await writeFile(join(work, 'sample.pwg'), pwgRaster({ pages: 2 }));
  await writeFile(join(work, 'sample.jpg'), jpegImage(320, 240));
}, 120_000);

afterAll(async () => {
  await running?.close();
  await dir?.remove();
});

describe('ipptool (cups-ipp-utils) against the emulator', () => {
  it('get-printer-attributes.test passes', async () => {
    const r = await ipptool(['-t', running.uri, join(TESTS, 'get-printer-attributes.test')]);
    expect(r.code, failures(r.out)).toBe(0);
  });

  it('ipp-1.1.test passes (RFC 8011 conformance) with a PWG raster document', async () => {
    const r = await ipptool(['-t', '-f', join(work, 'sample.pwg'), running.uri, join(TESTS, 'ipp-1.1.test')]);
    expect(r.code, failures(r.out)).toBe(0);
  });

  it('ipp-2.0.test passes', async () => {
    const r = await ipptool(['-t', running.uri, join(TESTS, 'ipp-2.0.test')]);
    expect(r.code, failures(r.out)).toBe(0);
  });

  it('ipp-everywhere.test passes, printing the generated PWG raster samples (none, deflate, gzip)', async () => {
    const r = await ipptool(['-t', running.uri, join(work, 'ipp-everywhere.test')]);
    expect(r.code, failures(r.out)).toBe(0);
    expect(sampleCount).toBe(144);
    // The samples for what the printer advertises (300 dpi; black_1, sgray_8, srgb_8, srgb_16,
    // cmyk_8) were really printed, not skipped: at least one per type and compression.
    expect(r.out.match(/Print .*300dpi.*\[PASS\]/g)?.length ?? 0, r.out.slice(0, 4000)).toBeGreaterThanOrEqual(15);
    expect(r.out).not.toMatch(/Print .*150dpi.*\[PASS\]/);
  }, 180_000);

  it('print-job.test prints a JPEG and the job completes', async () => {
    const r = await ipptool(['-t', '-f', join(work, 'sample.jpg'), '-d', 'filetype=image/jpeg', running.uri, join(TESTS, 'print-job.test'), join(TESTS, 'get-completed-jobs.test')]);
    expect(r.code, failures(r.out)).toBe(0);
    const jobs = running.printer.runtime.store.list().filter((j) => j.renderFormat === 'image/jpeg');
    expect(jobs.length).toBeGreaterThan(0);
    const last = await running.printer.runtime.store.waitFor(jobs[0]!.id, (j) => j.state === 'completed' || j.state === 'aborted');
    expect(last.state).toBe('completed');
    // The job's own URI is an IPP endpoint too (RFC 8011 §4.3: job-uri targets).
    const byJobUri = await ipptool(['-t', `${running.uri}/${last.id}`, join(TESTS, 'get-job-attributes.test')]);
    expect(byJobUri.code, failures(byJobUri.out)).toBe(0);
  });
});
