#!/usr/bin/env node
// Puts the `tno` command on PATH: writes a small launcher into a bin directory (default
// ~/.local/bin, which most login shells already search; --bin-dir DIR for another, e.g.
// /usr/local/bin for every user). The launcher runs this checkout's built CLI with the Node that
// ran this script, so the checkout must stay where it is (run `npm run setup` after pulling).
// Usage: node scripts/install-tno.mjs [--bin-dir DIR]   (npm run install-cli -- --bin-dir DIR)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
let binDir = join(process.env.HOME || homedir(), '.local', 'bin');
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--bin-dir' && args[i + 1]) binDir = resolve(args[++i]);
  else {
    console.error(`install-tno: unknown argument '${args[i]}' (usage: node scripts/install-tno.mjs [--bin-dir DIR])`);
    process.exit(2);
  }
}
const entry = join(root, 'packages', 'cli', 'bin', 'tno.js');
if (!existsSync(join(root, 'packages', 'cli', 'dist', 'main.js'))) {
  console.error('install-tno: the CLI is not built yet; run `npm run setup` first');
  process.exit(1);
}
mkdirSync(binDir, { recursive: true });
const target = join(binDir, 'tno');
const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
writeFileSync(target, `#!/bin/sh\n# trustnoone CLI launcher written by ${join(root, 'scripts', 'install-tno.mjs')}\nexec ${quote(process.execPath)} ${quote(entry)} "$@"\n`, { mode: 0o755 });
console.log(`installed ${target} -> ${entry}`);
const onPath = (process.env.PATH ?? '').split(delimiter).some((d) => d && resolve(d) === binDir);
if (!onPath) console.log(`note: ${binDir} is not on your PATH; add it, e.g.: export PATH="${binDir}:$PATH"`);
