import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { formatFingerprint, parseOptionStrings, print, type FirstUsePolicy, type JobAttributes, type PrintResult, type TrustCandidate } from '@trustnoone/client';
import { CliError, type Command, type Io } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { JobPhases } from '../job-phases.js';
import { ProgressBar } from '../progress.js';
import { clientCall, connectionFlags, connectionFrom, parseFlags, readFlagFile, trustStoreFrom, writeJson } from './client-common.js';
import { printUsage } from './client-usage.js';
import { terminalSafe } from '../terminal-text.js';
import { displayFingerprint } from '../fingerprint-text.js';


async function askOnTerminal(io: Io, c: TrustCandidate): Promise<boolean> {
  const known = c.knownAt?.length
    ? `The printer ${c.printerUuid} reached at ${c.printerUri} is one you trust at ${c.knownAt.join(', ')}.\n` +
      `A relay at ${c.printerUri} could be steering your job to that printer. Answer yes only if ${c.printerUri} is a genuine way to it (a print server in front of it).\n`
    : `The printer ${c.printerUuid} (${c.printerUri}) is not known yet.\n`;
  io.stderr.write(
    terminalSafe(known) +
      `Its key fingerprint (SHA-256) is\n  ${formatFingerprint(c.fingerprint)}\n` +
      `Compare it with the one the printer shows (its panel or web page). Trust and pin this key? [y/N] `,
  );
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    const line: string = await new Promise((res) => rl.once('line', res).once('close', () => res('')));
    return /^y(es)?$/i.test(line.trim());
  } finally {
    rl.close();
  }
}

function firstUsePolicy(v: { 'trust-on-first-use'?: boolean | undefined; strict?: boolean | undefined }, io: Io): FirstUsePolicy {
  if (v['trust-on-first-use'] && v.strict) throw new CliError('--trust-on-first-use and --strict contradict each other: give one', ExitCode.usage);
  if (v['trust-on-first-use']) return 'accept';
  if (v.strict) return 'refuse';
  const interactive = (io.stdin as NodeJS.ReadStream).isTTY === true && (io.stderr as NodeJS.WriteStream).isTTY === true;
  return interactive ? (c) => askOnTerminal(io, c) : 'refuse';
}

function trustLine(r: PrintResult): string {
  if (!r.trust) return 'NOT encrypted (printed in clear)';
  const fp = formatFingerprint(r.trust.fingerprint);
  const how = r.trust.kind === 'verified' ? `key verified by ${r.trust.anchor}` : r.trust.kind === 'pinned' ? 'key pinned' : 'key trusted on first use';
  // Said only when it is not the classical key the fingerprint is of (--json always says it).
  const key = r.recipientKey && r.recipientKey.protection !== 'classical' ? `; sealed to its ${r.recipientKey.protection} key, ${r.recipientKey.algorithm}` : '';
  return terminalSafe(`encrypted${r.signed ? ' and signed' : ''} to ${r.trust.printerUuid} (${how}, fingerprint ${fp}${key})`);
}

function resultJson(r: PrintResult): unknown {
  return {
    jobId: r.jobId,
    jobUri: r.jobUri ?? null,
    state: r.status?.state ?? 'submitted',
    stateReasons: r.status?.stateReasons ?? [],
    stateMessage: r.status?.stateMessage ?? null,
    impressionsCompleted: r.status?.impressionsCompleted ?? null,
    encrypted: r.encrypted,
    signed: r.signed,
    printerUuid: r.printerUuid ?? null,
    trust: r.trust ? { kind: r.trust.kind, fingerprint: displayFingerprint(r.trust.fingerprint), subject: r.trust.subject } : null,
    keyProtection: r.recipientKey?.protection ?? null,
    keyAlgorithm: r.recipientKey?.algorithm ?? null,
  };
}

export const printCommand: Command = {
  name: 'print',
  summary: 'seal files to a printer and print them (end-to-end encrypted)',
  usage: printUsage,
  async run(argv, io) {
    const { values: v, positionals: files } = parseFlags(argv, {
      ...connectionFlags,
      option: { type: 'string', short: 'o', multiple: true },
      copies: { type: 'string', short: 'n' },
      'sign-key': { type: 'string' },
      'sign-cert': { type: 'string' },
      'trust-on-first-use': { type: 'boolean' },
      strict: { type: 'boolean' },
      'allow-plaintext': { type: 'boolean' },
      'no-wait': { type: 'boolean' },
      'release-pin': { type: 'boolean' },
      'require-pq': { type: 'boolean' },
    });
    const pin = v['release-pin'] ? io.env.TNO_PIN : undefined;
    if (v['release-pin'] && !pin) throw new CliError('--release-pin reads the release code from the TNO_PIN environment variable, which is unset or empty', ExitCode.usage);
    if (files.length === 0) throw new CliError('give at least one FILE to print (see tno print --help)', ExitCode.usage);
    const conn = await connectionFrom(v, io);
    const options = clientCallSync(() => parseOptionStrings(v.option ?? []));
    const jobName = options['job-name']?.[0];
    const format = options['document-format']?.[0];
    delete options['job-name'];
    delete options['document-format'];
    const attributes: Record<string, string[]> = options;
    if (v.copies !== undefined) attributes.copies = [v.copies];
    if ((v['sign-key'] === undefined) !== (v['sign-cert'] === undefined)) throw new CliError('--sign-key and --sign-cert go together', ExitCode.usage);
    const sign =
      v['sign-key'] !== undefined && v['sign-cert'] !== undefined
        ? { privateKey: await readFlagFile('sign-key', v['sign-key'], io), certificate: await readFlagFile('sign-cert', v['sign-cert'], io) }
        : undefined;
    if (files.includes('-')) {
      if (format === undefined) throw new CliError('printing from stdin (-) needs -o document-format=TYPE', ExitCode.usage);
      if (files.filter((f) => f === '-').length > 1) throw new CliError('stdin (-) can be printed once per job', ExitCode.usage);
      if (!v['trust-on-first-use'] && !v.strict) v.strict = true; // stdin is the document: nobody can answer a prompt
    }
    const firstUse = firstUsePolicy(v, io);
    // Unsigned jobs carry the owner's certificate from the state directory when there is one (the
    // identity `tno status --private` uses), binding Get-Encrypted-Job-Attributes to it.
    const identityCert = join(trustStoreFrom(v, io).dir, 'identity', 'cert.pem');
    const ownerCertificate = !sign && existsSync(identityCert) ? await readFile(identityCert, 'utf8') : undefined;
    const bar = new ProgressBar(io);
    const phases = new JobPhases(io, conn.printer);
    const follow = v['no-wait'] !== true && pin === undefined;
    let toldBusy = false;
    const result = await clientCall(() =>
      print({
        ...conn,
        documents: files.map((f) =>
          f === '-' ? { data: io.stdin as Readable, name: 'stdin', format: format! } : { path: resolve(io.cwd, f), ...(format ? { format } : {}) },
        ),
        attributes: attributes as JobAttributes,
        ...(jobName !== undefined ? { jobName } : {}),
        ...(sign ? { sign } : {}),
        ...(ownerCertificate ? { ownerCertificate } : {}),
        trust: { store: trustStoreFrom(v, io), firstUse },
        allowPlaintext: v['allow-plaintext'] === true,
        ...(v['require-pq'] ? { requirePostQuantum: true } : {}),
        wait: follow,
        ...(pin !== undefined ? { pin } : {}),
        onProgress: (p) => {
          if (p.phase === 'upload') bar.update(p.documents > 1 ? `document ${p.document}/${p.documents}` : 'upload', p.bytes, p.totalBytes);
          if (p.phase === 'trust' && p.decision.kind === 'first-use') {
            bar.done();
            io.stderr.write(`tno: warning: trusting printer ${terminalSafe(p.decision.printerUuid)} on first use; its key fingerprint is ${formatFingerprint(p.decision.fingerprint)} — compare it with the printer's own display\n`);
          }
          if (p.phase === 'submitted') {
            bar.done();
            phases.submitted(p.jobId, follow);
          }
          if (p.phase === 'job') phases.status(p.status);
          if (p.phase === 'busy' && p.maxAttempts !== undefined) {
            // HTTP 503: each of the few waits is told, with the server's reason and how long (D39).
            bar.done();
            io.stderr.write(`tno: ${p.reason}; nothing was accepted, waiting ${Math.ceil(p.retryInMs / 1000)} s before sending again (attempt ${p.attempt} of ${p.maxAttempts})\n`);
          } else if (p.phase === 'busy' && !toldBusy) {
            toldBusy = true;
            bar.done();
            io.stderr.write(`tno: the printer is busy with another job (${p.reason}); waiting to submit\n`);
          }
        },
      }),
    );
    if (v.json) writeJson(io, resultJson(result));
    const state = result.status?.state;
    if (!v.json) {
      io.stdout.write(`job ${result.jobId} ${terminalSafe(state ?? '') || (pin !== undefined ? 'submitted, held at the printer until its release code is entered' : 'submitted')}: ${trustLine(result)}\n`);
    }
    if (state === undefined || state === 'completed') return ExitCode.ok;
    const reasons = result.status!.stateReasons.filter((r) => r !== 'none');
    const security = reasons.some((r) => r === 'document-security-error' || r === 'document-password-error');
    const why = security
      ? ': the printer could not verify the sealed job — it was tampered with, replayed, or sealed to another key'
      : result.status!.stateMessage
        ? `: ${result.status!.stateMessage.replace(/\s+/g, ' ').slice(0, 200)}`
        : '';
    throw new CliError(`job ${result.jobId} ${state}${reasons.length ? ` (${reasons.join(', ')})` : ''}${why}`, security ? ExitCode.security : ExitCode.failure, { jsonWritten: v.json === true });
  },
};

function clientCallSync<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new CliError((err as Error).message, ExitCode.usage, { cause: err });
  }
}
