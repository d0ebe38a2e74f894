/**
 * Get-Printer-Attributes (RFC 8011 §4.2.5), Get-Job-Attributes (§4.3.4), Get-Jobs (§4.2.6) and
 * Identify-Printer (PWG 5100.13 §4.1).
 */
import { GroupTag } from '@trustnoone/ipp';
import type { IppHandler } from '@trustnoone/ipp-http';
import * as cap from '../attributes/capabilities.js';
import { printerAttributes } from '../attributes/printer-attributes.js';
import { selectJobAttributes, selectPrinterAttributes, selection } from '../attributes/select.js';
import { keyword, mimeType } from '../attributes/values.js';
import { jobAttributes } from '../jobs/job-attributes.js';
import { isTerminal, type Job } from '../jobs/job.js';
import { JOB_TEMPLATE_NAMES } from '../jobs/job-template.js';
import type { PrinterRuntime } from '../runtime.js';
import { findJob } from './job-lookup.js';
import { Refusal } from '../requests/refusal.js';
import { opAttrs, requestingUser } from '../requests/request.js';
import { IppStatus as Status } from '@trustnoone/ipp';

export function getPrinterAttributes(rt: PrinterRuntime): IppHandler {
  return async (ctx) => {
    const ops = opAttrs(ctx.message);
    const format = ops.string('document-format', ['mimeMediaType'])?.toLowerCase();
    const formats: readonly string[] = rt.policy.requireEncryption ? [cap.PKCS7_MIME] : cap.DOCUMENT_FORMATS;
    // RFC 8011 §4.2.5.1: an unsupported document-format is answered, flagged as unsupported.
    const unsupported = format !== undefined && !formats.includes(format) ? [mimeType('document-format', format)] : [];
    const attrs = selectPrinterAttributes(printerAttributes(rt.identity, rt.status()), selection(ops.keywords('requested-attributes')));
    return {
      status: unsupported.length > 0 ? Status.successfulOkIgnoredOrSubstitutedAttributes : Status.successfulOk,
      groups: [...(unsupported.length > 0 ? [{ tag: GroupTag.unsupported, attributes: unsupported }] : []), { tag: GroupTag.printer, attributes: attrs }],
    };
  };
}

function view(rt: PrinterRuntime) {
  return { printerUri: rt.identity.uris[0]!, startedAt: rt.startedAt, revealSealed: false };
}

export function getJobAttributes(rt: PrinterRuntime): IppHandler {
  return async (ctx) => {
    const job = findJob(rt, ctx);
    const sel = selection(opAttrs(ctx.message).keywords('requested-attributes'));
    return { status: Status.successfulOk, groups: [{ tag: GroupTag.job, attributes: selectJobAttributes(jobAttributes(job, view(rt)), JOB_TEMPLATE_NAMES, sel) }] };
  };
}

const WHICH: Readonly<Record<string, (j: Job) => boolean>> = {
  completed: (j) => isTerminal(j.state),
  'not-completed': (j) => !isTerminal(j.state),
  all: () => true,
  aborted: (j) => j.state === 'aborted',
  canceled: (j) => j.state === 'canceled',
  pending: (j) => j.state === 'pending',
  processing: (j) => j.state === 'processing',
};

/** At most this many job-ids in one Get-Jobs (the request is refused beyond it, not truncated). */
const MAX_JOB_IDS = 1000;

/** PWG 5100.11 §4.2 job-ids: 1setOf integer(1:MAX), or undefined when absent. */
function jobIds(ops: ReturnType<typeof opAttrs>): Set<number> | undefined {
  const a = ops.get('job-ids');
  if (!a) return undefined;
  if (a.values.length === 0 || a.values.length > MAX_JOB_IDS) throw new Refusal(Status.clientErrorBadRequest, `job-ids must have 1 to ${MAX_JOB_IDS} values, got ${a.values.length}`);
  const ids = new Set<number>();
  for (const v of a.values) {
    if (v.tag !== 'integer' || v.value < 1) throw new Refusal(Status.clientErrorBadRequest, 'job-ids must be integers from 1 (job ids of this printer)');
    ids.add(v.value);
  }
  return ids;
}

/**
 * RFC 8011 §4.2.6.2 order: not-completed jobs in the order they will be processed (oldest first:
 * jobs print in arrival order), completed ones newest to oldest by completion time. which-jobs
 * 'all' lists the first group, then the second (docs/decisions.md D33).
 */
function inListOrder(jobs: readonly Job[]): Job[] {
  const active = jobs.filter((j) => !isTerminal(j.state)).sort((a, b) => a.id - b.id);
  const done = jobs
    .filter((j) => isTerminal(j.state))
    .sort((a, b) => (b.timings.completedAt ?? b.timings.createdAt) - (a.timings.completedAt ?? a.timings.createdAt) || b.id - a.id);
  return [...active, ...done];
}

export function getJobs(rt: PrinterRuntime): IppHandler {
  return async (ctx) => {
    const ops = opAttrs(ctx.message);
    const which = ops.string('which-jobs', ['keyword']) ?? 'not-completed';
    const filter = WHICH[which];
    if (!filter) throw new Refusal(Status.clientErrorAttributesOrValuesNotSupported, `which-jobs ${which} is not supported`, [keyword('which-jobs', which)]);
    const limit = ops.integer('limit');
    if (limit !== undefined && limit < 1) throw new Refusal(Status.clientErrorBadRequest, 'limit must be at least 1');
    const myJobs = ops.boolean('my-jobs') ?? false;
    const user = requestingUser(ctx.user, ctx.message);
    // RFC 8011 §4.2.6.1: without requested-attributes only job-uri and job-id are returned.
    const requested = ops.keywords('requested-attributes') ?? ['job-uri', 'job-id'];
    const sel = selection(requested);
    const ids = jobIds(ops);
    // job-ids names the jobs wanted; without an explicit which-jobs, whatever their state (D33).
    const stateFilter = ids && !ops.has('which-jobs') ? WHICH.all! : filter;
    let jobs = inListOrder(rt.store.list().filter((j) => stateFilter(j) && (!myJobs || j.owner === user) && (!ids || ids.has(j.id))));
    if (limit !== undefined) jobs = jobs.slice(0, limit);
    return {
      status: Status.successfulOk,
      groups: jobs.map((j) => ({ tag: GroupTag.job, attributes: selectJobAttributes(jobAttributes(j, view(rt)), JOB_TEMPLATE_NAMES, sel) })),
    };
  };
}

export function identifyPrinter(rt: PrinterRuntime): IppHandler {
  return async (ctx) => {
    const actions = opAttrs(ctx.message).keywords('identify-actions') ?? ['sound'];
    const bad = actions.filter((a) => !(cap.IDENTIFY_ACTIONS as readonly string[]).includes(a));
    if (bad.length > 0) throw new Refusal(Status.clientErrorAttributesOrValuesNotSupported, 'identify-actions not supported', [keyword('identify-actions', bad)]);
    rt.log.info({ actions }, 'printer: identify');
    return { status: Status.successfulOk };
  };
}
