#!/usr/bin/env node
// Packs every publishable workspace package into one folder, the way a release is published:
// pnpm pack rewrites workspace:* and catalog: ranges into the real versions (npm pack would leave
// them, and an install of the tarball then fails with EUNSUPPORTEDPROTOCOL).
// Usage: node release/pack.mjs OUT_DIR   (prints one tarball path a line)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** The folders of the packages a vendor installs (every workspace package not marked private). */
export function publishableFolders() {
  const folders = [...readdirSync(join(root, 'packages')).map((n) => join(root, 'packages', n)), join(root, 'conformance')];
  return folders.filter((dir) => {
    try {
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private !== true;
    } catch {
      return false;
    }
  });
}

function pnpmCommand() {
  const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
  const viaCorepack = spawnSync('corepack', ['pnpm', '--version'], { stdio: 'ignore' });
  return viaCorepack.status === 0 ? ['corepack', 'pnpm'] : ['npx', '--yes', pinned];
}

/** Packs each publishable package into `outDir`; returns the tarball paths. */
export function packAll(outDir) {
  mkdirSync(outDir, { recursive: true });
  const [cmd, ...pre] = pnpmCommand();
  const tarballs = [];
  for (const dir of publishableFolders()) {
    const r = spawnSync(cmd, [...pre, 'pack', '--pack-destination', resolve(outDir)], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pnpm pack failed in ${dir}:\n${r.stderr || r.stdout}`);
    const line = r.stdout.trim().split('\n').filter((l) => l.endsWith('.tgz')).pop();
    if (!line) throw new Error(`pnpm pack in ${dir} named no tarball:\n${r.stdout}`);
    tarballs.push(resolve(outDir, line.split('/').pop()));
  }
  return tarballs;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node release/pack.mjs OUT_DIR');
    process.exit(2);
  }
  for (const t of packAll(out)) console.log(t);
}
