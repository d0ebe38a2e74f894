/**
 * `tno login` and `tno logout` (issue 19, docs/decisions.md D29): sign in at an OAuth 2.0 issuer for
 * a printer or intermediary, by the device authorization grant (RFC 8628) on a terminal or by the
 * browser with PKCE on a loopback redirect (RFC 8252); `tno print` and the other commands then send
 * the token to that printer and refresh it. Tokens are never printed.
 */
import { spawn } from 'node:child_process';
import { advertisedScope, signIn, signOut, type Connection, type DevicePrompt } from '@trustnoone/client';
import { CliError, type Command, type Io } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { terminalSafe } from '../terminal-text.js';
import { clientCall, connectionFrom, connectionFlags, parseFlags, trustStoreFrom, writeJson } from './client-common.js';

const loginUsage = `Usage: tno login --issuer URL [-d NAME | --printer URL] [options]

Signs in at an OAuth 2.0 / OpenID Connect issuer for one printer or intermediary, and saves the
tokens (0600, STATE/oauth/tokens.json). tno print, status, jobs and cancel then send the access
token to that printer (only to it) and refresh it before it expires. Another 'tno login' for the
same issuer and a second printer adds that printer to the sign-in.

  --issuer URL          the issuer (https; http only on loopback), as the printer's
                        oauth-authorization-server-uri names it
  -d, --destination NAME, -p, --printer URL|NAME
                        the printer the token is for (default $TNO_PRINTER, else the default printer)
  --device              device authorization grant (RFC 8628): shows a URL and a code to enter on
                        any device with a browser; the default without a graphical session
  --browser             authorization code with PKCE through the browser, answered on a one-time
                        loopback listener (RFC 8252); the default when DISPLAY or WAYLAND_DISPLAY
                        is set. Opens $BROWSER (else xdg-open) and prints the URL too
  --no-open             with --browser: only print the URL, open nothing
  --client-id ID        the public client registered for tno at the issuer (default tno)
  --scope SCOPES        scopes to ask for, space-separated; default the scope the printer
                        advertises (its oauth-authorization-scope, or the scope of its
                        Bearer challenge); offline_access is added for refreshing
  --resource URI        RFC 8707 resource indicator: the audience the server checks
  --timeout SECONDS     how long to wait for the browser (default 300)
  --state DIR           state directory (default $XDG_STATE_HOME/trustnoone)
  --json                the sign-in (issuer, printers, expiry; never a token) as JSON`;

const logoutUsage = `Usage: tno logout [--issuer URL] [-d NAME | --printer URL] [--all] [--state DIR]

Forgets saved sign-ins and revokes their tokens at the issuer where it offers revocation
(RFC 7009): those for --issuer, for the printer given, or --all.`;

const loginFlags = {
  ...connectionFlags,
  issuer: { type: 'string' },
  device: { type: 'boolean' },
  browser: { type: 'boolean' },
  'no-open': { type: 'boolean' },
  'client-id': { type: 'string' },
  scope: { type: 'string' },
  resource: { type: 'string' },
} as const;

/** Opens the authorization URL: $BROWSER if set (one command), else xdg-open; never waits for it. */
function openInBrowser(url: string, io: Io): void {
  const command = io.env.BROWSER || 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true, env: io.env });
    child.on('error', () => io.stderr.write(`tno: could not start ${terminalSafe(command)}; open the URL above yourself\n`));
    child.unref();
  } catch {
    io.stderr.write(`tno: could not start ${terminalSafe(command)}; open the URL above yourself\n`);
  }
}

function showDevicePrompt(p: DevicePrompt, io: Io): void {
  // The issuer's strings reach a terminal: shown escaped (issue 12.7).
  io.stderr.write(`To sign in, open ${terminalSafe(p.verificationUri)} and enter the code ${terminalSafe(p.userCode)}\n`);
  if (p.verificationUriComplete) io.stderr.write(`(or open ${terminalSafe(p.verificationUriComplete)})\n`);
  io.stderr.write(`The code is valid for ${Math.round(p.expiresInSec / 60)} minutes. Waiting...\n`);
}

/**
 * Without --scope: the scope the printer asks for (its oauth-authorization-scope, or the scope of
 * its Bearer challenge), said on stderr; none when it advertises none or cannot be asked (D40).
 */
async function printerScope(conn: Connection, io: Io): Promise<string | undefined> {
  try {
    const found = await advertisedScope(conn);
    if (found) io.stderr.write(`tno: asking for scope '${terminalSafe(found.scope)}', which ${terminalSafe(conn.printer)} advertises (${found.source === 'oauth-authorization-scope' ? 'oauth-authorization-scope' : 'its Bearer challenge'})\n`);
    return found?.scope;
  } catch (err) {
    io.stderr.write(`tno: could not ask ${terminalSafe(conn.printer)} which scope it wants (${terminalSafe((err as Error).message)}); asking for none: give --scope if the printer refuses the token\n`);
    return undefined;
  }
}

export const loginCommand: Command = {
  name: 'login',
  summary: 'sign in at an OAuth 2.0 issuer for a printer (device code or browser)',
  usage: loginUsage,
  async run(argv, io) {
    const { values: v } = parseFlags(argv, loginFlags);
    if (!v.issuer) throw new CliError('give --issuer URL (the printer advertises it as oauth-authorization-server-uri)', ExitCode.usage);
    if (v.device && v.browser) throw new CliError('--device and --browser exclude each other', ExitCode.usage);
    if (v['no-open'] && v.device) throw new CliError('--no-open applies to --browser', ExitCode.usage);
    let timeoutMs: number | undefined;
    if (v.timeout !== undefined) {
      const s = Number(v.timeout);
      if (!Number.isFinite(s) || s <= 0) throw new CliError(`--timeout ${v.timeout}: expected a number of seconds`, ExitCode.usage);
      timeoutMs = s * 1000;
    }
    const conn = await connectionFrom({ ...v, timeout: undefined }, io);
    const { printer } = conn;
    const scope = v.scope ?? (await printerScope(conn, io));
    const graphical = Boolean(io.env.DISPLAY || io.env.WAYLAND_DISPLAY);
    const flow = v.device ? 'device' : v.browser || graphical ? 'browser' : 'device';
    const stateDir = trustStoreFrom(v, io).dir;
    const saved = await clientCall(() =>
      signIn({
        stateDir,
        issuer: v.issuer!,
        printers: [printer],
        flow,
        ...(v['client-id'] ? { clientId: v['client-id'] } : {}),
        ...(scope ? { scope } : {}),
        ...(v.resource ? { resource: v.resource } : {}),
        ...(timeoutMs ? { browserTimeoutMs: timeoutMs } : {}),
        onDevicePrompt: (p) => showDevicePrompt(p, io),
        openBrowser: (url) => {
          io.stderr.write(`Sign in with your browser: ${terminalSafe(url)}\n`);
          if (!v['no-open']) openInBrowser(url, io);
        },
      }).catch((err: Error) => {
        // A malformed --issuer is a usage error, not a sign-in failure.
        if (err instanceof RangeError) throw new CliError(err.message, ExitCode.usage);
        throw err;
      }),
    );
    const info = { issuer: saved.issuer, clientId: saved.clientId, printers: saved.printers, scope: saved.scope ?? null, expiresAt: new Date(saved.expiresAt).toISOString(), refreshable: saved.refreshToken !== undefined };
    if (v.json) writeJson(io, info);
    else io.stdout.write(`signed in at ${terminalSafe(saved.issuer)} for ${terminalSafe(printer)}; token valid until ${info.expiresAt}${info.refreshable ? ', refreshed automatically' : ''}\n`);
    return ExitCode.ok;
  },
};

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'forget saved OAuth sign-ins (and revoke their tokens)',
  usage: logoutUsage,
  async run(argv, io) {
    const { values: v } = parseFlags(argv, { ...connectionFlags, issuer: { type: 'string' }, all: { type: 'boolean' } });
    const named = v.destination ?? v.printer;
    if (!v.all && v.issuer === undefined && named === undefined) throw new CliError('give --issuer URL, -d NAME / --printer URL, or --all', ExitCode.usage);
    if (v.all && (v.issuer !== undefined || named !== undefined)) throw new CliError('--all excludes --issuer and the printer', ExitCode.usage);
    const stateDir = trustStoreFrom(v, io).dir;
    const printer = named !== undefined ? (await connectionFrom(v, io)).printer : undefined;
    const gone = await signOut(stateDir, { ...(v.issuer !== undefined ? { issuer: v.issuer } : {}), ...(printer !== undefined ? { printer } : {}) });
    if (v.json) writeJson(io, { removed: gone.map((s) => ({ issuer: s.issuer, printers: s.printers })) });
    else if (gone.length === 0) io.stdout.write('no saved sign-in matched\n');
    else for (const s of gone) io.stdout.write(`signed out of ${terminalSafe(s.issuer)} (${s.printers.map(terminalSafe).join(', ')})\n`);
    return ExitCode.ok;
  },
};
