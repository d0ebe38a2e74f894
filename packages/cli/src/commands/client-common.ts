/**
 * What the user commands (print, status, jobs, cancel, trust) share: flags for reaching a printer,
 * the state directory, and the mapping from client errors to one actionable line and an exit code.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isClientError, resolveStateDir, savedSignInCredentials, TrustStore, type ClientErrorCode, type Connection } from '@trustnoone/client';
import { CliError, type Io } from '../command.js';
import { loadPrinters, type SavedPrinter } from '../printers-file.js';
import { ExitCode } from '../exit-codes.js';
import { terminalSafeJson } from '../terminal-text.js';
import { readFlagFile as readFlagFileAt } from '../flag-file.js';

/** Flags every command that talks to a printer accepts (same names in every command). */
export const connectionFlags = {
  printer: { type: 'string', short: 'p' },
  destination: { type: 'string', short: 'd' },
  user: { type: 'string', short: 'U' },
  ca: { type: 'string' },
  pin: { type: 'string' },
  state: { type: 'string' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];


type Parsed<T extends NonNullable<ParseArgsConfig['options']>> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: T): Parsed<T> {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see --help)`, ExitCode.usage, { cause: err });
  }
}

interface ConnectionValues {
  printer?: string | undefined;
  destination?: string | undefined;
  user?: string | undefined;
  ca?: string | undefined;
  pin?: string | undefined;
  timeout?: string | undefined;
  state?: string | undefined;
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The printer the flags name: a URL as given, or a saved printer (by -d, a name, TNO_PRINTER, or the default). */
async function resolvePrinter(v: ConnectionValues, io: Io): Promise<{ uri: string; saved?: SavedPrinter }> {
  const named = v.destination ?? v.printer ?? io.env.TNO_PRINTER;
  if (named !== undefined && named !== '' && URL_LIKE.test(named)) return { uri: named };
  const stateDir = trustStoreFrom(v, io).dir;
  const file = await loadPrinters(stateDir);
  const name = named || file.default;
  if (!name) throw new CliError("no printer given: use -d NAME (add one with 'tno printer add NAME URI'), --printer URL, or set TNO_PRINTER", ExitCode.usage);
  const saved = file.printers[name];
  if (!saved) {
    const known = Object.keys(file.printers);
    throw new CliError(
      `no printer named '${name}'${known.length ? ` (known: ${known.join(', ')})` : ''}: add it with 'tno printer add ${name} URI', or give --printer URL`,
      ExitCode.usage,
    );
  }
  return { uri: saved.uri, saved };
}

export async function connectionFrom(v: ConnectionValues, io: Io): Promise<Connection> {
  if (v.destination !== undefined && v.printer !== undefined) throw new CliError('give -d NAME or --printer, not both', ExitCode.usage);
  const { uri: printer, saved } = await resolvePrinter(v, io);
  if (!/^(ipps?|https?):\/\//i.test(printer)) throw new CliError(`--printer ${printer}: expected an ipp://, ipps://, http:// or https:// URL`, ExitCode.usage);
  const userName = v.user ?? saved?.user ?? io.env.USER ?? io.env.LOGNAME;
  let timeoutMs: number | undefined;
  if (v.timeout !== undefined) {
    const s = Number(v.timeout);
    if (!Number.isFinite(s) || s <= 0) throw new CliError(`--timeout ${v.timeout}: expected a number of seconds`, ExitCode.usage);
    timeoutMs = s * 1000;
  }
  let ca: Buffer | undefined;
  if (v.ca !== undefined) ca = await readFlagFile('ca', v.ca, io);
  else if (saved?.ca !== undefined) ca = Buffer.from(saved.ca);
  const pin = v.pin ?? saved?.tlsPin;
  const password = io.env.TNO_PASSWORD;
  // An OAuth 2.0 access token (RFC 6750) from the environment, never a flag; it wins over a password.
  const token = io.env.TNO_TOKEN;
  if (password && !token && !userName) {
    throw new CliError('TNO_PASSWORD is set but there is no user name to send it with: give --user NAME (or set USER, or save one with tno printer add --user)', ExitCode.usage);
  }
  // Else a `tno login` for this printer: its token, refreshed before it expires (D29).
  const signedIn = token || password ? undefined : await savedSignInCredentials(trustStoreFrom(v, io).dir, printer);
  return {
    printer,
    ...(userName ? { userName } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(ca || pin ? { tls: { ...(ca ? { ca } : {}), ...(pin ? { pinSha256: pin } : {}) } } : {}),
    ...(token ? { auth: { bearer: token } } : password && userName ? { auth: { user: userName, password } } : signedIn ? { auth: signedIn } : {}),
  };
}

export function readFlagFile(flag: string, file: string, io: Io): Promise<Buffer> {
  return readFlagFileAt(flag, file, io.cwd);
}

export function trustStoreFrom(v: { state?: string | undefined }, io: Io): TrustStore {
  return new TrustStore(resolveStateDir({ ...(v.state !== undefined ? { explicit: v.state } : {}), env: io.env, cwd: io.cwd }));
}

/** Exit status for each client error code (docs/cli.md lists the statuses). */
const EXIT_FOR: Readonly<Record<ClientErrorCode, ExitCode>> = {
  CLIENT_BAD_INPUT: ExitCode.usage,
  CLIENT_ATTRIBUTE_NOT_SUPPORTED: ExitCode.usage,
  CLIENT_FORMAT_NOT_SUPPORTED: ExitCode.usage,
  CLIENT_UNREACHABLE: ExitCode.unreachable,
  CLIENT_IPP_STATUS: ExitCode.failure,
  CLIENT_AUTH_REQUIRED: ExitCode.failure,
  CLIENT_FORBIDDEN: ExitCode.failure,
  CLIENT_RATE_LIMITED: ExitCode.failure,
  CLIENT_SERVER_BUSY: ExitCode.unreachable,
  CLIENT_PIN_NOT_SUPPORTED: ExitCode.usage,
  CLIENT_JOB_FAILED: ExitCode.failure,
  CLIENT_TIMEOUT: ExitCode.failure,
  CLIENT_DISCOVERY_UNAVAILABLE: ExitCode.failure,
  CLIENT_SIGN_IN_FAILED: ExitCode.failure,
  CLIENT_STATE_DIR: ExitCode.failure,
  CLIENT_NOT_TRUSTNOONE: ExitCode.notEncrypted,
  CLIENT_TRUST_KEY_INVALID: ExitCode.untrusted,
  CLIENT_TRUST_FIRST_USE_REFUSED: ExitCode.untrusted,
  CLIENT_TRUST_KEY_CHANGED: ExitCode.untrusted,
  CLIENT_TRUST_OTHER_URI: ExitCode.untrusted,
  CLIENT_PLAINTEXT_REFUSED: ExitCode.untrusted,
  CLIENT_POST_QUANTUM_UNAVAILABLE: ExitCode.untrusted,
  CLIENT_JOB_SECURITY_ERROR: ExitCode.security,
  CLIENT_SEALED_ANSWER_INVALID: ExitCode.security,
};

/** Runs `fn`, turning a ClientError into a one-line CliError with the matching exit status. */
export async function clientCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isClientError(err)) throw new CliError(err.message, EXIT_FOR[err.code], { cause: err });
    throw err;
  }
}

export function writeJson(io: Io, value: unknown): void {
  io.stdout.write(`${terminalSafeJson(value, 2)}\n`);
}

export function parseJobId(s: string | undefined): number {
  if (s === undefined) throw new CliError('give the job id', ExitCode.usage);
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < 1 || n > 0x7fffffff) throw new CliError(`'${s}' is not a job id (an integer from 1)`, ExitCode.usage);
  return n;
}
