/**
 * The intermediary as it ships: `tno intermediary --upstream URL --port 0 --state DIR [extra flags]`
 * run as a child process through the command's own argument handling, so a test sees exactly the
 * defaults the command applies (end-to-end policy and envelope check on) rather than the options a
 * test would pass to startIntermediary. Runs from TypeScript sources like the CLI tests do
 * (packages/cli/test/fixtures/run-tno.ts), so no build is needed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runTno = join(repoRoot, 'packages/cli/test/fixtures/run-tno.ts');

export interface TnoIntermediary {
  /** The URI the command printed as its first line. */
  readonly uri: string;
  /** Its --state directory. */
  readonly state: string;
  /** What it wrote to stderr so far (with --verbose: its pino log). */
  stderr(): string;
  /** SIGTERM, wait for the exit (SIGKILL after 5 s), remove the state directory. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Starts `tno intermediary` relaying to `upstream`; `extra` are further flags, as a user would type them. */
export async function startTnoIntermediary(upstream: string, extra: readonly string[] = []): Promise<TnoIntermediary> {
  const state = await mkdtemp(join(tmpdir(), 'tno-shipped-intermediary-'));
  const args = ['--conditions=source', '--import', 'tsx', runTno, 'intermediary', '--upstream', upstream, '--port', '0', '--state', state, ...extra];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const stop = async (): Promise<void> => {
    const gone = exited(child);
    child.kill('SIGTERM');
    const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(hard);
    await rm(state, { recursive: true, force: true });
  };
  try {
    const uri = await new Promise<string>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`tno intermediary printed no URI within 30 s: ${err.slice(0, 500)}`)), 30_000);
      child.once('exit', (code) => rej(new Error(`tno intermediary exited with ${code}: ${err.slice(0, 500)}`)));
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) {
          clearTimeout(t);
          res(out.split('\n')[0]!);
        }
      });
    });
    return { uri, state, stderr: () => err, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
