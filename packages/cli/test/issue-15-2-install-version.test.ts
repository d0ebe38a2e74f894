/**
 * Issue 15 item 2: a documented way to put `tno` on PATH, and `tno --version`. Runs the install
 * step the README gives (scripts/install-tno.mjs) into a temporary bin directory, then calls `tno`
 * by name through a shell with only that directory and the system's on PATH.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tno } from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const version = (JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;
const bin = mkdtempSync(join(tmpdir(), 'tno-issue-15-2-'));

afterAll(() => rmSync(bin, { recursive: true, force: true }));

describe('issue 15.2: install and version', () => {
  it('tno --version (and -V) prints the CLI version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await tno([flag]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^tno ${version.replace(/\./g, '\\.')} \\(trustnoone; Node\\.js \\d+\\.\\d+\\.\\d+\\)\\n$`));
    }
    expect((await tno(['--help'])).out).toContain('tno --version');
  });

  it('the README install step puts tno on PATH: a shell finds it by name', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('node scripts/install-tno.mjs');
    const install = spawnSync(process.execPath, [join(root, 'scripts/install-tno.mjs'), '--bin-dir', bin], { encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    expect(install.stdout).toContain(join(bin, 'tno'));
    expect(install.stdout).toContain('is not on your PATH');
    const r = spawnSync('/bin/sh', ['-c', 'command -v tno && tno --version && tno keys --help'], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin`, HOME: bin } });
    expect(r.status, r.stderr).toBe(0);
    const [where, line] = r.stdout.split('\n');
    expect(where).toBe(join(bin, 'tno'));
    expect(line).toBe(`tno ${version} (trustnoone; Node.js ${process.versions.node})`);
    expect(r.stdout).toContain('tno keys');
  });
});
