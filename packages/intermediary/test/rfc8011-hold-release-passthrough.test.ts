/**
 * Issue 13.12 through the intermediary: Hold-Job and Release-Job are passed to the printer that
 * holds the job (operations/hold-release.ts), and job-hold-until travels with a cleartext job's
 * attributes. CUPS' print-job-hold.test (its job-hold-until moved to the job group, testing/
 * ipptool.ts FILE_DEFECTS) and ipp-1.1.test's hold tests run against `tno intermediary` in front
 * of `tno printer`, both as the CLI starts them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipptool, ipptoolWorkdir, startPrinterAndIntermediary, type TnoServer } from '../../../testing/ipptool.js';

let dir: string;
let work: string;
let servers: { printer: TnoServer; intermediary: TnoServer; stop(): Promise<void> };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-hold-'));
  work = await ipptoolWorkdir(dir);
  servers = await startPrinterAndIntermediary(dir, 'ipp');
}, 120_000);

afterAll(async () => {
  await servers?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('issue 13.12: Hold-Job and Release-Job through the intermediary', () => {
  it('print-job-hold.test passes: the job waits held at the printer until Release-Job', async () => {
    const r = await ipptool(['-t', '-f', 'photo.jpg', servers.intermediary.uri, 'print-job-hold.test'], work, 60_000);
    expect(r.code, r.failures()).toBe(0);
    expect(r.tests.map((t) => `${t.name.trim()} ${t.outcome}`)).toEqual(['Print-Job w/job-hold-until=indefinite PASS', 'Release-Job PASS']);
  }, 90_000);

  it('the intermediary advertises Hold-Job and Release-Job, which its printer supports', async () => {
    const r = await ipptool(['-t', '-v', servers.intermediary.uri, 'get-printer-attributes.test'], work, 30_000);
    expect(r.out).toMatch(/operations-supported \(1setOf enum\) = [^\n]*Hold-Job,Release-Job/);
  }, 60_000);
});
