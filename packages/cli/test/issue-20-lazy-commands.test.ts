/**
 * Issue 20 (end-to-end speed): the command table names every command without importing it, so
 * `tno --version` and `tno --help` load no package and `tno print` loads the client's packages but
 * never the printer, the intermediary or the conformance suites (start-up was most of a sealed
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
function packagesLoadedBy(args: readonly string[]): Set<string> {
  const log = join(dir, `imports-${++runs}.log`);
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', join(here, 'fixtures/log-package-imports.mjs'), '--import', 'tsx', join(here, 'fixtures/run-tno.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, TNO_IMPORT_LOG: log },
  });
  expect(r.status, r.stderr).toBe(0);
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

  it('tno print --help loads neither the printer, the intermediary nor the conformance suites', () => {
    const loaded = packagesLoadedBy(['print', '--help']);
    expect(loaded.has('@trustnoone/client')).toBe(true);
    for (const p of ['@trustnoone/printer', '@trustnoone/intermediary', '@trustnoone/conformance']) expect(loaded.has(p), p).toBe(false);
  });

  it("each table entry's summary is the one its module gives, shown by the group's --help", async () => {
    for (const entry of commands) {
      expect('load' in entry, entry.name).toBe(true);
      if (!('load' in entry)) continue;
      const loaded = await entry.load();
      expect(loaded.name).toBe(entry.name);
      expect(loaded.summary, entry.name).toBe(entry.summary);
    }
    const help = await tno(['smime', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^tno smime — seal and open CMS/);
    expect(help.out).toContain('seal');
  });
});
