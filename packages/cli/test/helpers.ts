import { PassThrough } from 'node:stream';
import { main, type Io } from '@trustnoone/cli';

export interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `tno ...args` in-process with captured output (stdin and stderr are not terminals). */
export async function tno(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io: Io = { stdout, stderr, stdin: new PassThrough(), cwd, env };
  const code = await main(args, io);
  return { code, out, err };
}
