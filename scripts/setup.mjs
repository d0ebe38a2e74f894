#!/usr/bin/env node
// One-step set-up for a fresh machine that has only Node and npm: find (or fetch) the pinned pnpm,
// install the workspace's dependencies from the lockfile, and build every package.
// Idempotent and quick when nothing changed, so both README commands can call it first.
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager; // "pnpm@x.y.z"
const env = { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0', COREPACK_ENABLE_STRICT: '0' };

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...opts });
  return r.status === 0;
}
function works(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'ignore', env });
  return r.status === 0;
}

// Prefer corepack (ships with Node 20, honours packageManager); fall back to npx, which only needs npm.
let pnpm;
if (works('corepack', ['pnpm', '--version'])) pnpm = ['corepack', 'pnpm'];
else if (works('npx', ['--yes', pinned, '--version'])) pnpm = ['npx', '--yes', pinned];
else {
  console.error(`setup: cannot run ${pinned} through corepack or npx; check that npm can reach its registry`);
  process.exit(1);
}

const lock = existsSync(join(root, 'pnpm-lock.yaml'));
const installArgs = ['install', lock && process.env.CI ? '--frozen-lockfile' : '--prefer-offline'];
if (!run(pnpm[0], [...pnpm.slice(1), ...installArgs])) {
  console.error('setup: dependency installation failed (see the pnpm output above)');
  process.exit(1);
}
if (!run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b'])) {
  console.error('setup: the TypeScript build failed (see the compiler output above)');
  process.exit(1);
}
