import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

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
