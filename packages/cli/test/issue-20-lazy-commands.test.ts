/**
 * Issue 20 (end-to-end speed): the command table names every command without importing it, so
 * `tno --version`, `tno --help` and `tno print --help` load no package, a group's --help only its
 * own, and `tno print` loads the client's packages but never the printer, the intermediary or the
 * conformance suites (start-up was most of a sealed
 * job's extra client time). The packages a run resolved are logged by a module hook.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { commands } from '../src/commands/index.js';
import { tno } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'tno-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
function packagesLoadedBy(args: readonly string[], status = 0): Set<string> {
  const log = join(dir, `imports-${++runs}.log`);
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', join(here, 'fixtures/log-package-imports.mjs'), '--import', 'tsx', join(here, 'fixtures/run-tno.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, TNO_IMPORT_LOG: log },
  });
  expect(r.status, r.stderr).toBe(status);
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    // nothing resolved
  }
  // run-tno.ts itself imports @trustnoone/cli.
  return new Set(text.split('\n').filter((p) => p && p !== '@trustnoone/cli'));
}

describe('issue 20: tno imports a command only when it is dispatched to', () => {
  it('tno --version and tno --help load no other package', () => {
    expect([...packagesLoadedBy(['--version'])]).toEqual([]);
    expect([...packagesLoadedBy(['--help'])]).toEqual([]);
  });

  it('tno print --help loads no other package; tno smime --help only @trustnoone/smime', () => {
    expect([...packagesLoadedBy(['print', '--help'])]).toEqual([]);
    expect([...packagesLoadedBy(['smime', '--help'])]).toEqual(['@trustnoone/smime']);
  });

  it('tno print loads the client but neither the printer, the intermediary nor the conformance suites', () => {
    // No file: a usage error (exit 2) raised by the print command's own code, once loaded.
    const loaded = packagesLoadedBy(['print'], 2);
    expect(loaded.has('@trustnoone/client')).toBe(true);
    for (const p of ['@trustnoone/printer', '@trustnoone/intermediary', '@trustnoone/conformance']) expect(loaded.has(p), p).toBe(false);
  });

  it("each table entry's summary (and help, where the table has it) is the one its module gives", async () => {
    const modules: Record<string, () => Promise<Record<string, unknown>>> = {
      print: () => import('../src/commands/print.js'),
      status: () => import('../src/commands/job-commands.js'),
      jobs: () => import('../src/commands/job-commands.js'),
      cancel: () => import('../src/commands/job-commands.js'),
    };
    for (const entry of commands) {
      const loaded = 'load' in entry ? await entry.load() : ((await modules[entry.name]!())[`${entry.name}Command`] as typeof entry);
      expect(loaded.name).toBe(entry.name);
      expect(loaded.summary, entry.name).toBe(entry.summary);
      if ('usage' in entry) expect('usage' in loaded && loaded.usage, entry.name).toBe(entry.usage);
    }
    const help = await tno(['smime', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^tno smime — seal and open CMS/);
    expect(help.out).toContain('seal');
  });
});
