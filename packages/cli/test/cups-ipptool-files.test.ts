/**
 * CUPS' own ipptool test files (cups-ipp-utils 2.4) against the printer and the intermediary, each
 * started exactly as `tno printer` / `tno intermediary` start them, over ipp and ipps (issue 13).
 *
 * Every file the issue names runs against the four targets, from copies in which the files' own
 * defects are corrected (testing/ipptool.ts FILE_DEFECTS, each shown below on the original file).
 * KNOWN lists what still fails and why; an entry that stops failing fails this test too, so the
 * list cannot go stale. Files left out: print-job-media-needed.test (PAUSE "Remove Paper": needs a
 * person to empty the tray), create-job-format/-sheets/-timeout.test (not among the files named;
 * they print CUPS' PostScript test page, a format an IPP Everywhere printer need not accept).
 *
 * ipp and ipps run concurrently, each target with a small JPEG as the document: ~2-4 minutes on
 * two busy cores (ipp-everywhere.test alone prints ~40 jobs per target).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_DEFECTS, IPPTOOL_TESTS, ipptool, ipptoolWorkdir, startPrinterAndIntermediary, type TnoServer } from '../../../testing/ipptool.js';

/** The files issue 13 names (print-job* and cancel-* expanded), in the order they run. */
const FILES = [
  'get-printer-attributes',
  'get-printer-description-attributes',
  'get-printer-attributes-suite',
  'print-job',
  'print-job-and-wait',
  'print-job-deflate',
  'print-job-gzip',
  'print-job-hold',
  'print-job-letter',
  'print-job-manual',
  'print-job-media-col',
  'print-job-password',
  'create-job',
  'validate-job',
  'get-jobs',
  'cancel-current-job',
  'identify-printer',
  // Last: it queues ~40 jobs, which a file waiting for its own job (print-job-and-wait) would wait
  // behind. It INCLUDEs ipp-2.0.test, which INCLUDEs ipp-1.1.test: one run covers all three files
  // (checked below).
  'ipp-everywhere',
] as const;

type Target = 'printer ipp' | 'printer ipps' | 'intermediary ipp' | 'intermediary ipps';

/**
 * Failures still expected: [target prefix, file, test name] and why. `then`: tests that may fail
 * as a consequence (after a failure inside an INCLUDEd file, ipptool 2.4 at times sends nothing
 * for the next request of the including file: 'No request sent').
 */
const KNOWN: readonly { readonly on: 'intermediary'; readonly file: (typeof FILES)[number]; readonly test: string; readonly then?: readonly string[]; readonly why: string }[] = [
  // none: the intermediary's missing time-at-processing (issue 13.3) is fixed
];

/**
 * Not yet explained: under load, over plain ipp, the first tests ipp-2.0.test and
 * ipp-everywhere.test run after their INCLUDEd file ends are at times not sent at all — ipptool
 * reports 'No request sent.' (libcups found the connection not in a POST state) and the server
 * never sees a request. Run alone they pass. Tolerated only with that exact client-side message.
 */
const NOT_SENT_AFTER_INCLUDE = ['PWG 5100.12 section 6.2 - Required Printer Description Attributes', 'PWG 5100.14 section 5.1/5.2 - Required Operations and Attributes'].map((t) => t.slice(0, 60));

let dir: string;
let work: string;
const servers = new Map<Target, TnoServer>();
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-ipptool-'));
  work = await ipptoolWorkdir(dir);
  const started = await Promise.all((['ipp', 'ipps'] as const).map(async (scheme) => [scheme, await startPrinterAndIntermediary(dir, scheme)] as const));
  for (const [scheme, s] of started) {
    servers.set(`printer ${scheme}`, s.printer);
    servers.set(`intermediary ${scheme}`, s.intermediary);
    stops.push(s.stop);
  }
  // RFC 8011 §5.4.29: printer-up-time is integer(1:MAX); the files check it.
  await new Promise((r) => setTimeout(r, 1100));
}, 180_000);

afterAll(async () => {
  await Promise.all(stops.map((s) => s()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs every file against one target; returns what failed unexpectedly and what KNOWN no longer fails. */
async function runFiles(target: Target): Promise<{ unexpected: string[]; stale: string[] }> {
  const uri = servers.get(target)!.uri;
  const unexpected: string[] = [];
  const stale: string[] = [];
  for (const file of FILES) {
    // A small JPEG: what these files check is the protocol, not rendering speed.
    const r = await ipptool(['-t', '-f', 'photo.jpg', uri, `${file}.test`], work, 150_000);
    const failed = r.tests.filter((t) => t.outcome === 'FAIL').map((t) => t.name);
    const known = KNOWN.filter((k) => target.startsWith(k.on) && k.file === file);
    // ipptool prints a test's NAME cut to its column width: compare the first 60 characters.
    const expected = known.flatMap((k) => [k.test, ...(k.then ?? [])].map((t) => t.slice(0, 60)));
    const notSent = (name: string) => NOT_SENT_AFTER_INCLUDE.some((t) => name.startsWith(t)) && new RegExp(`${name.slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\n]*\\[FAIL\\]\\n[^\n]*\\n[^\n]*No request sent`).test(r.out);
    for (const name of failed) if (!expected.some((t) => name.startsWith(t)) && !notSent(name)) unexpected.push(`${target} ${file}: ${name}\n${r.failures()}`);
    if (r.code !== 0 && failed.length === 0) unexpected.push(`${target} ${file}: exit ${r.code}\n${r.failures()}`);
    if (r.tests.length === 0) unexpected.push(`${target} ${file}: no test ran\n${r.out.slice(0, 2000)}`);
    if (file === 'ipp-everywhere') {
      // The included files ran too: a test of each.
      for (const included of ['RFC 8011 section 4.2.1: Print-Job Operation', 'PWG 5100.12 section 6.2 - Required Printer Description Attributes']) {
        if (!r.tests.some((t) => t.name.startsWith(included))) unexpected.push(`${target} ${file}: the included test '${included}' did not run`);
      }
    }
    for (const k of known) if (!failed.some((name) => name.startsWith(k.test.slice(0, 60)))) stale.push(`${target} ${file}: ${k.test} passes now (${k.why}): remove it from KNOWN`);
  }
  return { unexpected, stale };
}

// ipp and ipps run side by side; within a scheme the printer, then the intermediary in front of it
// (so one printer's engine serves one client at a time).
describe.concurrent("CUPS' ipptool files against the servers as the CLI starts them", () => {
  it.each(['ipp', 'ipps'] as const)('%s: printer, then intermediary: every file passes, except the KNOWN failures', async (scheme) => {
    const unexpected: string[] = [];
    const stale: string[] = [];
    for (const role of ['printer', 'intermediary'] as const) {
      const r = await runFiles(`${role} ${scheme}`);
      unexpected.push(...r.unexpected);
      stale.push(...r.stale);
    }
    expect(unexpected, unexpected.join('\n\n')).toEqual([]);
    expect(stale).toEqual([]);
  }, 900_000);

  it.each(FILE_DEFECTS)('the original $file fails only its defective test ($test)', async (defect) => {
    const original = join(work, `original-${defect.file}`);
    await writeFile(original, await readFile(join(IPPTOOL_TESTS, defect.file), 'utf8'));
    const r = await ipptool(['-t', '-I', '-f', 'photo.jpg', servers.get('printer ipp')!.uri, original], work, 150_000);
    const failed = r.tests.filter((t) => t.outcome === 'FAIL').map((t) => t.name);
    expect(failed.length, r.failures()).toBeGreaterThan(0);
    expect(failed.every((name) => defect.test.startsWith(name.replace(/\s+$/, '')) || defect.failsAs === name), `${defect.why}\n${r.failures()}`).toBe(true);
  }, 300_000);
});
