/**
 * Per-operation request rules as data: target, REQUIRED operation attributes, paired attributes,
 * required groups. Only what the defining document says the client MUST send is here; anything
 * RECOMMENDED or OPTIONAL (requesting-user-name, job-name, document-format, ...) is not, because a
 * Printer must accept a request without it. Operations absent from this table are passed through:
 * the Printer answers server-error-operation-not-supported itself, or applies rules of its own.
 *
 * Sources: RFC 8011 §4.2-4.3; RFC 3380 §4 (Set-Job-Attributes); RFC 3995 §11.1 / RFC 3996 §5
 * (subscriptions, Get-Notifications); PWG 5100.11 (Cancel-Jobs, Cancel-My-Jobs, Close-Job);
 * PWG 5100.13 (Identify-Printer); PWG 5100.18 INFRA §6 (every Proxy request names its
 * output-device-uuid and its job by printer-uri + job-id); PWG 5100.22 (Register-Output-Device, a
 * System Service operation); TRUSTNOONE (docs/spec-notes.md §1-2, §5).
 */
import { GroupTag, IppOperation } from '../model.js';
import type { OperationRule } from './rule.js';

const printer = (source: string, required?: readonly string[]): OperationRule => ({ source, target: 'printer', ...(required ? { required } : {}) });
const job = (source: string, required?: readonly string[]): OperationRule => ({ source, target: 'job', ...(required ? { required } : {}) });
/**
 * INFRA Proxy operations: printer-uri names the Infrastructure Printer, output-device-uuid the
 * Proxy, and job operations carry job-id as a REQUIRED attribute rather than offering job-uri as
 * RFC 8011 job operations do. (The ippsample server is laxer and also finds a job by job-uri.)
 */
const infra = (source: string, required: readonly string[] = []): OperationRule => printer(source, ['output-device-uuid', ...required]);

export const OPERATION_RULES: ReadonlyMap<number, OperationRule> = new Map<number, OperationRule>([
  [IppOperation.printJob, printer('RFC 8011 §4.2.1')],
  [IppOperation.printUri, printer('RFC 8011 §4.2.2', ['document-uri'])],
  [IppOperation.validateJob, printer('RFC 8011 §4.2.3')],
  [IppOperation.createJob, printer('RFC 8011 §4.2.4')],
  [IppOperation.sendDocument, job('RFC 8011 §4.3.1', ['last-document'])],
  [IppOperation.sendUri, job('RFC 8011 §4.3.2', ['document-uri', 'last-document'])],
  [IppOperation.cancelJob, job('RFC 8011 §4.3.3')],
  [IppOperation.getJobAttributes, job('RFC 8011 §4.3.4')],
  [IppOperation.getJobs, printer('RFC 8011 §4.2.6')],
  [IppOperation.getPrinterAttributes, printer('RFC 8011 §4.2.5')],
  [IppOperation.holdJob, job('RFC 8011 §4.3.5')],
  [IppOperation.releaseJob, job('RFC 8011 §4.3.6')],
  [IppOperation.restartJob, job('RFC 8011 §4.3.7')],
  [IppOperation.pausePrinter, printer('RFC 8011 §4.2.7')],
  [IppOperation.resumePrinter, printer('RFC 8011 §4.2.8')],
  [IppOperation.purgeJobs, printer('RFC 8011 §4.2.9')],
  // Set-Job-Attributes: the changes travel in a Job Attributes group, which may not be absent.
  [IppOperation.setJobAttributes, { source: 'RFC 3380 §4.2', target: 'job', requiredGroup: GroupTag.job }],
  // Create-Job-Subscriptions names its job with notify-job-id, not job-id or job-uri.
  [IppOperation.createJobSubscriptions, printer('RFC 3995 §11.1', ['notify-job-id'])],
  // Get-Notifications: a Printer's, or under PWG 5100.22 a System's, subscriptions.
  [IppOperation.getNotifications, { source: 'RFC 3996 §5, PWG 5100.22', target: 'printer-or-system', required: ['notify-subscription-ids'] }],
  [IppOperation.cancelJobs, printer('PWG 5100.11')],
  [IppOperation.cancelMyJobs, printer('PWG 5100.11')],
  [IppOperation.closeJob, job('PWG 5100.11')],
  [IppOperation.identifyPrinter, printer('PWG 5100.13')],
  [IppOperation.acknowledgeDocument, infra('PWG 5100.18', ['job-id', 'document-number'])],
  [IppOperation.acknowledgeIdentifyPrinter, infra('PWG 5100.18')],
  [IppOperation.acknowledgeJob, infra('PWG 5100.18', ['job-id'])],
  [IppOperation.fetchDocument, infra('PWG 5100.18', ['job-id', 'document-number'])],
  [IppOperation.fetchJob, infra('PWG 5100.18', ['job-id'])],
  [IppOperation.getOutputDeviceAttributes, infra('PWG 5100.18')],
  // Update-Active-Jobs: a Proxy holding no job sends neither list (IPP has no empty 1setOf), so the
  // two are required only together, value for value.
  [IppOperation.updateActiveJobs, { ...infra('PWG 5100.18'), paired: [['job-ids', 'output-device-job-states']] }],
  [IppOperation.deregisterOutputDevice, infra('PWG 5100.18')],
  [IppOperation.updateDocumentStatus, infra('PWG 5100.18', ['job-id', 'document-number'])],
  [IppOperation.updateJobStatus, infra('PWG 5100.18', ['job-id'])],
  [IppOperation.updateOutputDeviceAttributes, infra('PWG 5100.18')],
  [IppOperation.registerOutputDevice, { source: 'PWG 5100.22', target: 'system', required: ['output-device-uuid'] }],
  // TRUSTNOONE (docs/spec-notes.md §2): the Proxy answers a recorded request by its id; it may fetch the
  // next waiting request without one.
  [IppOperation.acknowledgeEncryptedJobAttributes, infra('TRUSTNOONE docs/spec-notes.md §2', ['encrypted-job-request-id'])],
  [IppOperation.fetchEncryptedJobAttributes, infra('TRUSTNOONE docs/spec-notes.md §2')],
  // The owner's certificate is where the sealed answer goes: without it there is nothing to seal to.
  [IppOperation.getEncryptedJobAttributes, job('TRUSTNOONE docs/spec-notes.md §2', ['requesting-user-pkcs7-public-key'])],
]);

export function operationRule(code: number): OperationRule | undefined {
  return OPERATION_RULES.get(code);
}
