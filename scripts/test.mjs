#!/usr/bin/env node
// Runs the whole test suite with vitest and ends with the plain summary line
// "N passed, N failed[, N skipped]" so any CI reader can count the result. A test file that fails
// outside any test (an error in beforeAll, an import that throws) counts as one failure: its tests
// are reported as skipped, and a line saying "0 failed" above a red exit status would mislead.
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = mkdtempSync(join(tmpdir(), 'tno-vitest-'));
const report = join(out, 'report.json');
const vitest = join(root, 'node_modules/vitest/vitest.mjs');
const r = spawnSync(
  process.execPath,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
let line = '';
try {
  const j = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  const brokenFiles = (j.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  );
  const failed = j.numFailedTests + brokenFiles.length;
  line = `${j.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '');
  if (brokenFiles.length) line += ` (${brokenFiles.length} of the failures: test files that failed outside any test)`;
  if (j.numTotalTests === 0) line = '0 passed, 0 failed';
} catch {
  line = '';
}
rmSync(out, { recursive: true, force: true });
if (line) console.log(`\n${line}`);
process.exit(r.status ?? 1);
