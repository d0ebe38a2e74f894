/**
 * The device side of Get-Encrypted-Job-Attributes in pull mode (docs/spec-notes.md §2, §5):
 * Fetch-Encrypted-Job-Attributes (0x0069) hands the device an owner's recorded request;
 * Acknowledge-Encrypted-Job-Attributes (0x0068) carries the printer's answer — the job attributes
 * sealed to the owner's certificate and signed by the printer — which completes the owner's
 * waiting request byte for byte. Only the device the job is bound to sees or answers a request.
 */
import { IppStatus } from '@trustnoone/ipp';
import { IppStatusError, type IppReply, type IppRequestContext } from '@trustnoone/ipp-http';
import { attr, integerValue, operationAttribute, stringValue } from '../attrs.js';
import type { Service } from '../service.js';
import { deviceOf } from './device-auth.js';
import type { InfraQueue } from './queue.js';

type Handler = (service: Service, ctx: IppRequestContext) => Promise<IppReply>;

export function fetchEncryptedJobAttributes(q: InfraQueue): Handler {
  return async (service, ctx) => {
    const device = deviceOf(service, q, ctx);
    const id = integerValue(operationAttribute(ctx.message, 'encrypted-job-request-id'));
    const request = id !== undefined ? await q.requests.get(id) : (await q.requests.forDevice(device.uuid)).find((r) => !r.fetched);
    if (!request || request.device !== device.uuid) {
      throw new IppStatusError(IppStatus.clientErrorNotFound, id !== undefined ? `no encrypted-job-request-id ${id} for this output device (it may have timed out)` : 'no encrypted job attribute request is waiting');
    }
    await q.requests.markFetched(request.id);
    return {
      status: IppStatus.successfulOk,
      operationAttributes: [attr.integer('encrypted-job-request-id', request.id), ...request.operation.filter((a) => a.name !== 'encrypted-job-request-id')],
    };
  };
}

async function readBounded(ctx: IppRequestContext, max: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of ctx.data) {
    n += (chunk as Buffer).length;
    if (n > max) throw new IppStatusError(IppStatus.clientErrorRequestEntityTooLarge, `the sealed answer exceeds ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function acknowledgeEncryptedJobAttributes(q: InfraQueue): Handler {
  return async (service, ctx) => {
    const device = deviceOf(service, q, ctx);
    const id = integerValue(operationAttribute(ctx.message, 'encrypted-job-request-id'));
    if (id === undefined) throw new IppStatusError(IppStatus.clientErrorBadRequest, 'encrypted-job-request-id is required');
    const request = await q.requests.get(id);
    if (!request || request.device !== device.uuid) throw new IppStatusError(IppStatus.clientErrorNotFound, `no encrypted-job-request-id ${id} for this output device (it may have timed out)`);
    // The printer's own status for the owner's request (e.g. not the owner there): relayed as is.
    const status = integerValue(operationAttribute(ctx.message, 'fetch-status-code')) ?? IppStatus.successfulOk;
    const statusMessage = stringValue(operationAttribute(ctx.message, 'fetch-status-message'));
    const sealed = await readBounded(ctx, q.options.maxEncryptedAnswerBytes ?? 1024 * 1024);
    if (status === IppStatus.successfulOk && sealed.length === 0) throw new IppStatusError(IppStatus.clientErrorBadRequest, 'a successful answer carries the sealed attributes as document data');
    const delivered = await q.requests.answer(id, {
      status,
      ...(statusMessage ? { statusMessage } : {}),
      operation: status === IppStatus.successfulOk ? [attr.mimeMediaType('document-format', 'application/pkcs7-mime'), attr.mimeMediaType('encrypted-job-request-format', 'application/ipp')] : [],
      sealed,
    });
    if (!delivered) throw new IppStatusError(IppStatus.clientErrorNotFound, `encrypted-job-request-id ${id} timed out before the answer came`);
    ctx.log.info({ jobId: request.jobId, requestId: id, bytes: sealed.length }, 'infra: encrypted job attributes relayed to the owner');
    return { status: IppStatus.successfulOk };
  };
}
