/** What of a spooled job goes upstream in clear: its owner, its routing attributes, its job group. */
import { GroupTag, IppStatus, type IppAttribute } from '@trustnoone/ipp';
import { attr } from '../attrs.js';
import type { SpoolJob } from '../spool/types.js';
import { passThroughOperationAttributes } from './client.js';

export function owner(job: SpoolJob): IppAttribute[] {
  return [attr.name('requesting-user-name', job.owner)];
}

/** The client's cleartext operation attributes, with the job's owner as requesting-user-name. */
export function submitAttributes(job: SpoolJob, attributes: readonly IppAttribute[]): IppAttribute[] {
  return [...owner(job), ...passThroughOperationAttributes(attributes).filter((a) => a.name !== 'requesting-user-name')];
}

export function jobGroup(job: SpoolJob): { tag: number; attributes: readonly IppAttribute[] }[] {
  return job.jobAttributes.length ? [{ tag: GroupTag.job, attributes: job.jobAttributes }] : [];
}

/**
 * job-state-reasons (RFC 8011 §5.3.8, PWG 5100.7, docs/spec-notes.md §2) that carry an upstream refusal's
 * meaning onto the job, so a client polling the intermediary learns what the printer said.
 */
export function reasonsFor(status: number): string[] {
  switch (status) {
    case IppStatus.clientErrorDocumentFormatNotSupported:
      return ['unsupported-document-format'];
    case IppStatus.clientErrorAttributesOrValuesNotSupported:
      return ['unsupported-attributes-or-values'];
    case IppStatus.clientErrorDocumentPasswordError:
      return ['document-password-error'];
    case IppStatus.clientErrorDocumentPermissionError:
      return ['document-permission-error'];
    case IppStatus.clientErrorDocumentSecurityError:
      return ['document-security-error'];
    default:
      return [];
  }
}
