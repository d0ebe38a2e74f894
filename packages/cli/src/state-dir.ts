/**
 * The state directory a command keeps its keys, spool or trust store in, checked before the command
 * does anything else: a directory that cannot be created or takes no entries ends the command with
 * CLIENT_STATE_DIR naming it, instead of a library's recursive mkdir that never returns (/proc/x).
 * Imports only the client's light state-dir module, so `tno intermediary` loads no client crypto.
 */
import { prepareStateDir } from '@trustnoone/client/state-dir';
import { CliError } from './command.js';
import { ExitCode } from './exit-codes.js';

export async function usableStateDir(dir: string): Promise<string> {
  try {
    await prepareStateDir(dir);
  } catch (err) {
    throw new CliError((err as Error).message, ExitCode.failure, { cause: err });
  }
  return dir;
}
