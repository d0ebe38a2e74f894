/**
 * `tno` run from TypeScript sources as a child process (no build needed), read line by line until
 * the line a test waits for: how a test starts `tno printer` or `tno intermediary` as shipped and
 * learns its URI, fingerprint or output-device-uuid from what the command prints.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const launcher = resolve(repoRoot, 'packages/printer/test/support/tno-source.mts');

/** Starts a process (spawn, or a network namespace's `run`); its stdout must be a pipe. */
export type Launch = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

const spawnPiped: Launch = (command, args, options) => spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });

export interface TnoLinesOptions {
  /** Every process started is pushed here, for the test's clean-up to stop. */
  readonly children: ChildProcess[];
  /** How to start it (default: spawn here). */
  readonly launch?: Launch;
}

/**
 * Runs `tno ARGS` and resolves with the lines it printed up to and including the first for which
 * `until` holds; rejects, quoting what it printed (stdout and stderr), if it exits before that.
 */
export function tnoLines(args: readonly string[], until: (line: string) => boolean, options: TnoLinesOptions): Promise<string[]> {
  const child = (options.launch ?? spawnPiped)(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, ...args], { cwd: repoRoot });
  options.children.push(child);
  const seen: string[] = [];
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolvePromise, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      seen.push(l);
      if (until(l)) resolvePromise(seen);
    });
    child.once('exit', (code) => reject(new Error(`tno ${args[0]} exited ${code}: ${seen.join('\n')}\n${err}`)));
  });
}
