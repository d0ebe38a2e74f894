/**
 * Starts a long-running tno command (printer, intermediary) as the CLI ships it, in a child process
 * from the TypeScript sources, and hands back the URI it announces on its first line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../../..');

export interface CliServer {
  readonly uri: string;
  readonly child: ChildProcess;
  /** Everything the child wrote to stderr so far. */
  stderr(): string;
  /** True while the process has not exited. */
  alive(): boolean;
  stop(): Promise<void>;
}

export async function startCliServer(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliServer> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(here, '../fixtures/run-tno.ts'), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  let exited = false;
  child.on('exit', () => (exited = true));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const uri = await new Promise<string>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`tno ${args[0]}: no URI on the first line within 30 s: ${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(t);
        res(out.split('\n')[0]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      rej(new Error(`tno ${args[0]} exited with ${code} before announcing its URI: ${err}`));
    });
  });
  return {
    uri,
    child,
    stderr: () => err,
    alive: () => !exited,
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((res) => child.once('exit', () => res()));
      child.kill('SIGKILL');
      await gone;
    },
  };
}
