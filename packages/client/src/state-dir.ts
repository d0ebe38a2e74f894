import { mkdir, mkdtemp, rmdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ClientError } from './errors.js';

/**
 * The user's state directory for trustnoone: an explicit directory (`--state`), else
 * `$XDG_STATE_HOME/trustnoone` (XDG Base Directory spec: only an absolute value counts), else
 * `~/.local/state/trustnoone`.
 */
export function resolveStateDir(options: { explicit?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  if (options.explicit) return resolve(options.cwd ?? process.cwd(), options.explicit);
  const env = options.env ?? process.env;
  const xdg = env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'trustnoone');
  return join(env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir(), '.local', 'state', 'trustnoone');
}

function unusable(dir: string, why: string, cause?: unknown): ClientError {
  return new ClientError('CLIENT_STATE_DIR', `state directory ${dir} cannot be used: ${why}; choose a directory you can write (--state DIR)`, cause === undefined ? undefined : { cause });
}

/** Why one directory could not be made (the directory's own name is in the message). */
class Unmakeable extends Error {
  readonly errno: unknown;
  constructor(why: string, errno?: unknown) {
    super(why);
    this.errno = errno;
  }
}

/**
 * Creates `dir` and its missing parents (mode 0700), failing with CLIENT_STATE_DIR where node's
 * `mkdir(..., { recursive: true })` never returns: a file system that answers ENOENT for a new entry
 * under a parent that exists (procfs: `/proc/x`) sends its parent-first retry round forever. Here a
 * second ENOENT once the parent exists is the answer.
 */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await makeOne(dir);
  } catch (err) {
    if (err instanceof Unmakeable) throw unusable(dir, err.message, err.errno);
    throw err;
  }
}

async function makeOne(dir: string): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o700 });
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (!(await stat(dir)).isDirectory()) throw new Unmakeable(`${dir} exists and is not a directory`);
      return;
    }
    if (code !== 'ENOENT') throw new Unmakeable((err as Error).message, err);
    const parent = dirname(dir);
    if (parent === dir) throw new Unmakeable('the file system root is missing', err);
    await makeOne(parent);
  }
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await stat(dir)).isDirectory()) return;
    throw new Unmakeable(code === 'ENOENT' ? `the file system under ${dirname(dir)} does not take new directories` : (err as Error).message, err);
  }
}

/**
 * Makes sure `dir` exists and takes new entries (the printer, intermediary and client write their
 * own subdirectories there): creates it, then creates and removes one probe directory inside, so a
 * directory that exists but refuses entries (`/proc/1`) is reported here, with its name, rather than
 * later by a library that creates a subdirectory recursively and never returns.
 */
export async function prepareStateDir(dir: string): Promise<void> {
  await makeDirectory(dir);
  let probe: string;
  try {
    probe = await mkdtemp(join(dir, '.tno-write-check-'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw unusable(dir, code === 'ENOENT' ? 'the file system there does not take new directories' : (err as Error).message, err);
  }
  await rmdir(probe);
}
