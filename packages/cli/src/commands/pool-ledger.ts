/**
 * `tno pool-ledger`: the small service a site runs beside the printers of one INFRA pool so that
 * no two members print one job, whatever the Infrastructure Printer does (docs/decisions.md D32).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { normaliseFingerprint, POOL_LEDGER_RETENTION_DEFAULT_MS, PrinterError, startPoolLedger, type RunningPoolLedger } from '@trustnoone/printer';
import { CliError, type Command, type Io } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { readFlagText } from '../flag-file.js';
import { usableStateDir } from '../state-dir.js';

const usage = `Usage: tno pool-ledger --tls-cert FILE --tls-key FILE --members-ca FILE [options]

Runs the pool ledger: members of one printer pool (tno printer --proxy ... --pool-ledger URL)
claim each job here before they take it; the first member to claim a job prints it, any other is
told "taken" and refuses it. Run it on the site's network beside the printers, never behind or
through the Infrastructure Printer. Members authenticate with TLS client certificates issued by
--members-ca (one certificate per member); the ledger sees a digest per job, never its content.
Prints its URL as its first line; SIGTERM or SIGINT stops it.

  --state DIR             where claims are kept (default $XDG_STATE_HOME/trustnoone/pool-ledger)
  --port N                port (default 8643; 0 picks a free one)
  --host ADDR             listen address (default 127.0.0.1)
  --tls-cert FILE         the ledger's TLS certificate (tno keys generate --kind server)
  --tls-key FILE          its private key
  --members-ca FILE       PEM CA certificate(s) that issue the members' client certificates
  --member HEX            accept only this member certificate (SHA-256 fingerprint); repeatable
  --retention DAYS        how long a claim is remembered (default ${POOL_LEDGER_RETENTION_DEFAULT_MS / 86_400_000}, the members' replay
                          retention; never shorter than theirs)
`;

export const poolLedgerCommand: Command = {
  name: 'pool-ledger',
  summary: 'run the pool ledger: one job, one print across printers sharing an INFRA queue',
  usage,
  async run(argv, io: Io) {
    let v;
    try {
      ({ values: v } = parseArgs({
        args: [...argv],
        options: {
          state: { type: 'string' },
          port: { type: 'string' },
          host: { type: 'string' },
          'tls-cert': { type: 'string' },
          'tls-key': { type: 'string' },
          'members-ca': { type: 'string' },
          member: { type: 'string', multiple: true },
          retention: { type: 'string' },
        },
        strict: true,
      }));
    } catch (err) {
      throw new CliError(`${(err as Error).message} (see 'tno pool-ledger --help')`, ExitCode.usage);
    }
    for (const f of ['tls-cert', 'tls-key', 'members-ca'] as const) if (v[f] === undefined) throw new CliError(`--${f} is required (see 'tno pool-ledger --help')`, ExitCode.usage);
    const port = Number(v.port ?? 8643);
    if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw new CliError(`--port ${v.port}: expected 0..65535`, ExitCode.usage);
    const days = v.retention === undefined ? undefined : Number(v.retention);
    if (days !== undefined && !(Number.isSafeInteger(days) && days >= 3)) throw new CliError(`--retention ${v.retention}: expected a whole number of days >= 3`, ExitCode.usage);
    let members: string[] | undefined;
    try {
      members = v.member?.map(normaliseFingerprint);
    } catch (err) {
      throw new CliError(`--member: ${(err as Error).message}`, ExitCode.usage);
    }
    const stateDir = await usableStateDir(v.state ?? join(io.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'trustnoone', 'pool-ledger'));
    let ledger: RunningPoolLedger;
    try {
      ledger = await startPoolLedger({
        stateDir,
        port,
        ...(v.host ? { host: v.host } : {}),
        tls: { cert: await readFlagText('tls-cert', v['tls-cert']!), key: await readFlagText('tls-key', v['tls-key']!) },
        membersCa: await readFlagText('members-ca', v['members-ca']!),
        ...(members ? { members } : {}),
        ...(days !== undefined ? { retentionMs: days * 86_400_000 } : {}),
        log: { info: () => undefined, warn: (o, m) => io.stderr.write(`${m} ${JSON.stringify(o)}\n`) },
      });
    } catch (err) {
      if (err instanceof PrinterError) throw new CliError(`cannot start the pool ledger: ${err.message}`, ExitCode.failure, { cause: err });
      throw err;
    }
    io.stdout.write(`${ledger.url}\nstate ${stateDir}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        void ledger.close().then(resolve);
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    return ExitCode.ok;
  },
};
