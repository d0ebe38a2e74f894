/**
 * tno status, tno jobs, tno cancel: job status through any hop (printer or intermediary), like
 * lpstat and cancel. `tno status --cert --key` asks for the job's attributes sealed to the owner
 * (Get-Encrypted-Job-Attributes), which an intermediary can relay but not read.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cancel, encryptedJobAttributes, isTerminal, jobs, noteSealedJobEnded, status, type JobStatus, type WhichJobs } from '@trustnoone/client';
import { enumName, type IppValue } from '@trustnoone/ipp';
import { CliError, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { clientCall, connectionFlags, connectionFrom, parseFlags, parseJobId, readFlagFile, trustStoreFrom, writeJson } from './client-common.js';
import { cancelUsage, jobsUsage, statusUsage } from './client-usage.js';
import { terminalSafe } from '../terminal-text.js';

function line(s: JobStatus): string {
  const reasons = s.stateReasons.filter((r) => r !== 'none');
  const impressions = s.impressionsCompleted === undefined ? '' : s.impressionsCompleted === 'unknown' ? 'impressions unknown' : `${s.impressionsCompleted} impressions`;
  const extra = [reasons.length ? reasons.join(',') : '', impressions, s.owner ?? '']
    .filter(Boolean)
    .join('  ');
  // Every field but the id comes from the server: shown escaped (issue 12 item 7).
  return terminalSafe(`${String(s.jobId).padStart(6)}  ${s.state.padEnd(18)}  ${s.jobName ?? ''}${extra ? `  ${extra}` : ''}`);
}

/**
 * The progress counters on a line of their own (issue 15.7): numbers for a clear job; for a sealed
 * job the server says 'unknown' on purpose (they would give away sealed copies and sides,
 * docs/decisions.md D9 (counters)), and the line says where the numbers are.
 */
function countersLine(s: JobStatus, shownSealed: boolean): string | undefined {
  const all = [s.impressionsCompleted, s.mediaSheetsCompleted, s.pagesCompleted];
  if (all.every((c) => c === undefined)) return undefined;
  if (all.some((c) => c === 'unknown')) {
    const where = shownSealed ? 'their sealed values are below' : 'the owner reads them with --private or --cert/--key';
    return `impressions, sheets, pages: unknown (a sealed job's counters are not shown in clear; ${where})`;
  }
  const n = (c: number | 'unknown' | undefined, what: string) => (c === undefined ? undefined : `${c} ${what}`);
  return `completed: ${[n(s.impressionsCompleted, 'impressions'), n(s.mediaSheetsCompleted, 'sheets'), n(s.pagesCompleted, 'pages')].filter(Boolean).join(', ')}`;
}

/** A value as JSON: numbers, booleans and strings stay typed; enums become their keywords (issue 15.7). */
function jsonValue(name: string, v: IppValue): unknown {
  switch (v.tag) {
    case 'enum':
      return enumName(name, v.value);
    case 'integer':
    case 'boolean':
      return v.value;
    case 'rangeOfInteger':
      return { lower: v.value.lower, upper: v.value.upper };
    case 'resolution':
      return { x: v.value.x, y: v.value.y, units: v.value.units === 3 ? 'dpi' : 'dpcm' };
    case 'collection':
      return Object.fromEntries(v.value.map((m) => [m.name, m.values.length === 1 ? jsonValue(m.name, m.values[0]!) : m.values.map((x) => jsonValue(m.name, x))]));
    default:
      return showValue(name, v);
  }
}

function showValue(name: string, v: IppValue): string {
  switch (v.tag) {
    case 'rangeOfInteger':
      return `${v.value.lower}-${v.value.upper}`;
    case 'resolution':
      return `${v.value.x}x${v.value.y}${v.value.units === 3 ? 'dpi' : 'dpcm'}`;
    case 'collection':
      return `{${v.value.map((m) => `${m.name}=${m.values.map((x) => showValue(m.name, x)).join(',')}`).join(' ')}}`;
    case 'octetString':
    case 'raw':
      return `<${v.value.length} bytes>`;
    case 'dateTime':
      return `${v.value.year}-${String(v.value.month).padStart(2, '0')}-${String(v.value.day).padStart(2, '0')}`;
    case 'enum':
      // Keywords, not enum numbers (issue 15.7): print-quality 4 is "normal".
      return enumName(name, v.value);
    default:
      return 'value' in v && v.value !== undefined ? String(v.value) : v.tag;
  }
}


export const statusCommand: Command = {
  name: 'status',
  summary: "show a job's state (and its sealed attributes with --cert/--key)",
  usage: statusUsage,
  async run(argv, io) {
    const { values: v, positionals } = parseFlags(argv, {
      ...connectionFlags,
      private: { type: 'boolean' },
      cert: { type: 'string' },
      key: { type: 'string' },
      attribute: { type: 'string', multiple: true },
    });
    if (positionals.length !== 1) throw new CliError('give exactly one JOB-ID (see tno status --help)', ExitCode.usage);
    const jobId = parseJobId(positionals[0]);
    const conn = await connectionFrom(v, io);
    if (v.private && (v.cert !== undefined || v.key !== undefined)) throw new CliError('--private uses the identity in the state directory: give it or --cert/--key, not both', ExitCode.usage);
    if (v.private) {
      const identity = join(trustStoreFrom(v, io).dir, 'identity');
      v.cert = join(identity, 'cert.pem');
      v.key = join(identity, 'key.pem');
      for (const f of [v.cert, v.key]) {
        if (!existsSync(f)) {
          throw new CliError(`--private: no ${f}; create your identity with: tno keys generate --kind client --name YOU --cert ${v.cert} --key ${v.key}`, ExitCode.usage);
        }
      }
    }
    if ((v.cert === undefined) !== (v.key === undefined)) throw new CliError('--cert and --key go together', ExitCode.usage);
    const s = await clientCall(() => status(conn, jobId));
    // A job seen ending lets its sealed-job record go after the retention (docs/cli.md "Printing and jobs").
    if (isTerminal(s)) await noteSealedJobEnded(trustStoreFrom(v, io).dir, conn.printer, jobId).catch(() => undefined);
    let sealed: { name: string; values: string[]; json: unknown[] }[] | undefined;
    if (v.cert !== undefined && v.key !== undefined) {
      const certificate = (await readFlagFile('cert', v.cert, io)).toString('utf8');
      const privateKey = (await readFlagFile('key', v.key, io)).toString('utf8');
      const r = await clientCall(() =>
        encryptedJobAttributes(conn, jobId, { certificate, privateKey, trust: { store: trustStoreFrom(v, io) }, ...(v.attribute ? { requested: v.attribute } : {}) }),
      );
      sealed = r.attributes.map((a) => ({ name: a.name, values: a.values.map((x) => showValue(a.name, x)), json: a.values.map((x) => jsonValue(a.name, x)) }));
      if (!r.jobVerified) {
        io.stderr.write(`tno: warning: job ${jobId} was not printed from this state directory, so tno cannot check that the sealed answer is about that job\n`);
      }
    }
    if (v.json) {
      writeJson(io, { ...s, ...(sealed ? { encryptedAttributes: Object.fromEntries(sealed.map((a) => [a.name, a.json.length === 1 ? a.json[0] : a.json])) } : {}) });
    } else {
      io.stdout.write(`${line(s)}\n`);
      if (s.stateMessage) io.stdout.write(`        ${terminalSafe(s.stateMessage)}\n`);
      const counters = countersLine(s, sealed?.some((a) => a.name === 'job-impressions-completed') ?? false);
      if (counters) io.stdout.write(`        ${counters}\n`);
      for (const a of sealed ?? []) io.stdout.write(`        ${terminalSafe(`${a.name} = ${a.values.join(', ')}`)}\n`);
    }
    return ExitCode.ok;
  },
};


export const jobsCommand: Command = {
  name: 'jobs',
  summary: 'list the jobs of a printer or intermediary',
  usage: jobsUsage,
  async run(argv, io) {
    const { values: v, positionals } = parseFlags(argv, { ...connectionFlags, which: { type: 'string' }, mine: { type: 'boolean' }, limit: { type: 'string' } });
    if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}' (see tno jobs --help)`, ExitCode.usage);
    const which = (v.which ?? 'not-completed') as WhichJobs;
    if (!['not-completed', 'completed', 'all'].includes(which)) throw new CliError(`--which ${v.which}: expected not-completed, completed or all`, ExitCode.usage);
    const limit = v.limit === undefined ? undefined : Number(v.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new CliError(`--limit ${v.limit}: expected a positive integer`, ExitCode.usage);
    const conn = await connectionFrom(v, io);
    const list = await clientCall(() => jobs(conn, { which, myJobs: v.mine === true, ...(limit ? { limit } : {}) }));
    if (v.json) writeJson(io, list);
    else if (list.length === 0) io.stdout.write(`no ${which === 'all' ? '' : `${which} `}jobs\n`);
    else io.stdout.write(`${list.map(line).join('\n')}\n`);
    return ExitCode.ok;
  },
};


export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'cancel a job',
  usage: cancelUsage,
  async run(argv, io) {
    const { values: v, positionals } = parseFlags(argv, connectionFlags);
    if (positionals.length !== 1) throw new CliError('give exactly one JOB-ID (see tno cancel --help)', ExitCode.usage);
    const jobId = parseJobId(positionals[0]);
    const conn = await connectionFrom(v, io);
    await clientCall(() => cancel(conn, jobId));
    if (v.json) writeJson(io, { jobId, canceled: true });
    else io.stdout.write(`job ${jobId} canceled\n`);
    return ExitCode.ok;
  },
};
