/**
 * Issue 14 item 4 (last part): the demo is a library function (@trustnoone/cli/demo), and `tno demo`
 * is argument parsing and printing around it. The library run here reports the same seven steps
 * the command prints, fills in the report as tno demo --json shows it, and cleans up its servers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from '@trustnoone/cli/demo';
import { ExitCode } from '@trustnoone/cli';
import { tno } from './helpers.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'tno-demo-lib-'));
  dirs.push(parent);
  return join(parent, 'state');
}

describe('the demo as a library (issue 14.4)', () => {
  it('runDemo reports seven steps and a report with every check passed', async () => {
    const steps: { n: number; title: string; lines: readonly string[] }[] = [];
    const dir = await freshDir();
    const report = await runDemo({ dir, onStep: (n, title, lines) => steps.push({ n, title, lines }) });
    expect(steps.map((s) => s.n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(steps.map((s) => s.title.split(/\s{2,}/)[0])).toEqual(['printer emulator', 'intermediary', 'trust', 'print', 'rendered pages', 'job name', 'proof']);
    expect(report.ok).toBe(true);
    expect(report.dir).toBe(dir);
    expect(report.job).toMatchObject({ state: 'completed', encrypted: true, signed: true });
    expect(report.scan?.whileSpooled.hits).toEqual([]);
    expect(report.scan?.afterDelivery.hits).toEqual([]);
    expect(report.scan?.controlHits).toBe(1);
  });

  it('tno demo prints exactly the steps the library reports, in its own layout', async () => {
    const r = await tno(['demo', '--dir', await freshDir()]);
    expect(r.code, r.err).toBe(ExitCode.ok);
    const numbered = r.out.split('\n').filter((l) => /^ \d\. /.test(l)).map((l) => l.trim().split(/\s{2,}/)[0]);
    expect(numbered).toEqual(['1. printer emulator', '2. intermediary', '3. trust', '4. print', '5. rendered pages', '6. job name', '7. proof']);
  });
});
