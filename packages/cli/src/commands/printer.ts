import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatFingerprint } from '@trustnoone/client';
import { DEFAULTS, PIN_REPERTOIRES, RENDER_FORMATS, RENDER_SANDBOX_MODES, type RenderSandboxMode, closeOnSignals, loadOrCreateTlsCredentials, showFingerprint, startPrinter, startProxy, stateLayout, type KeyAlgorithm, type PinRepertoire, type StartOptions } from '@trustnoone/printer';
import { DEFAULT_BODY_IDLE_TIMEOUT_MS } from '@trustnoone/ipp-http';
import { bodyIdleTimeoutMs } from './http-limits.js';
import { oauthServerFlags, oauthServerOptions, oauthServerUsage } from './oauth-server-flags.js';
import { proxyOAuthFlags, proxyOAuthCredentials, proxyOAuthUsage } from './proxy-oauth-flags.js';
import { CliError, type Command, type Io } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { PANEL_SOCKET, panelUsage, runPanel } from './printer-panel.js';
import { printerAdminUsage, runPrinterAdmin } from './printers.js';
import { readFlagText } from '../flag-file.js';
import { usableStateDir } from '../state-dir.js';

const usage = `Usage: tno printer [options]
       tno printer --show-fingerprint [--state DIR] [--json]
       tno printer --show-tls-fingerprint [--state DIR]
${panelUsage}
${printerAdminUsage}

Runs the IPP Everywhere printer emulator, a TRUSTNOONE endpoint: it opens sealed jobs, verifies
them and renders pages into STATE/jobs/<id>/pages. Formats it renders (sealed or in clear):
${RENDER_FORMATS.join(', ')}. Prints the URI it serves as its first line;
SIGTERM or SIGINT shuts it down cleanly.

  --state DIR             state directory (default $XDG_STATE_HOME/trustnoone/printer)
  --port N                port (default ${DEFAULTS.port}; 0 picks a free one)
  --host ADDR             listen address (default 127.0.0.1)
  --tls                   serve ipps with a certificate generated on first start
  --name NAME             printer-name (default ${DEFAULTS.name})
  --require-encryption    refuse cleartext jobs
${oauthServerUsage('printer')} (needs --tls)
  --require-signature     refuse sealed jobs not signed by a certificate chaining to --trust
  --trust FILE            PEM CA certificate(s) signatures are verified against; repeatable
  --allow-sha1-kdf        accept sealed jobs whose ECDH uses the SHA-1 KDF (openssl cms's
                          default); refused otherwise
  --key-algorithm ALG     printer key generated on first start: p256 (default), x25519 or rsa
  --ca-cert FILE          issue the printer certificate from this CA certificate ...
  --ca-key FILE           ... and its private key (default: self-signed)
  --post-quantum ALG      also hold and advertise a post-quantum key, after the classical one:
                          x25519-ml-kem-768 (hybrid: both keys must be broken), ml-kem-768 or
                          ml-kem-1024; issued by --ca-cert or the printer's local issuer
  --job-history SECONDS   how long ended jobs stay visible (default 3600)
  --max-document-bytes N  largest document accepted (default 1 GiB)
  --body-idle-timeout SECONDS  cut off an upload that sends nothing for this long
                          (default ${DEFAULT_BODY_IDLE_TIMEOUT_MS / 1000})
  --proxy URL             also pull jobs from an Infrastructure Printer (tno intermediary --infra
                          queue URI, PWG 5100.18); works behind NAT, no inbound connection needed
  --proxy-user NAME       device account at the Infrastructure Printer; password from the
                          TNO_PROXY_PASSWORD environment variable (never on the command line)
  --proxy-ca FILE         PEM CA certificate(s) to verify an ipps Infrastructure Printer with
  --proxy-pin HEX         SHA-256 fingerprint of its TLS certificate (pinning)
${proxyOAuthUsage}
  --pool-ledger URL       this printer is one member of an INFRA pool (printers sharing one key
                          and printer-uuid behind one --proxy queue): claim each job at the pool
                          ledger (tno pool-ledger) before taking it, so no two members print it;
                          a job another member took is refused, and none is printed while the
                          ledger does not answer (docs/decisions.md D32)
  --pool-ca FILE          PEM CA certificate the ledger's TLS certificate chains to
  --pool-cert FILE        this member's own client certificate (PEM) for the ledger: one per
  --pool-key FILE         member, never copied between members; and its private key
  --pin-repertoire KW     PIN release: the repertoire release codes are drawn from
                          (iana_us-ascii_digits (default), iana_us-ascii_any, iana_utf-8_any),
                          or none to refuse jobs behind a release code
  --pin-attempts N        wrong release codes before a held job is aborted (default 5)
  --pin-hold SECONDS      how long a held job waits for its code before it is aborted and
                          deleted (default 86400)
  --render-jobs N         jobs rendered at once, each in its own sandboxed process (default:
                          the number of cores)
  --render-user NAME      when started as root, the unprivileged account renderers run as
                          (default nobody)
  --render-sandbox MODE   auto (default: bubblewrap where it works, required as root), require,
                          or none (no file-system sandbox, renderers keep the printer's uid)
  --no-dnssd              do not advertise by DNS-SD (default: advertised through the host's
                          Avahi daemon as _ipp._tcp/_ipps._tcp when --host is not loopback)
  --dnssd                 advertise even on a loopback address (local discovery, tests)
  --show-fingerprint      print the SHA-256 fingerprint of the printer certificate (its TRUSTNOONE
                          key, which users compare when pinning) and exit
  --show-tls-fingerprint  print the SHA-256 fingerprint of its ipps TLS certificate (what an
                          intermediary's --upstream-pin takes), made now if --tls has not yet, and exit
  --json                  machine-readable output (with --show-fingerprint)

held lists the jobs waiting for their release code; release enters one (read from TNO_PIN,
never a flag) for a job, as at the printer's panel: through the running printer's socket
STATE/panel.sock, never over the network.

  --verbose               log every request too (pino JSON on stderr; refused sealed jobs are
                          always logged there with the check that failed; never keys or document bytes)
`;

function stateDefault(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'trustnoone', 'printer');
}

function positiveInt(flag: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new CliError(`--${flag} ${value}: expected an integer >= ${min}`, ExitCode.usage);
  return n;
}

export const printerCommand: Command = {
  name: 'printer',
  summary: 'run the printer emulator (IPP Everywhere, TRUSTNOONE endpoint)',
  usage,
  async run(argv, io: Io) {
    if (argv[0] === 'held' || argv[0] === 'release') return runPanel(argv[0], argv.slice(1), io, stateDefault(io.env));
    if (argv[0] === 'add' || argv[0] === 'remove') return runPrinterAdmin(argv[0], argv.slice(1), io);
    let v;
    try {
      ({ values: v } = parseArgs({
        args: [...argv],
        options: {
          state: { type: 'string' },
          port: { type: 'string' },
          host: { type: 'string' },
          tls: { type: 'boolean' },
          name: { type: 'string' },
          'require-encryption': { type: 'boolean' },
          'require-signature': { type: 'boolean' },
          'allow-sha1-kdf': { type: 'boolean' },
          trust: { type: 'string', multiple: true },
          'key-algorithm': { type: 'string' },
          'post-quantum': { type: 'string' },
          'ca-cert': { type: 'string' },
          'ca-key': { type: 'string' },
          'job-history': { type: 'string' },
          'max-document-bytes': { type: 'string' },
          'body-idle-timeout': { type: 'string' },
          'show-fingerprint': { type: 'boolean' },
          'show-tls-fingerprint': { type: 'boolean' },
          proxy: { type: 'string' },
          'pool-ledger': { type: 'string' },
          'pool-ca': { type: 'string' },
          'pool-cert': { type: 'string' },
          'pool-key': { type: 'string' },
          'proxy-user': { type: 'string' },
          'proxy-ca': { type: 'string' },
          'proxy-pin': { type: 'string' },
          ...proxyOAuthFlags,
          ...oauthServerFlags,
          'pin-repertoire': { type: 'string' },
          'pin-attempts': { type: 'string' },
          'pin-hold': { type: 'string' },
          'render-jobs': { type: 'string' },
          'render-user': { type: 'string' },
          'render-sandbox': { type: 'string' },
          json: { type: 'boolean' },
          verbose: { type: 'boolean' },
          dnssd: { type: 'boolean' },
          'no-dnssd': { type: 'boolean' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      throw new CliError(`${(err as Error).message} (see 'tno printer --help')`, ExitCode.usage);
    }
    const stateDir = v.state ?? stateDefault(io.env);
    const algorithm = v['key-algorithm'] ?? 'p256';
    if (!['p256', 'x25519', 'rsa'].includes(algorithm)) throw new CliError(`--key-algorithm ${algorithm}: expected p256, x25519 or rsa`, ExitCode.usage);
    if ((v['ca-cert'] === undefined) !== (v['ca-key'] === undefined)) throw new CliError('--ca-cert and --ca-key go together', ExitCode.usage);
    const issuer =
      v['ca-cert'] && v['ca-key'] ? { certificatePem: await readFlagText('ca-cert', v['ca-cert']), privateKeyPem: await readFlagText('ca-key', v['ca-key']) } : undefined;
    const pqNames: Record<string, 'mlkem768-x25519' | 'ml-kem-768' | 'ml-kem-1024'> = { 'x25519-ml-kem-768': 'mlkem768-x25519', 'ml-kem-768': 'ml-kem-768', 'ml-kem-1024': 'ml-kem-1024' };
    const postQuantum = v['post-quantum'] === undefined ? undefined : pqNames[v['post-quantum']];
    if (v['post-quantum'] !== undefined && !postQuantum) throw new CliError(`--post-quantum ${v['post-quantum']}: expected ${Object.keys(pqNames).join(', ')}`, ExitCode.usage);
    const keyOptions = { keyAlgorithm: algorithm as KeyAlgorithm, ...(issuer ? { issuer } : {}), ...(postQuantum ? { postQuantum } : {}) };

    await usableStateDir(stateDir);
    if (v['show-fingerprint']) {
      const info = await showFingerprint({ stateDir, ...keyOptions }).catch((err: Error) => {
        throw new CliError(`cannot read the printer key store in ${stateDir}: ${err.message}`, ExitCode.failure, { cause: err });
      });
      // One fingerprint format everywhere, text and JSON (AB:CD:..., issue 15.7).
      const { fingerprintFormatted: _same, ...rest } = info;
      io.stdout.write(v.json ? `${JSON.stringify({ ...rest, fingerprint: formatFingerprint(info.fingerprint) })}\n` : `${formatFingerprint(info.fingerprint)}\n`);
      return ExitCode.ok;
    }

    if (v['show-tls-fingerprint']) {
      const layout = stateLayout(stateDir);
      await mkdir(layout.keys, { recursive: true, mode: 0o700 });
      await mkdir(layout.certs, { recursive: true });
      const tls = await loadOrCreateTlsCredentials(layout, v.host ?? '127.0.0.1').catch((err: Error) => {
        throw new CliError(`cannot read or make the TLS certificate in ${stateDir}: ${err.message}`, ExitCode.failure, { cause: err });
      });
      io.stdout.write(v.json ? `${JSON.stringify({ tlsFingerprint: formatFingerprint(tls.fingerprint) })}\n` : `${formatFingerprint(tls.fingerprint)}\n`);
      return ExitCode.ok;
    }

    if (v.dnssd && v['no-dnssd']) throw new CliError('--dnssd and --no-dnssd contradict each other', ExitCode.usage);
    if (v['require-signature'] && (v.trust ?? []).length === 0) {
      throw new CliError('--require-signature needs at least one --trust CA.pem to verify signatures against', ExitCode.usage);
    }
    const port = v.port === undefined ? DEFAULTS.port : Number(v.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port ${v.port}: expected 0..65535`, ExitCode.usage);
    const trustAnchorsPem = await Promise.all((v.trust ?? []).map((f) => readFlagText('trust', f)));
    const history = positiveInt('job-history', v['job-history'], 0);
    const maxDoc = positiveInt('max-document-bytes', v['max-document-bytes']);
    const pinAttempts = positiveInt('pin-attempts', v['pin-attempts']);
    const pinHold = positiveInt('pin-hold', v['pin-hold']);
    const pinRepertoire = v['pin-repertoire'];
    if (pinRepertoire !== undefined && pinRepertoire !== 'none' && !(PIN_REPERTOIRES as readonly string[]).includes(pinRepertoire)) {
      throw new CliError(`--pin-repertoire ${pinRepertoire}: expected ${PIN_REPERTOIRES.join(', ')} or none`, ExitCode.usage);
    }
    const oauth = oauthServerOptions(v, `${v.tls ? 'ipps' : 'ipp'}://${v.host ?? '127.0.0.1'}:${port}/ipp/print`);
    // Bearer tokens travel only over TLS: a token read on the wire is a key to the printer until it expires.
    if (oauth && !v.tls) throw new CliError('--oauth-issuer needs --tls (access tokens are accepted over TLS only)', ExitCode.usage);
    const proxyAuth = await proxyOAuthCredentials(v, io);
    const renderJobs = positiveInt('render-jobs', v['render-jobs']);
    const renderSandbox = v['render-sandbox'];
    if (renderSandbox !== undefined && !(RENDER_SANDBOX_MODES as readonly string[]).includes(renderSandbox)) {
      throw new CliError(`--render-sandbox ${renderSandbox}: expected ${RENDER_SANDBOX_MODES.join(', ')}`, ExitCode.usage);
    }
    const poolFlags = (['pool-ledger', 'pool-ca', 'pool-cert', 'pool-key'] as const).filter((f) => v[f] !== undefined);
    if (poolFlags.length > 0 && poolFlags.length < 4) throw new CliError('--pool-ledger, --pool-ca, --pool-cert and --pool-key go together', ExitCode.usage);
    if (v['pool-ledger'] !== undefined && !/^https:\/\/[^/]+/.test(v['pool-ledger'])) throw new CliError(`--pool-ledger ${v['pool-ledger']}: expected an https:// URL (tno pool-ledger prints it)`, ExitCode.usage);
    const poolLedger =
      v['pool-ledger'] !== undefined
        ? { url: v['pool-ledger'], ca: await readFlagText('pool-ca', v['pool-ca']!), cert: await readFlagText('pool-cert', v['pool-cert']!), key: await readFlagText('pool-key', v['pool-key']!) }
        : undefined;
    const options: StartOptions = {
      stateDir,
      ...(poolLedger ? { poolLedger } : {}),
      ...(renderJobs !== undefined ? { renderConcurrency: renderJobs } : {}),
      ...(v['render-user'] !== undefined ? { renderUser: v['render-user'] } : {}),
      ...(renderSandbox !== undefined ? { renderSandbox: renderSandbox as RenderSandboxMode } : {}),
      port,
      ...(v.host ? { host: v.host } : {}),
      ...(v.tls ? { tls: true } : {}),
      ...(v.name ? { name: v.name } : {}),
      requireEncryption: v['require-encryption'] ?? false,
      requireSignature: v['require-signature'] ?? false,
      allowSha1Kdf: v['allow-sha1-kdf'] ?? false,
      trustAnchorsPem,
      ...keyOptions,
      ...(history !== undefined ? { jobHistoryMs: history * 1000 } : {}),
      ...(maxDoc !== undefined ? { maxDocumentBytes: maxDoc } : {}),
      ...bodyIdleTimeoutMs(v['body-idle-timeout']),
      ...(pinAttempts !== undefined ? { pinAttempts } : {}),
      ...(pinHold !== undefined ? { pinHoldMs: pinHold * 1000 } : {}),
      ...(pinRepertoire !== undefined ? { pinRepertoire: pinRepertoire as PinRepertoire | 'none' } : {}),
      panelSocket: join(stateDir, PANEL_SOCKET),
      ...(oauth ? { oauth } : {}),
      ...(v['no-dnssd'] ? { dnssd: false } : v.dnssd ? { dnssd: true } : {}),
      // Warnings (a refused sealed job and the exact check it failed) always reach the local log;
      // --verbose adds every request.
      logger: { level: v.verbose ? 'info' : 'warn', stream: io.stderr, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    };
    let running;
    try {
      running = await startPrinter(options);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'EADDRINUSE' ? `port ${port} is in use (try --port 0)` : e.message;
      throw new CliError(`cannot start the printer: ${why}`, ExitCode.failure, { cause: err });
    }
    // First line of output: the URI (docs/architecture.md); scripts and tests read it.
    io.stdout.write(`${running.uri}\n`);
    io.stdout.write(`state ${stateDir}\nprinter-uuid urn:uuid:${running.printer.uuid}\nfingerprint ${formatFingerprint(running.printer.keys.fingerprint)}\n`);
    // What an intermediary pins with --upstream-pin (the TLS certificate, not the TRUSTNOONE key).
    if (running.tlsFingerprint) io.stdout.write(`tls-fingerprint ${formatFingerprint(running.tlsFingerprint)}\n`);
    if (v.proxy !== undefined) {
      if (!/^ipps?:\/\/[^/]+/.test(v.proxy)) throw new CliError(`--proxy ${v.proxy}: expected an ipp:// or ipps:// URI`, ExitCode.usage);
      const password = io.env.TNO_PROXY_PASSWORD;
      if (v['proxy-user'] !== undefined && !password) throw new CliError('--proxy-user needs the password in TNO_PROXY_PASSWORD', ExitCode.usage);
      if (v['proxy-user'] !== undefined && proxyAuth) throw new CliError('--proxy-user and --proxy-oauth-issuer exclude each other (one device account)', ExitCode.usage);
      const ca = v['proxy-ca'] ? await readFlagText('proxy-ca', v['proxy-ca']) : undefined;
      const proxy = await startProxy(running.printer, {
        url: v.proxy,
        ...(v['proxy-user'] !== undefined && password ? { auth: { user: v['proxy-user'], password } } : proxyAuth ? { auth: proxyAuth } : {}),
        ...(ca || v['proxy-pin'] ? { tls: { ...(ca ? { ca } : {}), ...(v['proxy-pin'] ? { pinSha256: v['proxy-pin'] } : {}) } } : {}),
      });
      io.stdout.write(`proxy ${v.proxy} output-device-uuid ${proxy.deviceUuid}\n`);
      await closeOnSignals({ ...running, close: async () => (await proxy.stop(), await running.close()) });
      return ExitCode.ok;
    }
    await closeOnSignals(running);
    return ExitCode.ok;
  },
};
