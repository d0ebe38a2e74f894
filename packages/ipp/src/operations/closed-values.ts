/**
 * Operation attributes whose values come from a closed list the defining document gives, with the
 * status a Printer answers an unknown value with. Unlike a syntax error, such a value is echoed in
 * the Unsupported Attributes group (RFC 8011 §4.1.7), so the client learns which value to drop.
 * A Printer supporting fewer values (its *-supported attribute) passes its own list instead.
 */
import { IppOperation, IppStatus } from '../registry/constants.js';

export interface ClosedValues {
  readonly attribute: string;
  /** The operations the attribute has this meaning in. */
  readonly operations: readonly number[];
  readonly values: readonly string[];
  readonly status: number;
  readonly source: string;
}

export const CLOSED_VALUES: readonly ClosedValues[] = [
  {
    // RFC 8011 §4.2.6.1 defines completed and not-completed and asks for
    // client-error-attributes-or-values-not-supported on anything else; PWG 5100.7 and
    // PWG 5100.18 (fetchable) registered the rest.
    attribute: 'which-jobs',
    operations: [IppOperation.getJobs],
    values: ['aborted', 'all', 'canceled', 'completed', 'fetchable', 'not-completed', 'pending', 'pending-held', 'processing', 'processing-stopped', 'proof-and-suspend', 'proof-print', 'saved'],
    status: IppStatus.clientErrorAttributesOrValuesNotSupported,
    source: 'RFC 8011 §4.2.6.1, PWG 5100.7, PWG 5100.18',
  },
  {
    // RFC 8011 §4.2.1.1: an unsupported compression gets client-error-compression-not-supported.
    attribute: 'compression',
    operations: [IppOperation.printJob, IppOperation.printUri, IppOperation.validateJob, IppOperation.sendDocument, IppOperation.sendUri],
    values: ['compress', 'deflate', 'gzip', 'none'],
    status: IppStatus.clientErrorCompressionNotSupported,
    source: 'RFC 8011 §4.2.1.1',
  },
];
