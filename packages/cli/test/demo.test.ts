/**
 * tno demo, the README's main job, run for real: printer emulator and intermediary on loopback,
 * a sealed signed job through the intermediary, rendered pages, and the canary search.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { tno } from './helpers.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('tno demo', () => {
  it('prints a sealed multi-page job through a blind intermediary and proves the canary never reached its state', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'tno-demo-test-'));
    dirs.push(parent);
    const dir = join(parent, 'state');
    const r = await tno(['demo', '--dir', dir, '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    const report = JSON.parse(r.out);
    expect(report.ok).toBe(true);
    expect(report.trust).toEqual({ kind: 'pinned', fingerprint: report.printer.fingerprint });
    expect(report.job).toMatchObject({ state: 'completed', encrypted: true, signed: true });
    // The search ran while the spool held the sealed job, and found nothing then or later.
    expect(report.scan.whileSpooled.hits).toEqual([]);
    expect(report.scan.afterDelivery.hits).toEqual([]);
    expect(report.scan.whileSpooled.largestFile).toBeGreaterThan(1000);
    expect(report.scan.controlHits).toBe(1);
    expect(report.scan.canary).toMatch(/^TNO-CANARY-[0-9a-f]{16}$/);
    // The rendered pages are real PNG files, one per page of the sample.
    expect(report.pages.files).toHaveLength(3);
    for (const f of report.pages.files as string[]) {
      const png = await readFile(f);
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    }
    expect(report.pages.signer).toBe('CN=demo user');
    expect(report.pages.signerTrust).toBe('verified');
    // The relay knows only the neutral name; the owner gets the real one, sealed, through it.
    expect(report.names).toEqual({ atIntermediary: 'encrypted job', sealedForOwner: 'Quarterly salaries' });
  });

  it('explains each step in text and can clean up after itself', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'tno-demo-test-'));
    dirs.push(parent);
    const dir = join(parent, 'state');
    const r = await tno(['demo', '--dir', dir, '--clean']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(r.out).toMatch(/key fingerprint \(SHA-256\) ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(r.out).toMatch(/while it held the job: .* 0 hits/);
    expect(r.out).toContain('OK: the intermediary stored and relayed the job without being able to read it.');
    await expect(readFile(join(dir, 'documents', 'salaries.txt'))).rejects.toThrow();
  });

  it('refuses a state directory that is not fresh', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'tno-demo-test-'));
    dirs.push(parent);
    const r = await tno(['demo', '--dir', tmpdir()]);
    expect(r.code).toBe(ExitCode.usage);
  });
});
