/**
 * Get-Job-Attributes, Get-Jobs, Cancel-Job (RFC 8011 §4.3.4, §4.2.6, §4.3.3) and Cancel-My-Jobs
 * (PWG 5100.11 §4.1) on this intermediary's own jobs. State is what the forwarder mirrored from
 * upstream. Only the owner or an operator sees a job's details; others see identity and state.
 */
import { GroupTag } from '@trustnoone/ipp';
import { IppStatusError, type IppReply, type IppRequestContext } from '@trustnoone/ipp-http';
import { booleanValue, integerValue, operationAttribute, stringValue } from '../attrs.js';
import { canAccess, requireAccess } from '../principal.js';
import type { Service } from '../service.js';
import { JobState, isTerminal } from '../spool/types.js';
import { Status } from '../status.js';
import { jobAttributes, selectAttributes } from './job-attributes.js';
import { checkAttributeCount, findJob, principalOf, printerUriOf, requestedAttributes, targetJobId } from './request.js';
import type { JobEntry } from '../jobs.js';

export async function getJobAttributes(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  checkAttributeCount(service, ctx.message);
  const entry = findJob(service, targetJobId(ctx.message));
  requireAccess(principalOf(service, ctx), entry.job, service.users.size > 0);
  const attrs = selectAttributes(jobAttributes(entry, printerUriOf(ctx), true, service.clock), requestedAttributes(ctx.message));
  return { status: Status['successful-ok'], groups: [{ tag: GroupTag.job, attributes: attrs }] };
}

export async function getJobs(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  checkAttributeCount(service, ctx.message);
  const who = principalOf(service, ctx);
  const which = stringValue(operationAttribute(ctx.message, 'which-jobs')) ?? 'not-completed';
  if (!['not-completed', 'completed', 'all'].includes(which)) {
    throw new IppStatusError(Status['client-error-attributes-or-values-not-supported'], `which-jobs '${which}' is not supported (use not-completed, completed or all)`);
  }
  const mine = booleanValue(operationAttribute(ctx.message, 'my-jobs')) ?? false;
  const limit = integerValue(operationAttribute(ctx.message, 'limit'));
  // RFC 8011 §4.2.6.1: job-uri and job-id when requested-attributes is absent.
  const requested = requestedAttributes(ctx.message) ?? ['job-id', 'job-uri'];
  const uri = printerUriOf(ctx);
  const picked: JobEntry[] = [];
  // Most recent first, as CUPS and ippeveprinter list them.
  for (const e of service.table.all().reverse()) {
    const done = isTerminal(e.status.state);
    if ((which === 'not-completed' && done) || (which === 'completed' && !done)) continue;
    if (mine && !canAccess(who, e.job)) continue;
    picked.push(e);
    if (limit !== undefined && limit > 0 && picked.length >= limit) break;
  }
  const groups = picked.map((e) => ({ tag: GroupTag.job, attributes: selectAttributes(jobAttributes(e, uri, canAccess(who, e.job), service.clock), requested) }));
  return { status: Status['successful-ok'], groups };
}

/** Marks a job canceled here and lets the forwarder carry the cancel upstream. */
async function cancel(service: Service, entry: JobEntry): Promise<void> {
  const forwarded = entry.status.forward.upstreamJobId !== undefined;
  await service.table.update(entry.job.id, (s) => ({
    ...s,
    cancelRequested: true,
    // Not yet upstream: the job ends here. Already upstream: processing-stopped until the printer confirms.
    ...(forwarded ? { reasons: ['processing-to-stop-point'] } : {}),
  }));
  if (!entry.job.closed) service.table.setJob(await service.spool.closeJob(entry.job.id));
  service.forwarder.kick(entry.job.id);
}

export async function cancelJob(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  checkAttributeCount(service, ctx.message);
  const entry = findJob(service, targetJobId(ctx.message));
  requireAccess(principalOf(service, ctx), entry.job, service.users.size > 0);
  if (isTerminal(entry.status.state)) {
    throw new IppStatusError(Status['client-error-not-possible'], `job ${entry.job.id} is already ${entry.status.state === JobState.completed ? 'completed' : entry.status.state === JobState.canceled ? 'canceled' : 'aborted'}`);
  }
  await cancel(service, entry);
  return { status: Status['successful-ok'] };
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
    status: Status['successful-ok'],
    ...(canceled.length ? { operationAttributes: [{ name: 'job-ids', values: canceled.map((value) => ({ tag: 'integer' as const, value })) }] } : {}),
  };
}
