// Issue 16.1: what a vendor installs. Every package is packed as it would be published, installed
// with plain npm into a folder outside the workspace, and used from there only: a consumer
// type-checks under `strict` against the shipped declarations and runs (seal, print to a loopback
// printer, open). Needs the npm registry for the third-party dependencies, as any install does.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ES module script without declarations
import { packAll } from '../pack.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tno-packed-'));
let tarballs: string[] = [];

function npmInstall(dir: string, specs: readonly string[]): string {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=warn', ...specs], { cwd: dir, encoding: 'utf8' });
  const output = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`npm install failed in ${dir}:\n${output}`);
  return output;
}

function tarFile(tarball: string, path: string): string {
  const r = spawnSync('tar', ['xzf', tarball, '-O', `package/${path}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${path} missing from ${tarball}`);
  return r.stdout;
}

beforeAll(() => {
  tarballs = packAll(join(work, 'tarballs')) as string[];
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packed packages (issue 16.1)', () => {
  it('each tarball is licensed Apache-2.0, carries the license text, and names real versions, not workspace: or catalog: ranges', () => {
    expect(tarballs.length).toBeGreaterThanOrEqual(9);
    for (const tarball of tarballs) {
      const manifest = JSON.parse(tarFile(tarball, 'package.json')) as Record<string, unknown>;
      expect(manifest.license, tarball).toBe('Apache-2.0');
      expect(manifest.private, tarball).toBeUndefined();
      expect(tarFile(tarball, 'LICENSE')).toContain('Apache License');
      const ranges = JSON.stringify([manifest.dependencies, manifest.peerDependencies]);
      expect(ranges, tarball).not.toMatch(/workspace:|catalog:/);
      expect(JSON.stringify(manifest.exports), tarball).not.toContain('"source"');
      expect((manifest.engines as { node: string }).node).toBe('>=20.19');
    }
  });

  it('the client library installs without a server framework', () => {
    const dir = join(work, 'client-only');
    spawnSync('mkdir', ['-p', dir]);
    const names = ['client', 'ipp', 'ipp-http', 'profile', 'smime'];
    const specs = names.map((n) => tarballs.find((t) => t.endsWith(`trustnoone-${n}-0.1.0.tgz`))!);
    const output = npmInstall(dir, specs);
    expect(output).not.toMatch(/EBADENGINE|EUNSUPPORTEDPROTOCOL/);
    for (const server of ['fastify', 'pino', 'light-my-request']) expect(existsSync(join(dir, 'node_modules', server)), server).toBe(false);
  }, 300_000);

  it('a strict consumer type-checks against the shipped declarations and runs: seal, print to a loopback printer, open', () => {
    const dir = join(work, 'consumer');
    spawnSync('mkdir', ['-p', dir]);
    const root = JSON.parse(readFileSync(join(here, '../../package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(root.devDependencies.typescript).toBeDefined();
    // Every package, as a vendor would, plus a compiler; no engine warnings on Node 20.
    const output = npmInstall(dir, [...tarballs, 'typescript@5.9.3', '@types/node@20']);
    expect(output).not.toMatch(/EBADENGINE|EUNSUPPORTEDPROTOCOL/);
    copyFileSync(join(here, '../consumer/consumer.ts'), join(dir, 'consumer.ts'));
    copyFileSync(join(here, '../consumer/tsconfig.json'), join(dir, 'tsconfig.json'));
    const tsc = spawnSync(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const run = spawnSync(process.execPath, ['dist/consumer.js'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(result).toEqual({ roundTrip: true, envelopeBytes: expect.any(Number), encrypted: true, trust: 'first-use', state: 'completed' });
    // The installed tno command answers too.
    const tno = spawnSync(join(dir, 'node_modules/.bin/tno'), ['--help'], { cwd: dir, encoding: 'utf8' });
    expect(tno.status).toBe(0);
    expect(tno.stdout).toMatch(/print/);
  }, 600_000);
});
