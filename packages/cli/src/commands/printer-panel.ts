/**
 * `tno printer release JOB-ID` and `tno printer held`: the printer's panel for secure PIN release,
 * reached through the running printer's Unix socket in its state directory (STATE/panel.sock), so
 * a release code is entered on the printer's own machine and never travels over the network.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { panelRequest, type PanelRequest, type PanelResponse } from '@trustnoone/printer';
import { CliError, type Io } from '../command.js';
import { ExitCode } from '../exit-codes.js';

export const panelUsage = `       tno printer held [--state DIR] [--json]
       TNO_PIN=... tno printer release JOB-ID [--state DIR] [--json]`;

export const PANEL_SOCKET = 'panel.sock';

async function ask(stateDir: string, req: PanelRequest): Promise<PanelResponse> {
  try {
    return await panelRequest(join(stateDir, PANEL_SOCKET), req);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' || code === 'ECONNREFUSED' ? `no printer is running with state directory ${stateDir}` : (err as Error).message;
    throw new CliError(`cannot reach the printer panel: ${why}`, ExitCode.unreachable, { cause: err });
  }
}

export async function runPanel(sub: 'held' | 'release', argv: readonly string[], io: Io, stateDefault: string): Promise<ExitCode> {
  let v;
  let positionals: string[];
  try {
    ({ values: v, positionals } = parseArgs({ args: [...argv], options: { state: { type: 'string' }, json: { type: 'boolean' } }, strict: true, allowPositionals: true }));
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see 'tno printer --help')`, ExitCode.usage);
  }
  const stateDir = v.state ?? stateDefault;
  if (sub === 'held') {
    if (positionals.length > 0) throw new CliError('tno printer held takes no arguments', ExitCode.usage);
    const res = await ask(stateDir, { op: 'held' });
    if (!res.ok || !('jobs' in res)) throw new CliError(`the printer panel refused: ${res.ok ? 'unexpected answer' : res.message}`, ExitCode.failure);
    io.stdout.write(v.json ? `${JSON.stringify({ jobs: res.jobs })}\n` : res.jobs.length ? `${res.jobs.map((j) => `job ${j} held for its release code`).join('\n')}\n` : 'no job is waiting for a release code\n');
    return ExitCode.ok;
  }
  if (positionals.length !== 1 || !/^[1-9][0-9]{0,9}$/.test(positionals[0]!)) throw new CliError('give the printer job id: tno printer release JOB-ID', ExitCode.usage);
  const jobId = Number(positionals[0]);
  const pin = io.env.TNO_PIN;
  if (!pin) throw new CliError('the release code is read from the TNO_PIN environment variable, which is unset or empty', ExitCode.usage);
  const res = await ask(stateDir, { op: 'release', jobId, pin });
  if (!res.ok) throw new CliError(`job ${jobId}: ${res.message}`, res.code === 'PRINTER_JOB_NOT_HELD' ? ExitCode.usage : ExitCode.failure);
  if (v.json) io.stdout.write(`${JSON.stringify({ jobId, ...res, ok: undefined })}\n`);
  if (!('outcome' in res)) throw new CliError('the printer panel gave an unexpected answer', ExitCode.failure);
  if (res.outcome === 'released') {
    if (!v.json) io.stdout.write(`job ${jobId} released: printing\n`);
    return ExitCode.ok;
  }
  if (res.outcome === 'wrong-pin') throw new CliError(`job ${jobId}: wrong release code (${res.attemptsLeft} attempt${res.attemptsLeft === 1 ? '' : 's'} left)`, ExitCode.security);
  throw new CliError(`job ${jobId}: wrong release code; too many attempts, the job is aborted (document-password-error) and deleted`, ExitCode.security);
}
