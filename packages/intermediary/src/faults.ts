/**
 * Deterministic fault injection for crash-safety tests. A test names a point in the job's life and
 * the intermediary kills itself (SIGKILL: no cleanup, no flush) the Nth time it passes there, so a
 * restart must cope with exactly the on-disk state a power cut at that point would leave; or sends
 * itself SIGTERM there, so its clean shutdown starts from that point.
 *
 * Enabled only through `IntermediaryOptions.faults` or the TNO_INTERMEDIARY_FAULT environment
 * variable (`point`, `point@N`, either with `:SIGTERM`); with neither, `hit()` is a no-op.
 */
import { faultHookFromSpec, noFaultHook, type FaultHook as PointHook } from '@trustnoone/ipp-http/fault-points';

export const FaultPoint = [
  'upload.chunk', // a document chunk reached the temp file
  'upload.synced', // the temp file is complete and fsynced, not yet part of a job
  'commit.staged', // the job directory is complete under tmp/, not yet renamed
  'commit.renamed', // renamed into jobs/, directory not yet fsynced, client not answered
  'respond.before', // committed; the client's answer not yet written
  'forward.created', // upstream Create-Job succeeded, its job-id not yet recorded
  'forward.recorded', // upstream job-id recorded, document not yet sent
  'forward.sending', // part of the document is on its way upstream
  'forward.sent', // upstream accepted the document, not yet recorded
  'forward.done', // delivery recorded
] as const;
export type FaultPoint = (typeof FaultPoint)[number];

/** The hook the intermediary calls at each point (the parser is @trustnoone/ipp-http/fault-points). */
export type FaultHook = PointHook<FaultPoint>;

export const noFaults: FaultHook = noFaultHook;

/** Parses `point[@N][:SIGTERM]` against this server's points into a hook that signals the process. */
export function faultsFromSpec(spec: string | undefined, kill?: (signal: NodeJS.Signals) => void): FaultHook {
  return faultHookFromSpec(FaultPoint, 'TNO_INTERMEDIARY_FAULT', spec, kill);
}
