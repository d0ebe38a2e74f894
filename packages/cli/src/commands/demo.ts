/**
 * tno demo: argument parsing and printing around the demo library (demo/run-demo.ts), which runs a
 * printer and a blind intermediary on loopback and proves a sealed job crossed it unread.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CliError, type Command } from '../command.js';
import { newDemoReport, runDemo } from '../demo/run-demo.js';
import { ExitCode } from '../exit-codes.js';
import { parseFlags, writeJson } from './client-common.js';

const usage = `Usage: tno demo [--dir DIR] [--clean] [--json]

Starts a printer emulator and an intermediary on 127.0.0.1 (free ports) with fresh state, trusts
the printer (showing its key fingerprint), prints a signed, sealed multi-page sample document
containing a canary string through the intermediary, waits for completion, shows where the
rendered pages are, and scans everything the intermediary stored for the canary. Exits 0 only if
every step succeeded and the canary was found nowhere in the intermediary's state.

      --dir DIR   where to put the state (default: a new directory under the system temp dir)
      --clean     remove the state directory at the end (the rendered pages with it)
      --json      one JSON report on stdout instead of the step-by-step text
`;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run a printer and an intermediary on loopback and print a sealed job end to end',
  usage,
  async run(argv, io) {
    const { values: v, positionals } = parseFlags(argv, { dir: { type: 'string' }, clean: { type: 'boolean' }, json: { type: 'boolean' } });
    if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}' (see tno demo --help)`, ExitCode.usage);
    const json = v.json === true;
    const dir = v.dir !== undefined ? resolve(io.cwd, v.dir) : await mkdtemp(join(tmpdir(), 'tno-demo-'));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (v.dir !== undefined && (await readdir(dir)).length > 0) throw new CliError(`--dir ${v.dir} is not empty: the demo needs fresh state`, ExitCode.usage);
    const report = newDemoReport(dir);
    if (!json) io.stdout.write(`trustnoone demo: end-to-end encrypted printing through a blind intermediary\n   state in ${dir}\n\n`);
    const onStep = json
      ? undefined
      : (n: number, title: string, lines: readonly string[]) => io.stdout.write(`${String(n).padStart(2)}. ${title}\n${lines.map((l) => `      ${l}\n`).join('')}`);
    try {
      await runDemo({ dir, ...(onStep ? { onStep } : {}) }, report);
      if (json) writeJson(io, report);
      else {
        io.stdout.write(`\nOK: the intermediary stored and relayed the job without being able to read it.\n`);
        if (!v.clean) io.stdout.write(`The state is kept in ${dir} (remove it with: rm -rf ${dir})\n`);
      }
      return ExitCode.ok;
    } catch (err) {
      if (json) writeJson(io, report);
      throw err;
    } finally {
      if (v.clean) await rm(dir, { recursive: true, force: true });
    }
  },
};
