/**
 * Which target attributes an operation needs (RFC 8011 §4.1.5 and the operation definitions of
 * RFC 8011 §4.2-4.3, PWG 5100.5/5100.11/5100.18/5100.22, TRUSTNOONE). `job` means job-uri, or
 * printer-uri together with job-id. The per-operation table (operations/required.ts) decides for
 * the operations it covers; the lists below cover the other registered operations.
 */
import { operationRule } from './operations/required.js';
import type { Target } from './operations/rule.js';

export type { Target } from './operations/rule.js';

/** Job operations the table does not cover: RFC 3998, PWG 5100.5 document operations, 5100.11, 5100.17. */
const JOB_OPERATIONS = [0x002c, 0x002f, 0x0030, 0x0031, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, 0x003a, 0x003e, 0x004a];
/** PWG 5100.22 System Service operations the table does not cover. */
const SYSTEM_OPERATIONS = [
  0x004b, 0x004c, 0x004d, 0x004e, 0x004f, 0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057, 0x0058, 0x0059, 0x005a,
  0x005b, 0x005c, 0x005d, 0x005e, 0x0060, 0x0061, 0x0062, 0x0063, 0x0064, 0x0067,
]; // not 0x0065 Get-Printer-Resources, nor 0x0066 Get-User-Printer-Attributes: Printer operations
/** RFC 8011 §5.4.15: 0x4000-0x7FFF are vendor operations with their own targets (CUPS-Get-Printers has none). */
const FIRST_VENDOR_OPERATION = 0x4000;
/** Subscription operations target the printer or (PWG 5100.22) the system. */
const EITHER_OPERATIONS = [0x0016, 0x0018, 0x0019, 0x001a, 0x001b];

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
