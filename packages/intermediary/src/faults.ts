/**
 * Deterministic fault injection for crash-safety tests. A test names a point in the job's life and
 * the intermediary kills itself (SIGKILL: no cleanup, no flush) the Nth time it passes there, so a
 * restart must cope with exactly the on-disk state a power cut at that point would leave.
 *
 * Enabled only through `IntermediaryOptions.faults` or the TNO_INTERMEDIARY_FAULT environment
 * variable (`point` or `point@N`); with neither, `hit()` is a no-op.
 */
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

export interface FaultHook {
  hit(point: FaultPoint): void;
}

export const noFaults: FaultHook = { hit() {} };

/** Parses `point` or `point@N` (N ≥ 1, default 1) into a hook that SIGKILLs the process. */
export function faultsFromSpec(spec: string | undefined, kill: () => void = () => process.kill(process.pid, 'SIGKILL')): FaultHook {
  if (!spec) return noFaults;
  const m = /^([a-z.]+)(?:@(\d+))?$/.exec(spec);
  if (!m || !(FaultPoint as readonly string[]).includes(m[1]!)) {
    throw new RangeError(`TNO_INTERMEDIARY_FAULT: expected one of ${FaultPoint.join(', ')} optionally followed by @N, got ${JSON.stringify(spec)}`);
  }
  const point = m[1] as FaultPoint;
  let remaining = m[2] ? Number(m[2]) : 1;
  if (!(remaining >= 1)) throw new RangeError(`TNO_INTERMEDIARY_FAULT: N must be ≥ 1, got ${m[2]}`);
  return {
    hit(p) {
      if (p !== point) return;
      remaining -= 1;
      if (remaining === 0) kill();
    },
  };
}
