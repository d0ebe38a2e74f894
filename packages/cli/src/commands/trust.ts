/**
 * tno trust show|pin|forget: the user's trust in printer keys (docs/spec-notes.md §3) — the printer trusted
 * at each URI (docs/decisions.md D23) and trust anchors (site or manufacturer CAs), kept in the
 * state directory.
 */
import { X509Certificate } from 'node:crypto';
import { decideTrust, fingerprintOf, formatFingerprint, isClientError, pinPrinter, printerInfo } from '@trustnoone/client';
import { CliError, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { clientCall, connectionFlags, connectionFrom, parseFlags, readFlagFile, trustStoreFrom, writeJson } from './client-common.js';
import { connectionUsage } from './client-usage.js';
import { displayFingerprint } from '../fingerprint-text.js';
import { terminalSafe } from '../terminal-text.js';

const showUsage = `Usage: tno trust show [--printer URL] [--state DIR] [--json]

Lists the printer trusted at each URI (its printer-uuid and key) and the trust anchors. With
--printer, also fetches that printer's key and says how it would be trusted (verified, pinned,
unknown, elsewhere — trusted only under another URI —, or CHANGED), without pinning anything.

${connectionUsage}
`;

const showCommand: Command = {
  name: 'show',
  summary: 'list pins and anchors; check a printer against them',
  usage: showUsage,
  async run(argv, io) {
    const { values: v, positionals } = parseFlags(argv, connectionFlags);
    if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}' (see tno trust show --help)`, ExitCode.usage);
    const store = trustStoreFrom(v, io);
    const pins = await clientCall(() => store.pins());
    const bindings = await clientCall(() => store.bindings());
    const anchors = (await clientCall(() => store.anchors())).map((a) => ({ subject: a.subject.split('\n').join(', '), fingerprint: fingerprintOf(a), validTo: a.validTo }));
    let printer: Record<string, unknown> | undefined;
    if (v.printer !== undefined || v.destination !== undefined || io.env.TNO_PRINTER) {
      const conn = await connectionFrom(v, io);
      const info = await clientCall(() => printerInfo(conn));
      if (!info.trustnoone || !info.printerUuid || !info.certificatePem) {
        printer = { uri: conn.printer, trustnoone: false };
      } else {
        let decision: string;
        let detail = '';
        let fingerprint = '';
        try {
          const d = await decideTrust(conn.printer, info.printerUuid, info.certificatePem, { store, firstUse: 'refuse', record: false });
          decision = d.kind;
          fingerprint = d.fingerprint;
        } catch (err) {
          if (!isClientError(err)) throw err;
          decision =
            err.code === 'CLIENT_TRUST_KEY_CHANGED'
              ? 'changed'
              : err.code === 'CLIENT_TRUST_FIRST_USE_REFUSED'
                ? 'unknown'
                : err.code === 'CLIENT_TRUST_OTHER_URI'
                  ? 'elsewhere'
                  : 'invalid';
          detail = err.message;
          fingerprint = /fingerprint ([0-9A-F:]{95})/.exec(err.message)?.[1]?.replace(/:/g, '').toLowerCase() ?? '';
          if (!fingerprint) {
            try {
              fingerprint = fingerprintOf(new X509Certificate(info.certificatePem));
            } catch {
              fingerprint = '';
            }
          }
        }
        printer = { uri: conn.printer, trustnoone: true, printerUuid: info.printerUuid, fingerprint, decision, ...(detail ? { detail } : {}) };
      }
    }
    if (v.json) {
      // Fingerprints in the one display form, as the text shows them (issue 15.7).
      const shown = <T extends { fingerprint: string }>(x: T): T => ({ ...x, fingerprint: displayFingerprint(x.fingerprint) });
      writeJson(io, {
        stateDir: store.dir,
        printers: bindings.map(shown),
        pins: Object.fromEntries(Object.entries(pins).map(([uuid, p]) => [uuid, shown(p)])),
        anchors: anchors.map(shown),
        ...(printer ? { printer: { ...printer, fingerprint: printer.fingerprint ? displayFingerprint(String(printer.fingerprint)) : '' } } : {}),
      });
      return ExitCode.ok;
    }
    const out: string[] = [`trust store: ${store.dir}`];
    out.push(bindings.length ? 'trusted printers, by the URI you print to:' : 'no trusted printers');
    for (const b of bindings) out.push(`  ${b.printerUri}  ${b.printerUuid}  ${formatFingerprint(b.fingerprint)}  (${b.how}, ${b.pinnedAt})`);
    const unbound = Object.entries(pins).filter(([, p]) => p.printerUri === undefined);
    if (unbound.length) out.push('pinned printer keys not bound to a URI (bound at the first URI that reaches them):');
    for (const [uuid, p] of unbound) out.push(`  ${uuid}  ${formatFingerprint(p.fingerprint)}  (${p.how}, ${p.pinnedAt})`);
    out.push(anchors.length ? 'trust anchors:' : 'no trust anchors');
    for (const a of anchors) out.push(`  ${a.subject}  ${formatFingerprint(a.fingerprint)}  (until ${a.validTo})`);
    if (printer) {
      if (!printer.trustnoone) out.push(`${String(printer.uri)}: does not support encrypted printing (TRUSTNOONE)`);
      else {
        out.push(`${String(printer.uri)}: printer ${String(printer.printerUuid)}, key ${formatFingerprint(String(printer.fingerprint))}: ${String(printer.decision).toUpperCase()}`);
        if (printer.detail) out.push(`  ${String(printer.detail)}`);
      }
    }
    // Subjects, uuids and details come from certificates and printers: escaped (issue 12 item 7).
    io.stdout.write(`${out.map(terminalSafe).join('\n')}\n`);
    return ExitCode.ok;
  },
};

const pinUsage = `Usage: tno trust pin --printer URL [--fingerprint HEX] [--state DIR] [--json]
       tno trust pin --anchor CA.pem [--state DIR] [--json]

Pins the printer reached at URL now: its printer-uuid and key, for that URL (a URL that later
reaches another printer or key is CHANGED and refused). Read the fingerprint on the printer
itself (its panel or web page) and pass it with --fingerprint: the key is pinned only if it
matches, and only then may it replace a different existing pin. With --anchor, adds a CA whose
certificates, naming a printer's urn:uuid, are trusted without pinning.

${connectionUsage}
      --fingerprint HEX SHA-256 fingerprint of the printer's key, colons optional
      --anchor FILE     add a trust anchor (PEM CA certificate) instead
`;

const pinCommand: Command = {
  name: 'pin',
  summary: "pin a printer's key (or add a trust anchor)",
  usage: pinUsage,
  async run(argv, io) {
    const { values: v, positionals } = parseFlags(argv, { ...connectionFlags, fingerprint: { type: 'string' }, anchor: { type: 'string' } });
    if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}' (see tno trust pin --help)`, ExitCode.usage);
    const store = trustStoreFrom(v, io);
    if (v.anchor !== undefined) {
      if (v.printer !== undefined || v.fingerprint !== undefined) throw new CliError('--anchor stands alone: pin a printer and add an anchor in two commands', ExitCode.usage);
      const pem = (await readFlagFile('anchor', v.anchor, io)).toString('utf8');
      const fp = await clientCall(() => store.addAnchor(pem));
      if (v.json) writeJson(io, { anchor: fp });
      else io.stdout.write(`trust anchor added: ${formatFingerprint(fp)}\n`);
      return ExitCode.ok;
    }
    const conn = await connectionFrom(v, io);
    const r = await clientCall(() => pinPrinter(conn, { store, ...(v.fingerprint !== undefined ? { fingerprint: v.fingerprint } : {}) }));
    if (v.json) writeJson(io, { printerUuid: r.printerUuid, fingerprint: displayFingerprint(r.fingerprint), subject: r.subject, replaced: r.previous ? displayFingerprint(r.previous.fingerprint) : null });
    else {
      io.stdout.write(`pinned printer ${terminalSafe(r.printerUuid)}: ${formatFingerprint(r.fingerprint)}\n`);
      if (v.fingerprint === undefined) io.stderr.write("tno: note: pinned without --fingerprint; compare the fingerprint above with the printer's own display\n");
    }
    return ExitCode.ok;
  },
};

const forgetUsage = `Usage: tno trust forget PRINTER-UUID [--state DIR] [--json]
       tno trust forget --printer URL [--state DIR] [--json]
       tno trust forget --anchor FINGERPRINT [--state DIR] [--json]

Removes a pin (every URL bound to a printer-uuid, or what is trusted at one URL) or a trust
anchor. Nothing is contacted. After forgetting, the URL's next printer is a first use again.

      --printer URL     forget the printer trusted at this URL
      --anchor HEX      remove the trust anchor with this SHA-256 fingerprint
      --state DIR       trust store directory (default $XDG_STATE_HOME/trustnoone)
      --json            machine-readable output
`;

const forgetCommand: Command = {
  name: 'forget',
  summary: 'remove a pin or a trust anchor',
  usage: forgetUsage,
  async run(argv, io) {
    const { values: v, positionals } = parseFlags(argv, { printer: { type: 'string', short: 'p' }, anchor: { type: 'string' }, state: { type: 'string' }, json: { type: 'boolean' } });
    const store = trustStoreFrom(v, io);
    const given = [positionals.length > 0, v.printer !== undefined, v.anchor !== undefined].filter(Boolean).length;
    if (given !== 1 || positionals.length > 1) throw new CliError('give one PRINTER-UUID, or --printer URL, or --anchor FINGERPRINT (see tno trust forget --help)', ExitCode.usage);
    let removed: string[] = [];
    if (v.anchor !== undefined) {
      if (await clientCall(() => store.removeAnchor(v.anchor!))) removed = [v.anchor];
    } else {
      if (positionals[0] !== undefined) {
        if (await clientCall(() => store.forget(positionals[0]!))) removed.push(positionals[0].toLowerCase());
      } else if (await clientCall(() => store.forgetUri(v.printer!))) removed.push(v.printer!);
    }
    if (v.json) writeJson(io, { removed });
    if (removed.length === 0) throw new CliError('nothing to forget: no such pin or anchor (see tno trust show)', ExitCode.failure, { jsonWritten: v.json === true });
    if (!v.json) io.stdout.write(`forgotten: ${removed.join(', ')}\n`);
    return ExitCode.ok;
  },
};

export const trustCommand: Command = {
  name: 'trust',
  summary: 'show, pin and forget printer keys and trust anchors',
  subcommands: [showCommand, pinCommand, forgetCommand],
};
