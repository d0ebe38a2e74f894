import { PassThrough } from 'node:stream';
import { main, type Io } from '@trustnoone/cli';

export interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs `tno ...args` in-process with captured output. By default stdin and stderr are not
 * terminals; `terminal` makes both claim to be one (isTTY), with `input` typed on stdin
 * (`notTerminal`: only feed `input`, as a pipe would).
 */
export async function tno(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd(), terminal?: { input: string; notTerminal?: boolean }): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  if (terminal) {
    if (!terminal.notTerminal) {
      Object.assign(stdin, { isTTY: true });
      Object.assign(stderr, { isTTY: true });
    }
    stdin.end(terminal.input);
  }
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io: Io = { stdout, stderr, stdin, cwd, env };
  const code = await main(args, io);
  return { code, out, err };
}
