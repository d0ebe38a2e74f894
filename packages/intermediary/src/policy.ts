/**
 * The end-to-end policy (default on): a submission must be sealed — document-format
 * application/pkcs7-mime and no Job Template (or other descriptive) attribute in clear. The rules
 * themselves are the TRUSTNOONE profile's (@trustnoone/profile, IPP level only); this module turns
 * a violation into the IPP answer: the status the profile assigns, a message saying why, and the
 * offending attributes in the Unsupported Attributes group (RFC 8011 §4.1.7).
 */
import { GroupTag, IppStatus, type IppAttribute, type IppGroup, type IppMessage } from '@trustnoone/ipp';
import { Attr, checkOuterRequest, isCleartextAllowed, PKCS7_MIME } from '@trustnoone/profile';
import { stringValue, operationAttribute } from './attrs.js';
import { IppStatusError } from '@trustnoone/ipp-http';

export class PolicyViolation extends IppStatusError {
  readonly unsupported: IppGroup;
  constructor(status: number, message: string, unsupported: IppGroup) {
    super(status, message);
    this.name = 'PolicyViolation';
    this.unsupported = unsupported;
  }
}

/** Throws PolicyViolation if `message` is a submission that would leak job content in clear. */
export function enforceEndToEnd(message: IppMessage): void {
  const violations = checkOuterRequest(message);
  if (violations.length === 0) return;
  // The document-format violation decides the status when present (RFC 8011 §4.1.7 lets one status stand for all).
  const first = violations.find((v) => v.attribute === 'document-format') ?? violations[0]!;
  const names = [...new Set(violations.map((v) => v.attribute))];
  const why =
    violations.length === 1
      ? `${first.message} (this intermediary requires end-to-end encrypted jobs)`
      : `${first.message}; also refused in clear: ${names.filter((n) => n !== first.attribute).join(', ')} (this intermediary requires end-to-end encrypted jobs)`;
  throw new PolicyViolation(first.status, why, {
    tag: GroupTag.unsupported,
    attributes: names.map((name) => ({ name, values: [{ tag: 'unsupported' }] })),
  });
}

/**
 * The request submits a sealed document: document-format application/pkcs7-mime, or the
 * TRUSTNOONE encrypted-job-request-format. Such a submission follows the profile's cleartext rules
 * even when the intermediary also takes cleartext jobs (--allow-cleartext): the printer refuses a
 * sealed job with Job Template attributes in clear, so accepting it would only defer the refusal.
 */
export function isSealedSubmission(message: IppMessage): boolean {
  return stringValue(operationAttribute(message, Attr.documentFormat))?.toLowerCase() === PKCS7_MIME || operationAttribute(message, Attr.encryptedJobRequestFormat) !== undefined;
}

/**
 * A sealed Send-Document into a job whose Create-Job carried attributes in clear that the profile
 * keeps sealed (possible only with --allow-cleartext): the printer would refuse the job once the
 * document arrives, so the document is refused now, naming them.
 */
export function enforceSealedJobCreation(created: { readonly attributes: readonly IppAttribute[]; readonly jobAttributes: readonly IppAttribute[] }): void {
  const names = [...new Set([...created.attributes.filter((a) => !isCleartextAllowed(a.name, 'Create-Job')).map((a) => a.name), ...created.jobAttributes.map((a) => a.name)])];
  if (names.length === 0) return;
  throw new PolicyViolation(IppStatus.clientErrorAttributesOrValuesNotSupported, `this job was created with ${names.join(', ')} in clear; a sealed document cannot join it (create the job with only routing attributes and seal the rest)`, {
    tag: GroupTag.unsupported,
    attributes: names.map((name) => ({ name, values: [{ tag: 'unsupported' }] })),
  });
}
