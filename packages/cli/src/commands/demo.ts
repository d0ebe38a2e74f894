/**
 * tno demo: the main job of the README, end to end on loopback with fresh state — a printer
 * emulator, a blind intermediary in front of it, the user's trust decision, a signed and sealed
 * multi-page job with a canary string, the rendered pages, and the proof that nothing the
 * intermediary stored contains the canary. Every step is checked; any failure exits non-zero.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encryptedJobAttributes, follow, formatFingerprint, pinPrinter, print, status as jobStatus, TrustStore } from '@trustnoone/client';
import { IppOperation } from '@trustnoone/ipp';
import { httpUpstream, startIntermediary, type RunningIntermediary, type Upstream } from '@trustnoone/intermediary';
import { showFingerprint, startPrinter, type Manifest, type RunningPrinter } from '@trustnoone/printer';
import { certificateToPem, createCertificateAuthority, createIdentity, privateKeyToPem } from '@trustnoone/smime';
import { CliError, type Command, type Io } from '../command.js';
import { sampleDocument } from '../demo/sample.js';
import { scanTree, type ScanResult } from '../demo/scan.js';
import { ExitCode } from '../exit-codes.js';
import { clientCall, parseFlags, writeJson } from './client-common.js';
import { displayFingerprint } from '../fingerprint-text.js';

const usage = `Usage: tno demo [--dir DIR] [--clean] [--json]

Starts a printer emulator and an intermediary on 127.0.0.1 (free ports) with fresh state, trusts
the printer (showing its key fingerprint), prints a signed, sealed multi-page sample document
containing a canary string through the intermediary, waits for completion, shows where the
rendered pages are, and scans everything the intermediary stored for the canary. Exits 0 only if
every step succeeded and the canary was found nowhere in the intermediary's state.

      --dir DIR   where to put the state (default: a new directory under the system temp dir)
      --clean     remove the state directory at the end (the rendered pages with it)
      --json      one JSON report on stdout instead of the step-by-step text
`;

interface Report {
  dir: string;
  printer?: { uri: string; stateDir: string; printerUuid: string; fingerprint: string };
  intermediary?: { uri: string; stateDir: string };
  trust?: { kind: string; fingerprint: string };
  job?: { id: number; state: string; reasons: readonly string[]; encrypted: boolean; signed: boolean };
  pages?: { dir: string; files: string[]; manifest: string; signer: string | null; signerTrust: string | null };
  names?: { atIntermediary: string | null; sealedForOwner: string | null };
  scan?: { canary: string; whileSpooled: ScanResult; afterDelivery: ScanResult; controlHits: number };
  ok: boolean;
}

function step(io: Io, json: boolean, n: number, title: string, ...lines: string[]): void {
  if (json) return;
  io.stdout.write(`${String(n).padStart(2)}. ${title}\n${lines.map((l) => `      ${l}\n`).join('')}`);
}

/** What the printer recorded about the signature ('untrusted': valid, but no anchor vouches for the signer). */
function signerLine(m: Manifest): string {
  const signer = m.signer;
  if (!signer || signer.trust === 'unsigned') return 'the job was not signed';
  if (signer.trust === 'verified') return `signature by ${signer.subject ?? '?'} verified, chaining to a trust anchor of the printer`;
  return `signature by ${signer.subject ?? '?'} verified; the printer has no trust anchor for this signer (start it with --trust CA.pem to require one)`;
}

/**
 * The printer's job directory holding the finished job: fresh state means exactly one job. The
 * printer reports a job completed a moment before its manifest is on disk, so a missing manifest is
 * waited for (briefly) rather than taken as a failure.
 */
async function renderedJob(printerState: string, waitMs = 10_000): Promise<{ dir: string; manifest: Manifest }> {
  const jobsDir = join(printerState, 'jobs');
  const until = Date.now() + waitMs;
  for (;;) {
    const ids = (await readdir(jobsDir)).filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(b) - Number(a));
    for (const id of ids) {
      const dir = join(jobsDir, id);
      try {
        return { dir, manifest: JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest };
      } catch {
        continue;
      }
    }
    if (Date.now() > until) throw new CliError(`the printer wrote no job manifest under ${jobsDir}`, ExitCode.failure);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run a printer and an intermediary on loopback and print a sealed job end to end',
  usage,
  async run(argv, io) {
    const { values: v, positionals } = parseFlags(argv, { dir: { type: 'string' }, clean: { type: 'boolean' }, json: { type: 'boolean' } });
    if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}' (see tno demo --help)`, ExitCode.usage);
    const json = v.json === true;
    const dir = v.dir !== undefined ? resolve(io.cwd, v.dir) : await mkdtemp(join(tmpdir(), 'tno-demo-'));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (v.dir !== undefined && (await readdir(dir)).length > 0) throw new CliError(`--dir ${v.dir} is not empty: the demo needs fresh state`, ExitCode.usage);
    const report: Report = { dir, ok: false };
    const paths = { printer: join(dir, 'printer'), intermediary: join(dir, 'intermediary'), client: join(dir, 'client'), docs: join(dir, 'documents') };
    let printer: RunningPrinter | undefined;
    let intermediary: RunningIntermediary | undefined;
    // Opened once the spool has been searched, or on any failure: closing the intermediary waits for
    // its forwarder, which would wait forever on a submission held at a closed gate.
    let openGate: () => void = () => undefined;
    if (!json) io.stdout.write(`trustnoone demo: end-to-end encrypted printing through a blind intermediary\n   state in ${dir}\n\n`);
    try {
      // A site CA vouches for the users; the printer requires jobs signed by someone it issued.
      const siteCa = createCertificateAuthority({ commonName: 'demo site CA' });
      printer = await startPrinter({
        stateDir: paths.printer,
        port: 0,
        logger: false,
        requireSignature: true,
        trustAnchorsPem: [certificateToPem(siteCa.certificate)],
      });
      const own = await showFingerprint({ stateDir: paths.printer });
      report.printer = { uri: printer.uri, stateDir: paths.printer, printerUuid: own.printerUuid, fingerprint: displayFingerprint(own.fingerprint) };
      step(io, json, 1, `printer emulator   ${printer.uri}`, `state: ${paths.printer}`, `accepts only jobs signed by users of the demo site CA`);

      // Submissions wait at this gate until the spool has been searched, so the search sees the
      // sealed job as the intermediary stored it (it deletes the blob once delivered).
      const gate = new Promise<void>((r) => (openGate = r));
      const direct = httpUpstream({ uri: printer.uri });
      const gated: Upstream = {
        uri: direct.uri,
        send: async (message, data) => {
          if (message.code === IppOperation.printJob || message.code === IppOperation.createJob || message.code === IppOperation.sendDocument) await gate;
          return direct.send(message, data);
        },
      };
      intermediary = await startIntermediary({
        stateDir: paths.intermediary,
        port: 0,
        upstreams: [gated],
        handleSignals: false,
        announce: () => undefined,
        logger: false,
      });
      report.intermediary = { uri: intermediary.uri, stateDir: paths.intermediary };
      step(io, json, 2, `intermediary       ${intermediary.uri}`, `spools and relays to the printer; holds no key (state: ${paths.intermediary})`);

      // Reading the fingerprint from the printer itself stands for its panel or web page: the
      // out-of-band comparison that makes the pin meaningful (docs/spec-notes.md §3).
      const store = new TrustStore(paths.client);
      // The pin is made for the URI the user prints to (the intermediary), checked against the
      // fingerprint the printer itself shows (docs/decisions.md D23).
      const pinned = await clientCall(() => pinPrinter({ printer: intermediary!.uri }, { store, fingerprint: own.fingerprint }));
      step(io, json, 3, `trust              printer ${pinned.printerUuid}`, `key fingerprint (SHA-256) ${formatFingerprint(pinned.fingerprint)}`, `matches the printer's own display; pinned in ${paths.client}`);

      const sample = sampleDocument(3);
      await mkdir(paths.docs, { recursive: true });
      const samplePath = join(paths.docs, 'salaries.txt');
      await writeFile(samplePath, sample.text);
      // P-256: the same key signs the job and receives the sealed job attributes (ECDH).
      const user = createIdentity({ commonName: 'demo user', algorithm: 'p256', ca: siteCa });
      const submitted = await clientCall(() =>
        print({
          printer: intermediary!.uri,
          userName: 'demo',
          documents: [{ path: samplePath, format: 'text/plain' }],
          jobName: 'Quarterly salaries',
          attributes: { copies: 1 },
          sign: { certificate: certificateToPem(user.certificate), privateKey: privateKeyToPem(user.privateKey) },
          // Through the intermediary, the key must be the one pinned with the printer's own fingerprint.
          trust: { store, firstUse: 'refuse' },
          wait: false,
        }),
      );
      // The intermediary has acknowledged (so committed) the job and holds it: search its state now.
      const whileSpooled = await scanTree(paths.intermediary, sample.canary);
      openGate();
      const status = await clientCall(() => follow({ printer: intermediary!.uri, userName: 'demo' }, submitted.jobId, { timeoutMs: 120_000 }));
      report.trust = { kind: submitted.trust!.kind, fingerprint: displayFingerprint(submitted.trust!.fingerprint) };
      report.job = { id: submitted.jobId, state: status.state, reasons: status.stateReasons, encrypted: submitted.encrypted, signed: submitted.signed };
      step(
        io,
        json,
        4,
        `print              ${samplePath} (${sample.pages} pages, canary ${sample.canary})`,
        `signed by "demo user" (issued by the demo site CA), sealed to the pinned key, sent through the intermediary`,
        `job ${submitted.jobId}: ${status.state} (${status.stateReasons.join(', ')})`,
      );
      if (status.state !== 'completed') throw new CliError(`the demo job ended ${status.state} (${status.stateReasons.join(', ')})${status.stateMessage ? `: ${status.stateMessage}` : ''}`, ExitCode.failure);

      const rendered = await renderedJob(paths.printer);
      const pagesDir = join(rendered.dir, 'pages');
      const files = rendered.manifest.pages.map((p) => resolve(rendered.dir, p));
      report.pages = {
        dir: pagesDir,
        files,
        manifest: join(rendered.dir, 'manifest.json'),
        signer: rendered.manifest.signer?.subject ?? null,
        signerTrust: rendered.manifest.signer?.trust ?? null,
      };
      step(
        io,
        json,
        5,
        `rendered pages     ${pagesDir}`,
        ...files.map((f) => f),
        `manifest: ${join(rendered.dir, 'manifest.json')}`,
        signerLine(rendered.manifest),
      );
      if (rendered.manifest.signer?.trust !== 'verified') throw new CliError(`the printer did not verify the job's signature against its trust anchor (${rendered.manifest.signer?.trust ?? 'no signer'})`, ExitCode.security);
      if (rendered.manifest.pageCount < sample.pages || files.length < sample.pages) {
        throw new CliError(`the printer rendered ${rendered.manifest.pageCount} pages, expected ${sample.pages}`, ExitCode.failure);
      }

      // What the relay knows about the job, and what its owner can still learn through it.
      const relayView = await clientCall(() => jobStatus({ printer: intermediary!.uri, userName: 'demo' }, submitted.jobId));
      const sealedView = await clientCall(() =>
        encryptedJobAttributes({ printer: intermediary!.uri, userName: 'demo' }, submitted.jobId, {
          certificate: certificateToPem(user.certificate),
          privateKey: privateKeyToPem(user.privateKey),
          trust: { store },
          requested: ['job-name', 'copies'],
        }),
      );
      const sealedName = sealedView.attributes.find((a) => a.name === 'job-name')?.values[0];
      report.names = { atIntermediary: relayView.jobName ?? null, sealedForOwner: sealedName && 'value' in sealedName ? String(sealedName.value) : null };
      step(
        io,
        json,
        6,
        `job name           the intermediary knows the job as "${report.names.atIntermediary ?? ''}"`,
        `asked with the owner's certificate (Get-Encrypted-Job-Attributes), the printer answers, sealed`,
        `to the owner and relayed unread: "${report.names.sealedForOwner ?? ''}" (signed by ${sealedView.signer})`,
      );
      if (report.names.sealedForOwner !== 'Quarterly salaries') throw new CliError('the sealed job attributes did not carry the job name', ExitCode.failure);

      // Stop the intermediary so nothing is still being written while its state is searched again.
      await intermediary.close();
      intermediary = undefined;
      const afterDelivery = await scanTree(paths.intermediary, sample.canary);
      // The same search over the sample itself must find it: a zero above means something.
      const control = await scanTree(samplePath, sample.canary);
      report.scan = { canary: sample.canary, whileSpooled, afterDelivery, controlHits: control.hits.length };
      step(
        io,
        json,
        7,
        `proof              searched everything the intermediary stored for ${sample.canary}`,
        `while it held the job:  ${whileSpooled.filesScanned} files, ${whileSpooled.bytesScanned} bytes (largest ${whileSpooled.largestFile} bytes, the sealed document): ${whileSpooled.hits.length} hits`,
        `after delivery:         ${afterDelivery.filesScanned} files, ${afterDelivery.bytesScanned} bytes: ${afterDelivery.hits.length} hits`,
        `(the same search finds it in the sample document: ${control.hits.length} hit)`,
      );
      if (control.hits.length !== 1) throw new CliError('the canary search could not find the canary in the sample document itself; the proof is void', ExitCode.internal);
      // The sealed document is larger than the plaintext: a smaller largest file means the spool
      // did not hold the job when it was searched.
      if (whileSpooled.largestFile < sample.text.length) throw new CliError(`the intermediary's spool did not hold the sealed document when searched; the proof is void`, ExitCode.failure);
      const hits = [...whileSpooled.hits, ...afterDelivery.hits];
      if (hits.length > 0) throw new CliError(`the canary was found in the intermediary's state: ${[...new Set(hits)].join(', ')}`, ExitCode.security);
      report.ok = true;
      if (json) writeJson(io, report);
      else {
        io.stdout.write(`\nOK: the intermediary stored and relayed the job without being able to read it.\n`);
        if (!v.clean) io.stdout.write(`The state is kept in ${dir} (remove it with: rm -rf ${dir})\n`);
      }
      return ExitCode.ok;
    } catch (err) {
      if (json) writeJson(io, report);
      throw err;
    } finally {
      openGate();
      await intermediary?.close().catch(() => undefined);
      await printer?.close().catch(() => undefined);
      if (v.clean) await rm(dir, { recursive: true, force: true });
    }
  },
};
