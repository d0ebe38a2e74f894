/**
 * Deterministic fault injection for crash-safety tests. A test names a point in the job's life and
 * the intermediary kills itself (SIGKILL: no cleanup, no flush) the Nth time it passes there, so a
 * restart must cope with exactly the on-disk state a power cut at that point would leave; or sends
 * itself SIGTERM there, so its clean shutdown starts from that point.
 *
 * Enabled only through `IntermediaryOptions.faults` or the TNO_INTERMEDIARY_FAULT environment
 * variable (`point`, `point@N`, either with `:SIGTERM`); with neither, `hit()` is a no-op.
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

/**
 * Parses `point`, `point@N` (N ≥ 1, default 1) and either followed by `:SIGTERM` into a hook that
 * signals the process the Nth time it passes there: SIGKILL by default (a power cut), SIGTERM to
 * test the clean shutdown from exactly that point.
 */
export function faultsFromSpec(spec: string | undefined, kill: (signal: NodeJS.Signals) => void = (signal) => process.kill(process.pid, signal)): FaultHook {
  if (!spec) return noFaults;
  const m = /^([a-z.]+)(?:@(\d+))?(?::(SIGKILL|SIGTERM))?$/.exec(spec);
  if (!m || !(FaultPoint as readonly string[]).includes(m[1]!)) {
    throw new RangeError(`TNO_INTERMEDIARY_FAULT: expected one of ${FaultPoint.join(', ')} optionally followed by @N and :SIGTERM, got ${JSON.stringify(spec)}`);
  }
  const point = m[1] as FaultPoint;
  const signal = (m[3] ?? 'SIGKILL') as NodeJS.Signals;
  let remaining = m[2] ? Number(m[2]) : 1;
  if (!(remaining >= 1)) throw new RangeError(`TNO_INTERMEDIARY_FAULT: N must be ≥ 1, got ${m[2]}`);
  return {
    hit(p) {
      if (p !== point) return;
      remaining -= 1;
      if (remaining === 0) kill(signal);
    },
  };
}
