/**
 * Hold-Job and Release-Job (RFC 8011 §4.3.5, §4.3.6) through the intermediary: passed to the
 * upstream printer for the job it holds there, as the job's owner. The job's state here follows
 * the upstream's (the forwarder mirrors pending-held and its reasons). A job not yet at the
 * printer is waited for briefly (the forwarder sends jobs as soon as they are committed); one that
 * does not get there in time is answered server-error-busy, so the client retries.
 */
import { GroupTag, IppOperation, IppStatus } from '@trustnoone/ipp';
import { IppStatusError, type IppReply, type IppRequestContext } from '@trustnoone/ipp-http';
import { attr, findAttribute, stringValue } from '../attrs.js';
import { requireAccess } from '../principal.js';
import type { Service } from '../service.js';
import { isTerminal } from '../spool/types.js';
import { discard, upstreamRequest } from '../upstream/client.js';
import { checkAttributeCount, findJob, principalOf, targetJobId } from './request.js';

/** How long Hold-Job / Release-Job wait for a just-submitted job to reach the printer. */
const FORWARD_WAIT_MS = 10_000;

async function upstreamJob(service: Service, id: number): Promise<{ uri: string; jobId: number } | undefined> {
  const until = Date.now() + FORWARD_WAIT_MS;
  for (;;) {
    const entry = findJob(service, id);
    if (isTerminal(entry.status.state)) return undefined;
    const { upstream, upstreamJobId } = entry.status.forward;
    if (upstream !== undefined && upstreamJobId !== undefined) return { uri: upstream, jobId: upstreamJobId };
    if (Date.now() >= until) throw new IppStatusError(IppStatus.serverErrorBusy, `job ${id} has not reached the printer yet; try again`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The handler of Hold-Job (0x000c) or Release-Job (0x000d). */
export function passHoldOrRelease(code: typeof IppOperation.holdJob | typeof IppOperation.releaseJob) {
  return async (service: Service, ctx: IppRequestContext): Promise<IppReply> => {
    checkAttributeCount(service, ctx.message);
    const id = targetJobId(ctx.message);
    const entry = findJob(service, id);
    requireAccess(principalOf(service, ctx), entry.job, service.users.size > 0);
    const target = await upstreamJob(service, id);
    if (!target) throw new IppStatusError(IppStatus.clientErrorNotPossible, `job ${id} has ended`);
    const upstream = service.upstreams.find((u) => u.uri === target.uri);
    if (!upstream) throw new IppStatusError(IppStatus.serverErrorServiceUnavailable, `job ${id}'s printer is no longer configured`);
    const answer = await upstream.send(upstreamRequest(code, upstream.uri, [attr.integer('job-id', target.jobId), attr.name('requesting-user-name', entry.job.owner)]));
    discard(answer.data);
    const message = stringValue(findAttribute(answer.message, GroupTag.operation, 'status-message'));
    // The printer's answer, status and message, is the answer: it alone knows whether the job can be held.
    return { status: answer.message.code, ...(message ? { statusMessage: message } : {}) };
  };
}
