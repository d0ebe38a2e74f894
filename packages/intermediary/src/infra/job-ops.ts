/**
 * The Proxy's job operations (PWG 5100.18 §6): Get-Jobs which-jobs=fetchable, Fetch-Job,
 * Acknowledge-Job, Fetch-Document, Acknowledge-Document, Update-Job-Status,
 * Update-Document-Status and Update-Active-Jobs. Document data is streamed from the spool as it
 * was committed: ciphertext, never opened here.
 */
import { GroupTag, type IppAttribute, IppStatus } from '@trustnoone/ipp';
import { IppStatusError, type IppReply, type IppRequestContext } from '@trustnoone/ipp-http';
import { attr, findAttribute, integerValue, keywords, operationAttribute, stringValue } from '../attrs.js';
import { isSealedJob, jobAttributes, selectAttributes } from '../operations/job-attributes.js';
import { getJobs } from '../operations/jobs.js';
import { printerUriOf, requestedAttributes } from '../operations/request.js';
import type { Service } from '../service.js';
import { JobState, isTerminal, type JobStateValue } from '../spool/types.js';
import { countersFrom } from '../upstream/counters.js';
import { boundJobOf, deviceOf, jobOf } from './device-auth.js';
import { NotFetchable, type InfraQueue } from './queue.js';

type Handler = (service: Service, ctx: IppRequestContext) => Promise<IppReply>;

const ok = (extra: Partial<IppReply> = {}): IppReply => ({ status: IppStatus.successfulOk, ...extra });

function documentNumber(ctx: IppRequestContext): number {
  const n = integerValue(operationAttribute(ctx.message, 'document-number'));
  if (n === undefined || n < 1) throw new IppStatusError(IppStatus.clientErrorBadRequest, 'document-number is required (1 or more)');
  return n;
}

/** Get-Jobs: which-jobs=fetchable for output devices; every other form is the ordinary Get-Jobs. */
export function getJobsWithFetchable(q: InfraQueue): Handler {
  return async (service, ctx) => {
    if (stringValue(operationAttribute(ctx.message, 'which-jobs')) !== 'fetchable') return getJobs(service, ctx);
    const device = deviceOf(service, q, ctx);
    const requested = requestedAttributes(ctx.message) ?? ['job-id', 'job-uri', 'job-state', 'job-state-reasons', 'job-uuid', 'number-of-documents'];
    const uri = printerUriOf(ctx);
    const limit = integerValue(operationAttribute(ctx.message, 'limit'));
    let picked = q.mayServe(device) ? q.table.all().filter((e) => q.isFetchable(e)) : [];
    if (limit !== undefined && limit > 0) picked = picked.slice(0, limit);
    return ok({ groups: picked.map((e) => ({ tag: GroupTag.job, attributes: selectAttributes(jobAttributes(e, uri, true, service.clock), requested) })) });
  };
}

export function fetchJob(q: InfraQueue): Handler {
  return async (service, ctx) => {
    const device = deviceOf(service, q, ctx);
    const e = jobOf(q, ctx);
    const bound = q.assignedDevice(e.status);
    // Its own job again (a retried exchange) is fine; anybody else's is not.
    if (isTerminal(e.status.state) || !q.mayServe(device) || (bound !== undefined ? bound !== device.uuid : !q.isFetchable(e))) {
      throw new IppStatusError(IppStatus.clientErrorNotFetchable, `job ${e.job.id} is not fetchable by this output device`);
    }
    const attrs: IppAttribute[] = [...jobAttributes(e, printerUriOf(ctx), true, service.clock), ...e.job.jobAttributes];
    // The creating request's cleartext routing attributes the device replays to its printer.
    for (const a of e.job.attributes) if (!attrs.some((b) => b.name === a.name)) attrs.push(a);
    if (bound) attrs.push(attr.uri('output-device-uuid-assigned', bound));
    return ok({ groups: [{ tag: GroupTag.job, attributes: attrs }] });
  };
}

export function acknowledgeJob(q: InfraQueue): Handler {
  return async (service, ctx) => {
    const device = deviceOf(service, q, ctx);
    const e = jobOf(q, ctx);
    const declined = integerValue(operationAttribute(ctx.message, 'fetch-status-code'));
    // PWG 5100.18: a fetch-status-code other than successful-ok means the device will not take it.
    if (declined !== undefined && declined !== 0) {
      ctx.log.info({ jobId: e.job.id, device: device.uuid, status: declined }, 'infra: output device declined a job');
      return ok();
    }
    if (!q.mayServe(device)) throw new IppStatusError(IppStatus.clientErrorNotFetchable, `job ${e.job.id} is not fetchable by this output device`);
    try {
      await q.bind(e.job.id, device.uuid);
    } catch (err) {
      if (err instanceof NotFetchable) throw new IppStatusError(IppStatus.clientErrorNotFetchable, err.message);
      throw err;
    }
    ctx.log.info({ jobId: e.job.id, device: device.uuid }, 'infra: job acknowledged by an output device');
    // Every device of the queue hears that it is taken (and drops it from its list).
    await q.publishJob(e.job.id, 'job-state-changed');
    return ok();
  };
}

export function fetchDocument(q: InfraQueue): Handler {
  return async (service, ctx) => {
    const device = deviceOf(service, q, ctx);
    const e = boundJobOf(q, ctx, device);
    const n = documentNumber(ctx);
    const doc = e.job.documents.find((d) => d.number === n);
    if (!doc) throw new IppStatusError(IppStatus.clientErrorNotFound, `job ${e.job.id} has no document ${n}`);
    if (isTerminal(e.status.state) || doc.size === 0) throw new IppStatusError(IppStatus.clientErrorNotFetchable, `document ${n} of job ${e.job.id} is no longer available`);
    // Recorded before a byte leaves: from here on the device may print it, so the job is never
    // offered to another device (queue.release) even if this one goes silent.
    if (e.status.forward.inFlight === undefined && e.status.forward.documentsSent < n) {
      await q.table.update(e.job.id, (s) => (s.forward.inFlight !== undefined ? s : { ...s, forward: { ...s.forward, inFlight: { document: n, since: Date.now() } } }));
    }
    const last = e.job.closed && n === e.job.documents.length;
    const operation: IppAttribute[] = [
      attr.integer('job-id', e.job.id),
      attr.integer('document-number', n),
      ...doc.attributes.filter((a) => a.name !== 'last-document'),
      attr.boolean('last-document', last),
    ];
    if (!operation.some((a) => a.name === 'compression')) operation.push(attr.keyword('compression', 'none'));
    return ok({ operationAttributes: operation, data: q.spool.openDocument(e.job.id, n) });
  };
}

export function acknowledgeDocument(q: InfraQueue): Handler {
  return async (service, ctx) => {
    const device = deviceOf(service, q, ctx);
    const e = boundJobOf(q, ctx, device);
    const n = documentNumber(ctx);
    if (!e.job.documents.some((d) => d.number === n)) throw new IppStatusError(IppStatus.clientErrorNotFound, `job ${e.job.id} has no document ${n}`);
    await q.table.update(e.job.id, (s) => (s.forward.documentsSent >= n ? s : { ...s, forward: { ...s.forward, documentsSent: n } }));
    return ok();
  };
}

function stateOf(value: number | undefined): JobStateValue | undefined {
  return value !== undefined && value >= JobState.pending && value <= JobState.completed ? (value as JobStateValue) : undefined;
}

export function updateJobStatus(q: InfraQueue): Handler {
  return async (service, ctx) => {
    const device = deviceOf(service, q, ctx);
    const e = boundJobOf(q, ctx, device);
    const m = ctx.message;
    const rawState = integerValue(findAttribute(m, GroupTag.job, 'output-device-job-state') ?? findAttribute(m, GroupTag.job, 'job-state'));
    const state = stateOf(rawState);
    if (rawState !== undefined && state === undefined) throw new IppStatusError(IppStatus.clientErrorAttributesOrValuesNotSupported, `output-device-job-state ${rawState} is not a job state`);
    if (isTerminal(e.status.state)) return ok(); // already final (a repeated report)
    // PWG 5100.7 counters the device sends with its status: a clear job shows them, as in push
    // mode (issue 15.7); a sealed job's stay 'unknown' in clear (D9, counters), so none are kept.
    const completed = countersFrom(m);
    if (!isSealedJob(e.job) && Object.keys(completed).length > 0) {
      await q.table.update(e.job.id, (s) => (isTerminal(s.state) ? s : { ...s, completed: { ...s.completed, ...completed } }));
    }
    if (state === undefined) return ok(); // counters only
    const reasons = keywords(findAttribute(m, GroupTag.job, 'output-device-job-state-reasons') ?? findAttribute(m, GroupTag.job, 'job-state-reasons')).slice(0, 32);
    const message = stringValue(findAttribute(m, GroupTag.job, 'output-device-job-state-message') ?? findAttribute(m, GroupTag.job, 'job-state-message'))?.slice(0, 255);
    await q.report(e.job.id, state, reasons.length ? reasons : ['none'], message);
    ctx.log.info({ jobId: e.job.id, device: device.uuid, state }, 'infra: output device reported job state');
    return ok();
  };
}

export function updateDocumentStatus(q: InfraQueue): Handler {
  return async (service, ctx) => {
    const device = deviceOf(service, q, ctx);
    const e = boundJobOf(q, ctx, device);
    const n = documentNumber(ctx);
    if (!e.job.documents.some((d) => d.number === n)) throw new IppStatusError(IppStatus.clientErrorNotFound, `job ${e.job.id} has no document ${n}`);
    const state = integerValue(findAttribute(ctx.message, GroupTag.document, 'output-device-document-state'));
    // PWG 5100.5 document states 3 (pending) .. 9 (completed).
    if (state !== undefined && (state < 3 || state > 9)) throw new IppStatusError(IppStatus.clientErrorAttributesOrValuesNotSupported, `output-device-document-state ${state} is not a document state`);
    ctx.log.info({ jobId: e.job.id, document: n, state }, 'infra: output device reported document state');
    return ok();
  };
}

/**
 * Update-Active-Jobs (PWG 5100.18 §6.9): the device lists the jobs it holds and their states; the
 * answer names those whose state here differs (canceled here, finished, not this device's) and the
 * jobs bound to the device that it did not list (lost, e.g. in its own crash), with our state.
 */
export function updateActiveJobs(q: InfraQueue): Handler {
  return async (service, ctx) => {
    const device = deviceOf(service, q, ctx);
    const ids = operationAttribute(ctx.message, 'job-ids')?.values.flatMap((v) => (v.tag === 'integer' ? [v.value] : [])) ?? [];
    const states = operationAttribute(ctx.message, 'output-device-job-states')?.values.flatMap((v) => (v.tag === 'enum' || v.tag === 'integer' ? [v.value] : [])) ?? [];
    if (ids.length !== states.length) throw new IppStatusError(IppStatus.clientErrorBadRequest, 'job-ids and output-device-job-states must pair up');
    const outIds: number[] = [];
    const outStates: number[] = [];
    const listed = new Set(ids);
    ids.forEach((id, i) => {
      const e = q.table.get(id);
      if (!e || q.assignedDevice(e.status) !== device.uuid) {
        outIds.push(id);
        outStates.push(JobState.aborted);
      } else if (e.status.cancelRequested && !isTerminal(e.status.state)) {
        outIds.push(id);
        outStates.push(JobState.canceled);
      } else if (isTerminal(e.status.state) && e.status.state !== states[i]) {
        outIds.push(id);
        outStates.push(e.status.state);
      }
    });
    for (const e of q.table.all()) {
      if (q.assignedDevice(e.status) === device.uuid && !isTerminal(e.status.state) && !listed.has(e.job.id)) {
        outIds.push(e.job.id);
        outStates.push(e.status.state);
      }
    }
    return ok({
      operationAttributes: outIds.length ? [attr.integer('job-ids', ...outIds), attr.enum('output-device-job-states', ...outStates)] : [],
    });
  };
}
