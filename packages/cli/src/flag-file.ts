/**
 * Reading a file named by a command-line flag (a key, a certificate, a secret). One place says how
 * a missing or unreadable file is reported: the flag and the path, then what went wrong, as a usage
 * error. It imports only node:fs, so commands that load nothing else at start-up stay light.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError } from './command.js';
import { ExitCode } from './exit-codes.js';

/** The file's bytes; `cwd` resolves a relative path (the process's own directory when absent). */
export async function readFlagFile(flag: string, file: string, cwd?: string): Promise<Buffer> {
  try {
    return await readFile(cwd === undefined ? file : resolve(cwd, file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`--${flag} ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, ExitCode.usage, { cause: err });
  }
}

/** The file as UTF-8 text. */
export async function readFlagText(flag: string, file: string, cwd?: string): Promise<string> {
  return (await readFlagFile(flag, file, cwd)).toString('utf8');
}
