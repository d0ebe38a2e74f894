/**
 * Printers by name (issue 15 item 3), like lpadmin -p / lpstat -p: `tno printer add NAME URI`
 * checks that the printer answers with what was given (CA or TLS pin, user), optionally pins its
 * key with the fingerprint read on it, and saves it; `tno printer remove NAME`; `tno printers`
 * shows each one's state, queue length and the trust verdict on its key.
 */
import { browsePrinters, decideTrust, isClientError, pinPrinter, printerInfo, type PrinterInfo } from '@trustnoone/client';
import { displayFingerprint } from '../fingerprint-text.js';
import { enumName } from '@trustnoone/ipp';
import { CliError, type Command, type Io } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { checkPrinterName, loadPrinters, removePrinter, savePrinter, type SavedPrinter } from '../printers-file.js';
import { terminalSafe } from '../terminal-text.js';
import { clientCall, connectionFrom, parseFlags, readFlagFile, trustStoreFrom, writeJson } from './client-common.js';

export const printerAdminUsage = `       tno printer add NAME URI [--ca FILE | --pin HEX] [--user NAME] [--fingerprint HEX] [--default]
       tno printer remove NAME`;

const addUsage = `Usage: tno printer add NAME URI [--ca FILE | --pin HEX] [--user NAME] [--fingerprint HEX]
                       [--default] [--state DIR] [--json]
       tno printer remove NAME [--state DIR]

Saves a printer (or intermediary) under NAME with what reaching it needs, after checking that it
answers: later commands take -d NAME (or TNO_PRINTER=NAME; the first printer added, or the one
added with --default, needs nothing). With --fingerprint (read on the printer itself), its key is
pinned for URI too. The password is never saved: set TNO_PASSWORD when the server asks for one.

  --ca FILE          PEM CA certificate(s) that verify the server's TLS certificate (saved)
  --pin HEX          or: SHA-256 fingerprint of its TLS certificate (saved)
  --user NAME        requesting-user-name, and the HTTP Basic user with TNO_PASSWORD (saved)
  --fingerprint HEX  SHA-256 fingerprint of the printer's key: pin it for URI
  --default          make NAME the default printer
  --state DIR        trust store and printers directory (default $XDG_STATE_HOME/trustnoone)
  --timeout SECONDS  for the check (default 60)
  --json             machine-readable output
`;

function trustVerdictCode(code: string): string {
  return code === 'CLIENT_TRUST_KEY_CHANGED' ? 'changed' : code === 'CLIENT_TRUST_FIRST_USE_REFUSED' ? 'unknown' : code === 'CLIENT_TRUST_OTHER_URI' ? 'elsewhere' : 'invalid';
}

async function verdict(io: Io, state: string | undefined, uri: string, info: PrinterInfo): Promise<{ trust: string; fingerprint: string | null }> {
  if (!info.trustnoone || !info.printerUuid || !info.certificatePem) return { trust: 'no-encryption', fingerprint: null };
  const store = trustStoreFrom({ state }, io);
  try {
    const d = await decideTrust(uri, info.printerUuid, info.certificatePem, { store, firstUse: 'refuse', record: false });
    return { trust: d.kind, fingerprint: displayFingerprint(d.fingerprint) };
  } catch (err) {
    if (!isClientError(err)) throw err;
    return { trust: trustVerdictCode(err.code), fingerprint: /fingerprint ([0-9A-F:]{95})/.exec(err.message)?.[1] ?? null };
  }
}

export async function runPrinterAdmin(sub: 'add' | 'remove', argv: readonly string[], io: Io): Promise<ExitCode> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(addUsage);
    return ExitCode.ok;
  }
  if (sub === 'remove') {
    const { values: v, positionals } = parseFlags(argv, { state: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new CliError('give the NAME of the printer to remove (see tno printers)', ExitCode.usage);
    const name = checkPrinterName(positionals[0]!);
    if (!(await removePrinter(trustStoreFrom(v, io).dir, name))) throw new CliError(`no printer named '${name}' (see tno printers)`, ExitCode.failure);
    if (v.json) writeJson(io, { removed: name });
    else io.stdout.write(`printer ${name} removed (its key pin, if any, stays: tno trust forget --printer URI)\n`);
    return ExitCode.ok;
  }
  const { values: v, positionals } = parseFlags(argv, {
    ca: { type: 'string' },
    pin: { type: 'string' },
    user: { type: 'string', short: 'U' },
    fingerprint: { type: 'string' },
    default: { type: 'boolean' },
    state: { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 2) throw new CliError('give NAME and URI (see tno printer add --help)', ExitCode.usage);
  const name = checkPrinterName(positionals[0]!);
  const uri = positionals[1]!;
  if (!/^(ipps?|https?):\/\//i.test(uri)) throw new CliError(`${uri}: expected an ipp:// or ipps:// URI`, ExitCode.usage);
  if (v.ca !== undefined && v.pin !== undefined) throw new CliError('give --ca or --pin, not both', ExitCode.usage);
  const ca = v.ca !== undefined ? (await readFlagFile('ca', v.ca, io)).toString('utf8') : undefined;
  const conn = await connectionFrom({ printer: uri, ca: v.ca, pin: v.pin, user: v.user, timeout: v.timeout, state: v.state }, io);
  const info = await clientCall(() => printerInfo(conn));
  const store = trustStoreFrom(v, io);
  if (v.fingerprint !== undefined) await clientCall(() => pinPrinter(conn, { store, fingerprint: v.fingerprint! }));
  const saved: SavedPrinter = { uri, ...(ca ? { ca } : {}), ...(v.pin ? { tlsPin: v.pin } : {}), ...(v.user ? { user: v.user } : {}) };
  const file = await savePrinter(store.dir, name, saved, v.default === true);
  const { trust, fingerprint } = await verdict(io, v.state, uri, info);
  if (v.json) {
    writeJson(io, { name, uri, default: file.default === name, user: saved.user ?? null, ca: ca !== undefined, tlsPin: saved.tlsPin ?? null, trust, fingerprint });
    return ExitCode.ok;
  }
  const out = [`printer ${name} added: ${uri}${file.default === name ? ' (default)' : ''}`];
  if (trust === 'no-encryption') out.push('  this printer does not offer encrypted printing (TRUSTNOONE)');
  else if (trust === 'pinned' || trust === 'verified') out.push(`  key ${trust.toUpperCase()} ${fingerprint ?? ''}`);
  else {
    out.push(`  key not trusted yet (${trust}): fingerprint ${fingerprint ?? '?'}`);
    out.push(`  compare it with the printer's own display, then: tno trust pin -d ${name} --fingerprint ${fingerprint ?? 'HEX'}`);
  }
  io.stdout.write(`${out.map(terminalSafe).join('\n')}\n`);
  return ExitCode.ok;
}

function intAttr(info: PrinterInfo, name: string): number | undefined {
  const v = info.attributes.get(name)?.values[0];
  return v && (v.tag === 'integer' || v.tag === 'enum') ? v.value : undefined;
}

const printersUsage = `Usage: tno printers [--state DIR] [--timeout SECONDS] [--json]
       tno printers --browse [--timeout SECONDS] [--json]

Shows each printer added with 'tno printer add': whether it answers, its state (idle,
processing, stopped) and reasons, how many jobs it has queued, and the trust verdict on its key
(PINNED, VERIFIED, UNKNOWN, ELSEWHERE, CHANGED), like lpstat -p. The default printer is marked.

With --browse, lists the IPP printers found by DNS-SD instead (through the host's Avahi daemon,
like ippfind), marking those that say they offer TRUSTNOONE. What the network says is a hint:
'tno printer add NAME URI' and the key check decide trust, as for any URI.
`;

/** tno printers --browse: what DNS-SD finds; every value came from the network, so shown escaped. */
async function browse(io: Io, timeoutSeconds: string | undefined, json: boolean | undefined): Promise<ExitCode> {
  const timeoutMs = timeoutSeconds === undefined ? 5000 : Number(timeoutSeconds) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new CliError(`--timeout ${timeoutSeconds}: expected a number of seconds`, ExitCode.usage);
  const found = await clientCall(() => browsePrinters({ timeoutMs }));
  if (json) {
    writeJson(io, found.map(({ name, type, host, address, port, uri, trustnoone, txt }) => ({ name, type, host, address, port, uri, trustnoone, txt })));
    return ExitCode.ok;
  }
  if (found.length === 0) {
    io.stdout.write('no IPP printers found by DNS-SD\n');
    return ExitCode.ok;
  }
  const lines = found.map((p) => `${p.name}  ${p.uri}${p.trustnoone ? '  TRUSTNOONE' : ''}${p.txt.ty ? `  (${p.txt.ty})` : ''}`);
  io.stdout.write(`${lines.map(terminalSafe).join('\n')}\n`);
  return ExitCode.ok;
}

export const printersCommand: Command = {
  name: 'printers',
  summary: 'list saved printers with state, queue and key trust (like lpstat -p)',
  usage: printersUsage,
  async run(argv, io) {
    const { values: v, positionals } = parseFlags(argv, { state: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'boolean' }, browse: { type: 'boolean' } });
    if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}' (see tno printers --help)`, ExitCode.usage);
    if (v.browse) return browse(io, v.timeout, v.json);
    const file = await loadPrinters(trustStoreFrom(v, io).dir);
    const rows = await Promise.all(
      Object.keys(file.printers).map(async (name) => {
        const conn = await connectionFrom({ destination: name, state: v.state, timeout: v.timeout ?? '10' }, io);
        try {
          const info = await printerInfo(conn);
          const { trust, fingerprint } = await verdict(io, v.state, conn.printer, info);
          const reasons = (info.attributes.get('printer-state-reasons')?.values ?? []).flatMap((x) => ('value' in x && typeof x.value === 'string' && x.value !== 'none' ? [x.value] : []));
          const code = intAttr(info, 'printer-state');
          const state = code === undefined || enumName('printer-state', code) === String(code) ? 'unknown' : enumName('printer-state', code);
          return { name, uri: conn.printer, default: file.default === name, reachable: true, state, reasons, queuedJobs: intAttr(info, 'queued-job-count') ?? null, trust, fingerprint };
        } catch (err) {
          if (!isClientError(err)) throw err;
          return { name, uri: conn.printer, default: file.default === name, reachable: false, error: err.message };
        }
      }),
    );
    if (v.json) {
      writeJson(io, rows);
      return ExitCode.ok;
    }
    if (rows.length === 0) {
      io.stdout.write("no printers; add one with 'tno printer add NAME URI'\n");
      return ExitCode.ok;
    }
    const lines = rows.map((r) =>
      'error' in r
        ? `printer ${r.name}${r.default ? ' (default)' : ''} ${r.uri}: unreachable: ${r.error}`
        : `printer ${r.name}${r.default ? ' (default)' : ''} ${r.uri}: ${r.state}${r.reasons.length ? ` (${r.reasons.join(', ')})` : ''}, ` +
          `${r.queuedJobs ?? '?'} job(s) queued, key ${r.trust.toUpperCase()}${r.fingerprint ? ` ${r.fingerprint}` : ''}`,
    );
    io.stdout.write(`${lines.map(terminalSafe).join('\n')}\n`);
    return ExitCode.ok;
  },
};
