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
import { GroupTag } from '../model.js';
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
  [0x0002, printer('RFC 8011 §4.2.1')], // Print-Job
  [0x0003, printer('RFC 8011 §4.2.2', ['document-uri'])], // Print-URI
  [0x0004, printer('RFC 8011 §4.2.3')], // Validate-Job
  [0x0005, printer('RFC 8011 §4.2.4')], // Create-Job
  [0x0006, job('RFC 8011 §4.3.1', ['last-document'])], // Send-Document
  [0x0007, job('RFC 8011 §4.3.2', ['document-uri', 'last-document'])], // Send-URI
  [0x0008, job('RFC 8011 §4.3.3')], // Cancel-Job
  [0x0009, job('RFC 8011 §4.3.4')], // Get-Job-Attributes
  [0x000a, printer('RFC 8011 §4.2.6')], // Get-Jobs
  [0x000b, printer('RFC 8011 §4.2.5')], // Get-Printer-Attributes
  [0x000c, job('RFC 8011 §4.3.5')], // Hold-Job
  [0x000d, job('RFC 8011 §4.3.6')], // Release-Job
  [0x000e, job('RFC 8011 §4.3.7')], // Restart-Job
  [0x0010, printer('RFC 8011 §4.2.7')], // Pause-Printer
  [0x0011, printer('RFC 8011 §4.2.8')], // Resume-Printer
  [0x0012, printer('RFC 8011 §4.2.9')], // Purge-Jobs
  // Set-Job-Attributes: the changes travel in a Job Attributes group, which may not be absent.
  [0x0014, { source: 'RFC 3380 §4.2', target: 'job', requiredGroup: GroupTag.job }],
  // Create-Job-Subscriptions names its job with notify-job-id, not job-id or job-uri.
  [0x0017, printer('RFC 3995 §11.1', ['notify-job-id'])],
  // Get-Notifications: a Printer's, or under PWG 5100.22 a System's, subscriptions.
  [0x001c, { source: 'RFC 3996 §5, PWG 5100.22', target: 'printer-or-system', required: ['notify-subscription-ids'] }],
  [0x0038, printer('PWG 5100.11')], // Cancel-Jobs
  [0x0039, printer('PWG 5100.11')], // Cancel-My-Jobs
  [0x003b, job('PWG 5100.11')], // Close-Job
  [0x003c, printer('PWG 5100.13')], // Identify-Printer
  [0x003f, infra('PWG 5100.18', ['job-id', 'document-number'])], // Acknowledge-Document
  [0x0040, infra('PWG 5100.18')], // Acknowledge-Identify-Printer
  [0x0041, infra('PWG 5100.18', ['job-id'])], // Acknowledge-Job
  [0x0042, infra('PWG 5100.18', ['job-id', 'document-number'])], // Fetch-Document
  [0x0043, infra('PWG 5100.18', ['job-id'])], // Fetch-Job
  [0x0044, infra('PWG 5100.18')], // Get-Output-Device-Attributes
  // Update-Active-Jobs: a Proxy holding no job sends neither list (IPP has no empty 1setOf), so the
  // two are required only together, value for value.
  [0x0045, { ...infra('PWG 5100.18'), paired: [['job-ids', 'output-device-job-states']] }],
  [0x0046, infra('PWG 5100.18')], // Deregister-Output-Device
  [0x0047, infra('PWG 5100.18', ['job-id', 'document-number'])], // Update-Document-Status
  [0x0048, infra('PWG 5100.18', ['job-id'])], // Update-Job-Status
  [0x0049, infra('PWG 5100.18')], // Update-Output-Device-Attributes
  [0x005f, { source: 'PWG 5100.22', target: 'system', required: ['output-device-uuid'] }], // Register-Output-Device
  // TRUSTNOONE (docs/spec-notes.md §2): the Proxy answers a recorded request by its id; it may fetch the
  // next waiting request without one.
  [0x0068, infra('TRUSTNOONE docs/spec-notes.md §2', ['encrypted-job-request-id'])], // Acknowledge-Encrypted-Job-Attributes
  [0x0069, infra('TRUSTNOONE docs/spec-notes.md §2')], // Fetch-Encrypted-Job-Attributes
  // The owner's certificate is where the sealed answer goes: without it there is nothing to seal to.
  [0x006a, job('TRUSTNOONE docs/spec-notes.md §2', ['requesting-user-pkcs7-public-key'])], // Get-Encrypted-Job-Attributes
]);

export function operationRule(code: number): OperationRule | undefined {
  return OPERATION_RULES.get(code);
}
