/**
 * The operations this printer serves, one row each: the code and the handler for it. The transport
 * dispatches by this table and Get-Printer-Attributes advertises its codes as operations-supported
 * (RFC 8011 §5.4.15), so what is advertised and what is answered cannot disagree.
 */
import { IppOperation } from '@trustnoone/ipp';
import type { IppHandler } from '@trustnoone/ipp-http';
import type { PrinterRuntime } from '../runtime.js';
import type { KeyStore } from '../secure/key-store.js';
import { guard } from '../requests/refusal.js';
import { cancelJob, cancelMyJobs } from './cancel-ops.js';
import { getEncryptedJobAttributes } from './encrypted-attributes-op.js';
import { holdJob, releaseJob } from './hold-ops.js';
import { closeJob, createJobOp, printJob, sendDocument, validateJob } from './job-ops.js';
import { getJobAttributes, getJobs, getPrinterAttributes, identifyPrinter } from './query-ops.js';

/** What a handler is built from: the runtime, and the key store for the one operation that seals. */
export interface OperationDeps {
  readonly runtime: PrinterRuntime;
  readonly keys: KeyStore;
}

type Row = readonly [code: number, make: (deps: OperationDeps) => IppHandler];

const OPERATIONS: readonly Row[] = [
  [IppOperation.printJob, ({ runtime }) => printJob(runtime)],
  [IppOperation.validateJob, ({ runtime }) => validateJob(runtime)],
  [IppOperation.createJob, ({ runtime }) => createJobOp(runtime)],
  [IppOperation.sendDocument, ({ runtime }) => sendDocument(runtime)],
  [IppOperation.cancelJob, ({ runtime }) => cancelJob(runtime)],
  [IppOperation.getJobAttributes, ({ runtime }) => getJobAttributes(runtime)],
  [IppOperation.getJobs, ({ runtime }) => getJobs(runtime)],
  [IppOperation.getPrinterAttributes, ({ runtime }) => getPrinterAttributes(runtime)],
  [IppOperation.holdJob, ({ runtime }) => holdJob(runtime)],
  [IppOperation.releaseJob, ({ runtime }) => releaseJob(runtime)],
  [IppOperation.cancelMyJobs, ({ runtime }) => cancelMyJobs(runtime)],
  [IppOperation.closeJob, ({ runtime }) => closeJob(runtime)],
  [IppOperation.identifyPrinter, ({ runtime }) => identifyPrinter(runtime)],
  [IppOperation.getEncryptedJobAttributes, ({ runtime, keys }) => getEncryptedJobAttributes(runtime, keys)],
];

/** operations-supported: the codes of the table, ascending. */
export const SUPPORTED_OPERATIONS: readonly number[] = OPERATIONS.map(([code]) => code).sort((a, b) => a - b);

/** The handlers by operation code, each guarded so a Refusal becomes its reply. */
export function operationHandlers(deps: OperationDeps): Map<number, IppHandler> {
  return new Map(OPERATIONS.map(([code, make]) => [code, guard(make(deps))]));
}
