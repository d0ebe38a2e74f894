/**
 * Validate-Job (RFC 8011 §4.2.3): the end-to-end policy is applied here first (a cleartext
 * document-format or Job Template attribute is refused as Print-Job would be), then the request is
 * relayed to the upstream printer, whose answer — status, message, unsupported attributes — the
 * client gets as is. No job is created and no data is accepted.
 *
 * Identify-Printer (PWG 5100.13 §4.1) is relayed the same way, without the policy step.
 */
import { GroupTag, type IppAttribute, IppOperation, IppStatus } from '@trustnoone/ipp';
import { IppStatusError, type IppReply, type IppRequestContext } from '@trustnoone/ipp-http';
import { PKCS7_MIME } from '@trustnoone/profile';
import { attr, findAttribute, operationAttribute, stringValue } from '../attrs.js';
import { PolicyViolation } from '../policy.js';
import type { Service } from '../service.js';
import { discard, passThroughOperationAttributes, upstreamRequest } from '../upstream/client.js';
import { checkAttributeCount, jobGroupAttributes, principalOf } from './request.js';

const OWN = new Set(['attributes-charset', 'attributes-natural-language', 'status-message']);

export async function validateJob(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  checkAttributeCount(service, ctx.message);
  const template = jobGroupAttributes(ctx.message);
  if (service.requireEncryption) {
    const format = stringValue(operationAttribute(ctx.message, 'document-format'));
    if (format !== undefined && format.toLowerCase() !== PKCS7_MIME) {
      throw new PolicyViolation(IppStatus.clientErrorDocumentFormatNotSupported, `document-format must be ${PKCS7_MIME} (this intermediary requires end-to-end encrypted jobs), got ${format}`, {
        tag: GroupTag.unsupported,
        attributes: [{ name: 'document-format', values: [{ tag: 'unsupported' }] }],
      });
    }
    if (template.length > 0) {
      const names = template.map((a) => a.name);
      throw new PolicyViolation(IppStatus.clientErrorAttributesOrValuesNotSupported, `${names.join(', ')} must not travel in clear: seal Job Template attributes inside the job`, {
        tag: GroupTag.unsupported,
        attributes: names.map((name) => ({ name, values: [{ tag: 'unsupported' as const }] })),
      });
    }
  }
  return relayPrinterOperation(service, ctx, IppOperation.validateJob, template);
}

export async function identifyPrinter(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  checkAttributeCount(service, ctx.message);
  return relayPrinterOperation(service, ctx, IppOperation.identifyPrinter, []);
}

/** Sends a data-less printer operation to the first upstream that answers and returns its reply. */
async function relayPrinterOperation(service: Service, ctx: IppRequestContext, code: number, template: readonly IppAttribute[]): Promise<IppReply> {
  const who = principalOf(service, ctx);
  const ops = [attr.name('requesting-user-name', who.name), ...passThroughOperationAttributes(ctx.message.groups[0]?.attributes ?? []).filter((a) => a.name !== 'requesting-user-name')];
  let lastError: unknown;
  for (const upstream of service.upstreams) {
    try {
      const answer = await upstream.send(upstreamRequest(code, upstream.uri, ops, template.length ? [{ tag: GroupTag.job, attributes: template }] : []));
      discard(answer.data);
      const m = answer.message;
      const statusMessage = stringValue(findAttribute(m, GroupTag.operation, 'status-message'));
      return {
        status: m.code,
        ...(statusMessage ? { statusMessage } : {}),
        operationAttributes: (m.groups[0]?.tag === GroupTag.operation ? m.groups[0].attributes : []).filter((a) => !OWN.has(a.name)),
        groups: m.groups.slice(1),
      };
    } catch (err) {
      lastError = err;
    }
  }
  throw new IppStatusError(IppStatus.serverErrorServiceUnavailable, 'the upstream printer cannot be reached right now; try again shortly', { cause: lastError });
}
