/**
 * The demo as a library function: the main job of the README, end to end on loopback with fresh
 * state — a printer emulator, a blind intermediary in front of it, the user's trust decision, a
 * signed and sealed multi-page job with a canary string, the rendered pages, and the proof that
 * nothing the intermediary stored contains the canary. Every step is checked: a failed check
 * throws a CliError whose exit status says what kind of failure it was (security, failure,
 * internal). `tno demo` (commands/demo.ts) only parses its arguments and prints what this reports.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encryptedJobAttributes, follow, formatFingerprint, pinPrinter, print, status as jobStatus, TrustStore } from '@trustnoone/client';
import { IppOperation } from '@trustnoone/ipp';
import { httpUpstream, startIntermediary, type RunningIntermediary, type Upstream } from '@trustnoone/intermediary';
import { showFingerprint, startPrinter, type Manifest, type RunningPrinter } from '@trustnoone/printer';
import { certificateToPem, createCertificateAuthority, createIdentity, privateKeyToPem } from '@trustnoone/smime';
import { CliError } from '../command.js';
import { clientCall } from '../commands/client-common.js';
import { ExitCode } from '../exit-codes.js';
import { sampleDocument } from './sample.js';
import { scanTree, type ScanResult } from './scan.js';

/** What the demo found, filled in step by step (a failed step leaves the rest undefined). */
export interface DemoReport {
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

/** One step done: its number, a title line and the lines that explain it. */
export type DemoStepListener = (n: number, title: string, lines: readonly string[]) => void;

export interface DemoOptions {
  /** A fresh, empty directory for the state of the printer, the intermediary and the client. */
  readonly dir: string;
  /** Told of each step as it completes (the CLI prints them). */
  readonly onStep?: DemoStepListener;
}

/** A report with nothing found yet, for `runDemo` to fill in. */
export function newDemoReport(dir: string): DemoReport {
  return { dir, ok: false };
}

/**
 * Runs the demo in `options.dir`, filling `report` as it goes (so a caller still has what was
 * learnt when a step fails), and stops both servers before it returns or throws. Resolves with
 * the report, `ok` true, only when every check passed.
 */
export async function runDemo(options: DemoOptions, report: DemoReport = newDemoReport(options.dir)): Promise<DemoReport> {
  const step = (n: number, title: string, ...lines: string[]): void => options.onStep?.(n, title, lines);
  const paths = { printer: join(options.dir, 'printer'), intermediary: join(options.dir, 'intermediary'), client: join(options.dir, 'client'), docs: join(options.dir, 'documents') };
  let printer: RunningPrinter | undefined;
  let intermediary: RunningIntermediary | undefined;
  // Opened once the spool has been searched, or on any failure: closing the intermediary waits for
  // its forwarder, which would wait forever on a submission held at a closed gate.
  let openGate: () => void = () => undefined;
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
    report.printer = { uri: printer.uri, stateDir: paths.printer, printerUuid: own.printerUuid, fingerprint: formatFingerprint(own.fingerprint) };
    step(1, `printer emulator   ${printer.uri}`, `state: ${paths.printer}`, `accepts only jobs signed by users of the demo site CA`);

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
    step(2, `intermediary       ${intermediary.uri}`, `spools and relays to the printer; holds no key (state: ${paths.intermediary})`);

    // Reading the fingerprint from the printer itself stands for its panel or web page: the
    // out-of-band comparison that makes the pin meaningful (docs/spec-notes.md §3).
    const store = new TrustStore(paths.client);
    // The pin is made for the URI the user prints to (the intermediary), checked against the
    // fingerprint the printer itself shows (docs/decisions.md D23).
    const pinned = await clientCall(() => pinPrinter({ printer: intermediary!.uri }, { store, fingerprint: own.fingerprint }));
    step(3, `trust              printer ${pinned.printerUuid}`, `key fingerprint (SHA-256) ${formatFingerprint(pinned.fingerprint)}`, `matches the printer's own display; pinned in ${paths.client}`);

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
    // Fingerprints as tno shows them everywhere, --json included (issue 15.7).
    report.trust = { kind: submitted.trust!.kind, fingerprint: formatFingerprint(submitted.trust!.fingerprint) };
    report.job = { id: submitted.jobId, state: status.state, reasons: status.stateReasons, encrypted: submitted.encrypted, signed: submitted.signed };
    step(
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
    return report;
  } finally {
    openGate();
    await intermediary?.close().catch(() => undefined);
    await printer?.close().catch(() => undefined);
  }
}
