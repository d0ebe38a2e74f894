/**
 * The end-to-end policy (default on): a submission must be sealed — document-format
 * application/pkcs7-mime and no Job Template (or other descriptive) attribute in clear. The rules
 * themselves are the TRUSTNOONE profile's (@trustnoone/profile, IPP level only); this module turns
 * a violation into the IPP answer: the status the profile assigns, a message saying why, and the
 * offending attributes in the Unsupported Attributes group (RFC 8011 §4.1.7).
 */
import { GroupTag, type IppGroup, type IppMessage } from '@trustnoone/ipp';
import { checkOuterRequest } from '@trustnoone/profile';
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
