/**
 * Get-Encrypted-Job-Attributes (TRUSTNOONE, 0x006A): the owner asks the printer for its job's
 * attributes sealed to the owner's certificate. The intermediary maps its job-id to the upstream
 * job-id, relays the request, and streams the sealed answer back without reading it.
 */
import { GroupTag, IppOperation, IppStatus } from '@trustnoone/ipp';
import { IppStatusError, type IppReply, type IppRequestContext } from '@trustnoone/ipp-http';
import { attr, findAttribute, stringValue } from '../attrs.js';
import { requireAccess } from '../principal.js';
import type { Service } from '../service.js';
import { passThroughOperationAttributes, upstreamRequest } from '../upstream/client.js';
import { checkAttributeCount, findJob, principalOf, targetJobId } from './request.js';

const OWN = new Set(['attributes-charset', 'attributes-natural-language', 'status-message']);

export async function getEncryptedJobAttributes(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  checkAttributeCount(service, ctx.message);
  const entry = findJob(service, targetJobId(ctx.message));
  requireAccess(principalOf(service, ctx), entry.job, service.users.size > 0);
  const fwd = entry.status.forward;
  const upstream = service.upstreams.find((u) => u.uri === fwd.upstream);
  if (fwd.upstreamJobId === undefined || fwd.upstreamJobId === 0 || !upstream) {
    throw new IppStatusError(IppStatus.clientErrorNotPossible, `job ${entry.job.id} has not reached the printer yet; ask again once it has`);
  }
  const ops = [
    attr.integer('job-id', fwd.upstreamJobId),
    ...passThroughOperationAttributes(ctx.message.groups[0]?.attributes ?? []).filter((a) => a.name !== 'requesting-user-name'),
    attr.name('requesting-user-name', entry.job.owner),
  ];
  let answer;
  try {
    answer = await upstream.send(upstreamRequest(IppOperation.getEncryptedJobAttributes, upstream.uri, ops));
  } catch (err) {
    throw new IppStatusError(IppStatus.serverErrorServiceUnavailable, 'the upstream printer cannot be reached right now; try again shortly', { cause: err });
  }
  const m = answer.message;
  const statusMessage = stringValue(findAttribute(m, GroupTag.operation, 'status-message'));
  return {
    status: m.code,
    ...(statusMessage ? { statusMessage } : {}),
    operationAttributes: (m.groups[0]?.tag === GroupTag.operation ? m.groups[0].attributes : []).filter((a) => !OWN.has(a.name)),
    groups: m.groups.slice(1),
    // The sealed answer: passed on as a stream, never buffered or inspected.
    data: answer.data,
  };
}
