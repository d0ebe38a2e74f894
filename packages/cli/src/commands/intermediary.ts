import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { addUser, DEFAULT_PORT, migrateStore, startIntermediary, type HttpUpstreamOptions } from '@trustnoone/intermediary';
import { DEFAULT_BODY_IDLE_TIMEOUT_MS } from '@trustnoone/ipp-http';
import { bodyIdleTimeoutMs } from './http-limits.js';
import { oauthServerFlags, oauthServerOptions, oauthServerUsage } from './oauth-server-flags.js';
import { CliError, type Command, type Io } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { usableStateDir } from '../state-dir.js';

const usage = `Usage: tno intermediary --upstream URL [options]
       tno intermediary migrate --store postgres://...              (create or upgrade the shared store)
       tno intermediary --infra --device-user NAME [options]        (pull mode, PWG 5100.18)
       tno intermediary --add-user NAME [--operator] --users FILE   (password read from stdin)

Runs a blind TRUSTNOONE intermediary: it spools sealed jobs and relays them to the upstream
printer, and cannot read them. Prints the URI it serves as its first line.

  --upstream URL        upstream printer (ipp:// or ipps://); repeat for several
  --upstream-ca FILE    PEM CA certificate(s) to verify ipps upstreams with
  --upstream-pin HEX    SHA-256 fingerprint of the upstream's TLS certificate (pinning)
  --infra               pull mode: be an Infrastructure Printer; printers (Proxies) behind NAT
                        register on /ipp/system and fetch their jobs (no --upstream)
  --device-user NAME    with --infra: this --users account may act as an output device; repeat
  --anonymous-devices   with --infra: admit output devices without credentials (loopback demos)
  --state DIR           state directory (default $XDG_STATE_HOME/trustnoone/intermediary)
  --store URL           keep jobs, ciphertext and devices in PostgreSQL (postgres://...; or
                        TNO_STORE) instead of the state directory: several instances with one
                        store serve one queue. Run 'tno intermediary migrate --store URL' first
  --lease-seconds N     with --store: an instance that stops renewing a job's delivery for this
                        long loses it to another instance (default 15)
  --port N              port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free one)
  --host ADDR           listen address (default 127.0.0.1)
  --tls-key FILE        serve ipps with this PEM key ...
  --tls-cert FILE       ... and certificate
  --users FILE          users file (name:role:scrypt-hash) for HTTP Basic authentication;
                        re-read when it changes, so --add-user takes effect while it runs
  --anonymous           also admit requests without credentials
${oauthServerUsage('intermediary')}
  --allow-cleartext     accept unencrypted jobs (mixed fleets); default refuses them
  --max-document-bytes N  largest document accepted (default 2 GiB)
  --body-idle-timeout SECONDS  cut off an upload that sends nothing for this long
                        (default ${DEFAULT_BODY_IDLE_TIMEOUT_MS / 1000})
  --retry-max SECONDS   longest wait between attempts to reach an unreachable upstream; waits
                        start at 0.25 s and double up to this (default 30)
  --add-user NAME       add or replace NAME in --users FILE and exit
  --operator            with --add-user: the user may see and cancel every job
  --no-dnssd            do not advertise by DNS-SD (default: advertised through the host's Avahi
                        daemon when --host is not loopback, once the upstream answers; not with --infra)
  --dnssd               advertise even on a loopback address
  --verbose             log requests too (pino JSON on stderr; warnings such as failed sign-ins
                        are always logged; no document bytes, no passwords)
`;

function stateDefault(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'trustnoone', 'intermediary');
}

async function readPassword(io: Io): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.from(c as Buffer));
  const pw = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (pw.length === 0) throw new CliError('--add-user reads the password from stdin, and it was empty', ExitCode.usage);
  return pw;
}

export const intermediaryCommand: Command = {
  name: 'intermediary',
  summary: 'run a blind intermediary that spools and relays sealed jobs',
  usage,
  async run(argv, io) {
    if (argv[0] === 'migrate') return migrateCommand(argv.slice(1), io);
    let v;
    try {
      ({ values: v } = parseArgs({
        args: [...argv],
        options: {
          upstream: { type: 'string', multiple: true },
          infra: { type: 'boolean' },
          'device-user': { type: 'string', multiple: true },
          'anonymous-devices': { type: 'boolean' },
          'upstream-ca': { type: 'string' },
          'upstream-pin': { type: 'string' },
          state: { type: 'string' },
          store: { type: 'string' },
          'lease-seconds': { type: 'string' },
          port: { type: 'string' },
          host: { type: 'string' },
          'tls-key': { type: 'string' },
          'tls-cert': { type: 'string' },
          users: { type: 'string' },
          anonymous: { type: 'boolean' },
          ...oauthServerFlags,
          'allow-cleartext': { type: 'boolean' },
          'max-document-bytes': { type: 'string' },
          'body-idle-timeout': { type: 'string' },
          'retry-max': { type: 'string' },
          'add-user': { type: 'string' },
          operator: { type: 'boolean' },
          verbose: { type: 'boolean' },
          dnssd: { type: 'boolean' },
          'no-dnssd': { type: 'boolean' },
        },
        strict: true,
      }));
    } catch (err) {
      throw new CliError(`${(err as Error).message} (see 'tno intermediary --help')`, ExitCode.usage);
    }
    if (v['add-user'] !== undefined) {
      if (!v.users) throw new CliError('--add-user needs --users FILE', ExitCode.usage);
      const password = await readPassword(io);
      // A fresh machine has no /etc/tno yet: make the users file's directory (owner-only).
      try {
        await mkdir(dirname(resolve(io.cwd, v.users)), { recursive: true, mode: 0o700 });
        await addUser(resolve(io.cwd, v.users), v['add-user'], password, v.operator ? 'operator' : 'user');
      } catch (err) {
        if (err instanceof CliError || !(err as NodeJS.ErrnoException).code) throw err;
        throw new CliError(`--users ${v.users}: ${(err as Error).message}`, ExitCode.failure, { cause: err });
      }
      io.stdout.write(`added ${v['add-user']} to ${v.users}\n`);
      return ExitCode.ok;
    }
    const store = v.store ?? (io.env.TNO_STORE || undefined);
    if (store !== undefined && !/^postgres(ql)?:\/\//i.test(store)) throw new CliError('--store: expected a postgres:// URL', ExitCode.usage);
    const leaseSeconds = v['lease-seconds'] === undefined ? undefined : Number(v['lease-seconds']);
    if (leaseSeconds !== undefined && !(leaseSeconds >= 1 && leaseSeconds <= 3600)) throw new CliError(`--lease-seconds ${v['lease-seconds']}: expected 1..3600`, ExitCode.usage);
    const upstreamUris = v.upstream ?? [];
    if (v.infra && upstreamUris.length > 0) throw new CliError('--infra and --upstream exclude each other (printers fetch their jobs in pull mode)', ExitCode.usage);
    if (!v.infra && (v['device-user'] || v['anonymous-devices'])) throw new CliError('--device-user and --anonymous-devices need --infra', ExitCode.usage);
    if (upstreamUris.length === 0 && !v.infra) throw new CliError('--upstream URL is required (the printer to relay to), or --infra for pull mode', ExitCode.usage);
    for (const u of upstreamUris) {
      if (!/^ipps?:\/\/[^/]+/.test(u)) throw new CliError(`--upstream ${u}: expected an ipp:// or ipps:// URI`, ExitCode.usage);
    }
    const port = v.port === undefined ? DEFAULT_PORT : Number(v.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port ${v.port}: expected 0..65535`, ExitCode.usage);
    const maxDoc = v['max-document-bytes'] === undefined ? undefined : Number(v['max-document-bytes']);
    if (maxDoc !== undefined && !(Number.isSafeInteger(maxDoc) && maxDoc > 0)) throw new CliError(`--max-document-bytes ${v['max-document-bytes']}: expected a positive integer`, ExitCode.usage);
    const retryMax = v['retry-max'] === undefined ? undefined : Number(v['retry-max']);
    if (retryMax !== undefined && !(Number.isFinite(retryMax) && retryMax >= 0.25 && retryMax <= 3600)) {
      throw new CliError(`--retry-max ${v['retry-max']}: expected seconds, from 0.25 (the first wait) to 3600`, ExitCode.usage);
    }
    if ((v['tls-key'] === undefined) !== (v['tls-cert'] === undefined)) throw new CliError('--tls-key and --tls-cert go together', ExitCode.usage);
    const pin = v['upstream-pin'];
    if (pin !== undefined) {
      // Checked at start (issue 15.5): a malformed pin would otherwise only show as every forward failing.
      if (!/^[0-9a-fA-F]{64}$/.test(pin.replace(/:/g, ''))) {
        throw new CliError(
          `--upstream-pin ${pin}: expected the SHA-256 fingerprint of the printer's TLS certificate (64 hex digits, colons allowed), as 'tno printer --show-tls-fingerprint' prints it`,
          ExitCode.usage,
        );
      }
      const plain = upstreamUris.filter((u) => !u.startsWith('ipps://'));
      if (plain.length > 0) throw new CliError(`--upstream-pin pins a TLS certificate, but ${plain.join(', ')} is not ipps://`, ExitCode.usage);
    }
    const oauth = oauthServerOptions(v, `${v['tls-key'] ? 'ipps' : 'ipp'}://${v.host ?? '127.0.0.1'}:${port}/ipp/print`);
    const ca = v['upstream-ca'] ? await readFile(v['upstream-ca'], 'utf8') : undefined;
    const tls = ca || v['upstream-pin'] ? { ...(ca ? { ca } : {}), ...(v['upstream-pin'] ? { pinSha256: v['upstream-pin'] } : {}) } : undefined;
    const upstreams: HttpUpstreamOptions[] = upstreamUris.map((uri) => ({ uri, ...(tls ? { tls } : {}) }));
    const stateDir = await usableStateDir(v.state ?? stateDefault(io.env));
    try {
      await startIntermediary({
        stateDir,
        ...(store !== undefined ? { store } : {}),
        ...(leaseSeconds !== undefined ? { leaseMs: leaseSeconds * 1000 } : {}),
        upstreams,
        ...(v.infra ? { infra: { deviceUsers: v['device-user'] ?? [], allowAnonymousDevices: v['anonymous-devices'] ?? false } } : {}),
        port,
        ...(v.host ? { host: v.host } : {}),
        // The file, not a snapshot: an edit (tno intermediary --add-user) takes effect on the next request.
        ...(v.users ? { usersFile: v.users } : {}),
        ...(v.anonymous ? { allowAnonymous: true } : {}),
        ...(oauth ? { oauth } : {}),
        ...(retryMax !== undefined ? { retryMaxMs: Math.round(retryMax * 1000) } : {}),
        requireEncryption: !v['allow-cleartext'],
        checkEnvelope: !v['allow-cleartext'],
        limits: { ...(maxDoc ? { maxDocumentBytes: maxDoc } : {}), ...bodyIdleTimeoutMs(v['body-idle-timeout']) },
        ...(v['tls-key'] && v['tls-cert'] ? { https: { key: await readFile(v['tls-key']), cert: await readFile(v['tls-cert']) } } : {}),
        // Warnings (failed sign-ins, with user and address but never the password) always reach
        // stderr; --verbose adds every request.
        logger: { level: v.verbose ? 'info' : 'warn', stream: io.stderr },
        announce: (uri) => io.stdout.write(`${uri}\n`),
        ...(v['no-dnssd'] ? { dnssd: false } : v.dnssd ? { dnssd: true } : {}),
      });
    } catch (err) {
      throw new CliError(`cannot start the intermediary: ${(err as Error).message}`, ExitCode.failure, { cause: err });
    }
    // Serve until a signal ends the process (startIntermediary installed the handlers).
    await new Promise<never>(() => {});
    return ExitCode.ok;
  },
};

/** `tno intermediary migrate --store URL`: applies the schema migrations this version knows. */
async function migrateCommand(argv: readonly string[], io: Io): Promise<ExitCode> {
  let v;
  try {
    ({ values: v } = parseArgs({ args: [...argv], options: { store: { type: 'string' } }, strict: true }));
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see 'tno intermediary --help')`, ExitCode.usage);
  }
  const store = v.store ?? (io.env.TNO_STORE || undefined);
  if (store === undefined) throw new CliError('migrate needs --store postgres://... (or TNO_STORE)', ExitCode.usage);
  try {
    const r = await migrateStore(store);
    io.stdout.write(r.applied.length ? `store schema ${r.from} -> ${r.to} (applied ${r.applied.join(', ')})\n` : `store schema already at ${r.to}\n`);
    return ExitCode.ok;
  } catch (err) {
    throw new CliError(`migrate: ${(err as Error).message}`, ExitCode.failure, { cause: err });
  }
}
