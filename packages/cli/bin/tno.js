#!/usr/bin/env node
// The tno command: a thin launcher for the built CLI (run `npm run setup` once to build it).
import { setFlagsFromString } from 'node:v8';

// `tno smime` streams a job of any size through a few reused buffers. Left to itself, V8 doubles
// its young generation (up to 16 MiB per semi-space) once enough objects have survived scavenges,
// which a long run always reaches: opening 1 GiB then peaked at 63–67 MiB instead of ~61 (issue
// 20). Keeping the young generation at its starting size costs only more, equally short
// scavenges. Set here, before any heavy allocation, because only this process is the command;
// --max-semi-space-size is read once at start-up and would be ignored now.
if (process.argv[2] === 'smime') setFlagsFromString('--semi-space-growth-factor=1');

const { main } = await import('../dist/main.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tno: internal error: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 70;
  },
);
