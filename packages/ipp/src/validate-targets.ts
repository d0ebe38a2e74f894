/**
 * Which target attributes an operation needs (RFC 8011 §4.1.5 and the operation definitions of
 * RFC 8011 §4.2-4.3, PWG 5100.5/5100.11/5100.18/5100.22, TRUSTNOONE). `job` means job-uri, or
 * printer-uri together with job-id. The per-operation table (operations/required.ts) decides for
 * the operations it covers; the lists below cover the other registered operations.
 */
import { IppOperation } from './registry/constants.js';
import { operationRule } from './operations/required.js';
import type { Target } from './operations/rule.js';

export type { Target } from './operations/rule.js';

/** Job operations the table does not cover: RFC 3998, PWG 5100.5 document operations, 5100.11, 5100.17. */
const JOB_OPERATIONS = [IppOperation.reprocessJob, IppOperation.resumeJob, IppOperation.promoteJob, IppOperation.scheduleJobAfter, IppOperation.cancelDocument, IppOperation.getDocumentAttributes, IppOperation.getDocuments, IppOperation.deleteDocument, IppOperation.setDocumentAttributes, IppOperation.resubmitJob, IppOperation.addDocumentImages, IppOperation.getNextDocumentData];
/** PWG 5100.22 System Service operations the table does not cover. */
// Not Get-Printer-Resources nor Get-User-Printer-Attributes: those are Printer operations.
const SYSTEM_OPERATIONS = (
  [
    'allocatePrinterResources', 'createPrinter', 'deallocatePrinterResources', 'deletePrinter', 'getPrinters', 'shutdownOnePrinter', 'startupOnePrinter',
    'cancelResource', 'createResource', 'installResource', 'sendResourceData', 'setResourceAttributes', 'createResourceSubscriptions', 'createSystemSubscriptions',
    'disableAllPrinters', 'enableAllPrinters', 'getSystemAttributes', 'getSystemSupportedValues', 'pauseAllPrinters', 'pauseAllPrintersAfterCurrentJob',
    'restartSystem', 'resumeAllPrinters', 'setSystemAttributes', 'shutdownAllPrinters', 'startupAllPrinters', 'restartOnePrinter',
  ] as const
).map((name) => IppOperation[name]);
/** RFC 8011 §5.4.15: 0x4000-0x7FFF are vendor operations with their own targets (CUPS-Get-Printers has none). */
const FIRST_VENDOR_OPERATION = 0x4000;
/** Subscription operations target the printer or (PWG 5100.22) the system. */
const EITHER_OPERATIONS = [IppOperation.createPrinterSubscriptions, IppOperation.getSubscriptionAttributes, IppOperation.getSubscriptions, IppOperation.renewSubscription, IppOperation.cancelSubscription];

const TARGETS = new Map<number, Target>([
  ...JOB_OPERATIONS.map((c): [number, Target] => [c, 'job']),
  ...SYSTEM_OPERATIONS.map((c): [number, Target] => [c, 'system']),
  ...EITHER_OPERATIONS.map((c): [number, Target] => [c, 'printer-or-system']),
]);

/**
 * The target an operation needs; every other registered printer operation targets the printer.
 * Undefined for vendor operations: what they need is theirs to define, and a server that does not
 * implement one answers operation-not-supported rather than a guessed bad-request.
 */
export function operationTarget(code: number): Target | undefined {
  const known = operationRule(code)?.target ?? TARGETS.get(code);
  if (known !== undefined) return known;
  return code >= FIRST_VENDOR_OPERATION ? undefined : 'printer';
}
