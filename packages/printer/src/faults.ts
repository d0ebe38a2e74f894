/**
 * Deterministic fault injection for crash-safety tests, as the intermediary has (its faults.ts):
 * a test names a point in a job's life at the printer and the printer signals itself the Nth time
 * it passes there — SIGKILL by default (a power cut: no cleanup, no flush), or SIGTERM to start
 * its clean shutdown from exactly that point. The next start must then cope with what is on disk.
 *
 * Enabled only through `PrinterOptions.faults` or the TNO_PRINTER_FAULT environment variable
 * (`point`, `point@N`, either followed by `:SIGTERM`); with neither, `hit()` is a no-op.
 */
import { faultHookFromSpec, noFaultHook, type FaultHook as PointHook } from '@trustnoone/ipp-http/fault-points';

export const PrinterFaultPoint = [
  'create.counted', // the job id is on disk, the job's record not yet
  'create.recorded', // the job's record is on disk, the creation not yet answered
  'receive.chunk', // a chunk of a document's ciphertext was kept (the upload is under way)
  'receive.kept', // the whole ciphertext is kept and fsynced, not yet verified
  'receive.claimed', // the job nonce's claim is in the job's record, not yet in the replay cache
  'receive.opened', // opened and verified (nonce claimed), the document not yet recorded as accepted
  'receive.accepted', // the document is recorded as accepted, the sender not yet answered
  'render.started', // the job is printing, its pages not yet all rendered
  'render.done', // every page rendered, the job not yet recorded as completed
  'finish.manifest', // the manifest is written, the job's record not yet removed
] as const;
export type PrinterFaultPoint = (typeof PrinterFaultPoint)[number];

/** The hook the printer calls at each point (the parser is @trustnoone/ipp-http/fault-points). */
export type PrinterFaultHook = PointHook<PrinterFaultPoint>;

export const noPrinterFaults: PrinterFaultHook = noFaultHook;

/** Parses `point[@N][:SIGTERM]` against this server's points into a hook that signals the process. */
export function printerFaultsFromSpec(spec: string | undefined, kill?: (signal: NodeJS.Signals) => void): PrinterFaultHook {
  return faultHookFromSpec(PrinterFaultPoint, 'TNO_PRINTER_FAULT', spec, kill);
}
