/** Flags both servers share for their HTTP side (ipp-http's limits). */
import { CliError } from '../command.js';
import { ExitCode } from '../exit-codes.js';

/** --body-idle-timeout SECONDS as the servers' option (absent: ipp-http's default). */
export function bodyIdleTimeoutMs(value: string | undefined): { bodyIdleTimeoutMs?: number } {
  if (value === undefined) return {};
  const s = Number(value);
  if (!(Number.isFinite(s) && s > 0 && s <= 86_400)) throw new CliError(`--body-idle-timeout ${value}: expected seconds, more than 0 and at most 86400`, ExitCode.usage);
  return { bodyIdleTimeoutMs: Math.round(s * 1000) };
}
