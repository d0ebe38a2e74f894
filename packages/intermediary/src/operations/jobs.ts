/**
 * Get-Job-Attributes, Get-Jobs, Cancel-Job (RFC 8011 §4.3.4, §4.2.6, §4.3.3) and Cancel-My-Jobs
 * (PWG 5100.11 §4.1) on this intermediary's own jobs. State is what the forwarder mirrored from
 * upstream. Only the owner or an operator sees a job's details; others see identity and state.
 */
import { GroupTag, IppStatus } from '@trustnoone/ipp';
import { IppStatusError, type IppReply, type IppRequestContext } from '@trustnoone/ipp-http';
import { booleanValue, integerValue, operationAttribute, stringValue } from '../attrs.js';
import { canAccess, requireAccess } from '../principal.js';
import type { Service } from '../service.js';
import { JobState, isTerminal } from '../spool/types.js';
import { jobAttributes, selectAttributes } from './job-attributes.js';
import { requestedJobIds } from './job-ids.js';
import { checkAttributeCount, findJob, principalOf, printerUriOf, requestedAttributes, targetJobId } from './request.js';
import type { JobEntry } from '../jobs.js';

export async function getJobAttributes(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  checkAttributeCount(service, ctx.message);
  const entry = findJob(service, targetJobId(ctx.message));
  requireAccess(principalOf(service, ctx), entry.job, service.users.size > 0);
  const attrs = selectAttributes(jobAttributes(entry, printerUriOf(ctx), true, service.clock), requestedAttributes(ctx.message));
  return { status: IppStatus.successfulOk, groups: [{ tag: GroupTag.job, attributes: attrs }] };
}

/**
 * RFC 8011 §4.2.6.2 order, as the printer lists (docs/decisions.md D33): jobs still to print in the
 * order they are forwarded (oldest first), then ended ones newest to oldest by completion time.
 */
function listOrder(all: readonly JobEntry[]): JobEntry[] {
  const active = all.filter((e) => !isTerminal(e.status.state)).sort((a, b) => a.job.id - b.job.id);
  const ended = all
    .filter((e) => isTerminal(e.status.state))
    .sort((a, b) => (b.status.completedAt ?? b.job.createdAt) - (a.status.completedAt ?? a.job.createdAt) || b.job.id - a.job.id);
  return [...active, ...ended];
}

export async function getJobs(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  checkAttributeCount(service, ctx.message);
  const who = principalOf(service, ctx);
  const named = requestedJobIds(ctx.message);
  // job-ids names the jobs wanted; without an explicit which-jobs, whatever their state (D33).
  const which = stringValue(operationAttribute(ctx.message, 'which-jobs')) ?? (named ? 'all' : 'not-completed');
  if (!['not-completed', 'completed', 'all'].includes(which)) {
    throw new IppStatusError(IppStatus.clientErrorAttributesOrValuesNotSupported, `which-jobs '${which}' is not supported (use not-completed, completed or all)`);
  }
  const mine = booleanValue(operationAttribute(ctx.message, 'my-jobs')) ?? false;
  const limit = integerValue(operationAttribute(ctx.message, 'limit'));
  // RFC 8011 §4.2.6.1: job-uri and job-id when requested-attributes is absent.
  const requested = requestedAttributes(ctx.message) ?? ['job-id', 'job-uri'];
  const uri = printerUriOf(ctx);
  const picked: JobEntry[] = [];
  for (const e of listOrder(service.table.all())) {
    const done = isTerminal(e.status.state);
    if ((which === 'not-completed' && done) || (which === 'completed' && !done)) continue;
    if (mine && !canAccess(who, e.job)) continue;
    if (named && !named.has(e.job.id)) continue;
    picked.push(e);
    if (limit !== undefined && limit > 0 && picked.length >= limit) break;
  }
  const groups = picked.map((e) => ({ tag: GroupTag.job, attributes: selectAttributes(jobAttributes(e, uri, canAccess(who, e.job), service.clock), requested) }));
  return { status: IppStatus.successfulOk, groups };
}

/**
 * Cancels a job. One the upstream has never heard of — no upstream job-id, no Create-Job or
 * Print-Job in flight — ends here at once, canceled before the answer goes out (RFC 8011 §4.3.3:
 * the client reads job-state canceled right after successful-ok); the forwarder, which checks the
 * state before it starts an exchange, then never sends it. A job upstream, or possibly upstream,
 * gets cancelRequested and the forwarder carries the cancel there; its state follows the printer's.
 */
async function cancel(service: Service, entry: JobEntry): Promise<void> {
  const next = await service.table.update(entry.job.id, (s) => {
    if (isTerminal(s.state)) return s;
    const fwd = s.forward;
    if (fwd.upstreamJobId === undefined && fwd.creating === undefined && fwd.inFlight === undefined) {
      return { ...s, cancelRequested: true, state: JobState.canceled, reasons: ['job-canceled-by-user'], message: 'canceled before it reached the printer', completedAt: Date.now() };
    }
    // Already upstream: processing-to-stop-point until the printer confirms.
    return { ...s, cancelRequested: true, ...(fwd.upstreamJobId !== undefined ? { reasons: ['processing-to-stop-point'] } : {}) };
  });
  if (!entry.job.closed) service.table.setJob(await service.spool.closeJob(entry.job.id));
  // The ciphertext of a job that ended here will never be sent: keep the record, not the bytes.
  if (isTerminal(next.state)) for (const d of entry.job.documents) await service.spool.dropDocumentData(entry.job.id, d.number);
  service.forwarder.kick(entry.job.id);
}

export async function cancelJob(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  checkAttributeCount(service, ctx.message);
  const entry = findJob(service, targetJobId(ctx.message));
  requireAccess(principalOf(service, ctx), entry.job, service.users.size > 0);
  if (isTerminal(entry.status.state)) {
    throw new IppStatusError(IppStatus.clientErrorNotPossible, `job ${entry.job.id} is already ${entry.status.state === JobState.completed ? 'completed' : entry.status.state === JobState.canceled ? 'canceled' : 'aborted'}`);
  }
  await cancel(service, entry);
  return { status: IppStatus.successfulOk };
}

export async function cancelMyJobs(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  checkAttributeCount(service, ctx.message);
  const who = principalOf(service, ctx);
  const ids = operationAttribute(ctx.message, 'job-ids')?.values.flatMap((v) => (v.tag === 'integer' ? [v.value] : []));
  const targets = ids ? ids.map((id) => findJob(service, id)) : service.table.all().filter((e) => canAccess(who, e.job) && e.job.owner === who.name);
  for (const e of targets) requireAccess(who, e.job, service.users.size > 0);
  const canceled: number[] = [];
  for (const e of targets) {
    if (isTerminal(e.status.state)) continue;
    await cancel(service, e);
    canceled.push(e.job.id);
  }
  return {
    status: IppStatus.successfulOk,
    ...(canceled.length ? { operationAttributes: [{ name: 'job-ids', values: canceled.map((value) => ({ tag: 'integer' as const, value })) }] } : {}),
  };
}
