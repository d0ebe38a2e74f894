import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { conforms, runConformance, summaryLine, toHtml, toJson, toMarkdown, type Report, type RunOptions, type TestResult } from '@trustnoone/conformance';
import { CliError, type Command, type Io } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { terminalSafe } from '../terminal-text.js';

const usage = `Usage: tno conformance URL --role printer|intermediary|infrastructure [options]

Runs the conformance suites (RFC 8011, PWG 5100.14, TRUSTNOONE, INFRA) against the printer,
intermediary or INFRA Infrastructure Printer at URL (ipp://, ipps://, http://, https://). Prints one line per test and the summary
line "N passed, N failed, N skipped"; exits 1 when a REQUIRED test fails, 5 when URL cannot be
reached. The target receives real jobs: run it against test devices.

  --role ROLE             printer (default), intermediary, or infrastructure (PWG 5100.18: the
                          suite plays an output device with --auth as its device account)
  --printer-direct URL    the printer behind an intermediary, reached directly (key relay checks)
  --system-uri URL        infrastructure role: the System object devices register with
                          (default: URL with the path /ipp/system)
  --report FILE           write the report: JSON if FILE ends in .json, HTML if .html or .htm,
                          Markdown otherwise
  --json                  print the JSON report on stdout instead of progress lines
  --only PREFIX           run only tests whose id starts with PREFIX (and those they depend on); repeatable
  --user NAME             requesting-user-name of the main user (default conformance)
  --other-user NAME       the second user of the ownership tests (default conformance-other)
  --auth USER:PASS        HTTP Basic credentials of the main user
  --other-auth USER:PASS  HTTP Basic credentials of the second user
  --ca FILE               PEM CA certificate(s) to verify an ipps target with
  --pin SHA256            accept the ipps target's TLS certificate with this SHA-256 fingerprint
  --insecure              accept any TLS certificate (test benches only)
  --job-timeout SECONDS   how long a job may take to finish (default 30)
  --restart-command CMD   printer role: a shell command that restarts the printer cleanly (same
                          state, same URL); enables the restart test of trustnoone-hostile-relay
`;

function credentials(flag: string, value: string | undefined): { user: string; password: string } | undefined {
  if (value === undefined) return undefined;
  const i = value.indexOf(':');
  if (i <= 0) throw new CliError(`--${flag}: expected USER:PASSWORD`, ExitCode.usage);
  return { user: value.slice(0, i), password: value.slice(i + 1) };
}

const MARK: Record<TestResult['outcome'], string> = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' };

function progressLine(r: TestResult): string {
  const why = r.reason ? ` — ${terminalSafe(r.reason)}` : '';
  return `${MARK[r.outcome]} ${r.level.padEnd(11)} ${r.id}${why}\n`;
}

/** The report format the file name asks for. */
function reportText(file: string, report: Report): string {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json')) return toJson(report);
  if (lower.endsWith('.html') || lower.endsWith('.htm')) return toHtml(report);
  return toMarkdown(report);
}

export const conformanceCommand: Command = {
  name: 'conformance',
  summary: 'run the conformance suites against a printer, intermediary or Infrastructure Printer',
  usage,
  async run(argv, io: Io) {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        options: {
          role: { type: 'string' },
          'printer-direct': { type: 'string' },
          'system-uri': { type: 'string' },
          report: { type: 'string' },
          json: { type: 'boolean' },
          only: { type: 'string', multiple: true },
          user: { type: 'string' },
          'other-user': { type: 'string' },
          auth: { type: 'string' },
          'other-auth': { type: 'string' },
          ca: { type: 'string' },
          pin: { type: 'string' },
          insecure: { type: 'boolean' },
          'job-timeout': { type: 'string' },
          'restart-command': { type: 'string' },
        },
        strict: true,
        allowPositionals: true,
      });
    } catch (err) {
      throw new CliError(`${(err as Error).message} (see 'tno conformance --help')`, ExitCode.usage);
    }
    const { values: v, positionals } = parsed;
    if (positionals.length !== 1) throw new CliError('expected exactly one target URL (see \'tno conformance --help\')', ExitCode.usage);
    const target = positionals[0]!;
    if (!/^(ipps?|https?):\/\//i.test(target)) throw new CliError(`${target}: expected an ipp://, ipps://, http:// or https:// URL`, ExitCode.usage);
    const role = v.role ?? 'printer';
    if (role !== 'printer' && role !== 'intermediary' && role !== 'infrastructure') throw new CliError(`--role ${role}: expected printer, intermediary or infrastructure`, ExitCode.usage);
    if (v['printer-direct'] !== undefined && role !== 'intermediary') throw new CliError('--printer-direct applies to --role intermediary', ExitCode.usage);
    if (v['system-uri'] !== undefined && role !== 'infrastructure') throw new CliError('--system-uri applies to --role infrastructure', ExitCode.usage);
    if (v['system-uri'] !== undefined && !/^(ipps?|https?):\/\//i.test(v['system-uri'])) throw new CliError(`--system-uri ${v['system-uri']}: expected an ipp://, ipps://, http:// or https:// URL`, ExitCode.usage);
    const jobTimeout = v['job-timeout'] === undefined ? 30 : Number(v['job-timeout']);
    if (!Number.isFinite(jobTimeout) || jobTimeout <= 0) throw new CliError(`--job-timeout ${v['job-timeout']}: expected a number of seconds > 0`, ExitCode.usage);
    let ca: string | undefined;
    if (v.ca !== undefined) {
      ca = await readFile(v.ca, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new CliError(`--ca ${v.ca}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, ExitCode.usage, { cause: err });
      });
    }
    const restartCommand = v['restart-command'];
    if (restartCommand !== undefined && role !== 'printer') throw new CliError('--restart-command applies to --role printer', ExitCode.usage);
    const auth = credentials('auth', v.auth);
    const otherAuth = credentials('other-auth', v['other-auth']);
    const options: RunOptions = {
      target,
      role,
      ...(v['printer-direct'] !== undefined ? { printerDirect: v['printer-direct'] } : {}),
      ...(v['system-uri'] !== undefined ? { systemUri: v['system-uri'] } : {}),
      ...(ca !== undefined || v.pin !== undefined || v.insecure
        ? { tls: { ...(ca !== undefined ? { ca } : {}), ...(v.pin !== undefined ? { pinSha256: v.pin } : {}), ...(v.insecure ? { rejectUnauthorized: false } : {}) } }
        : {}),
      ...(auth ? { auth } : {}),
      ...(otherAuth ? { otherAuth } : {}),
      ...(v.user !== undefined ? { user: v.user } : {}),
      ...(v['other-user'] !== undefined ? { otherUser: v['other-user'] } : {}),
      ...(v.only ? { only: v.only } : {}),
      jobTimeoutMs: jobTimeout * 1000,
      ...(restartCommand !== undefined ? { restartTarget: () => runRestart(restartCommand) } : {}),
      ...(v.json ? {} : { onResult: (r: TestResult) => io.stdout.write(progressLine(r)) }),
    };
    const report = await runConformance(options);
    const first = report.results[0];
    if (report.summary.passed === 0 && first?.reason?.startsWith('error: IPP_HTTP_')) {
      throw new CliError(`${target}: ${first.reason.slice('error: '.length)}`, ExitCode.unreachable);
    }
    if (v.report !== undefined) {
      const file = resolve(io.cwd, v.report);
      await writeFile(file, reportText(file, report));
    }
    io.stdout.write(v.json ? toJson(report) : `${summaryLine(report.summary)}\n`);
    if (!conforms(report) && !v.json) io.stderr.write(`tno: ${report.summary.requiredFailed} REQUIRED test(s) failed\n`);
    return conforms(report) ? ExitCode.ok : ExitCode.failure;
  },
};

/** Runs the lab's restart command (the suite then waits until the printer answers again). */
async function runRestart(command: string): Promise<void> {
  try {
    await promisify(execFile)('/bin/sh', ['-c', command], { timeout: 120_000 });
  } catch (err) {
    throw new Error(`--restart-command failed: ${(err as Error).message}`, { cause: err });
  }
}
