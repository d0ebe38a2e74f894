/**
 * Deterministic fault injection for the servers' crash-safety tests (the intermediary's and the
 * printer's faults.ts name their points). A spec `point`, `point@N` (N ≥ 1, default 1), either
 * followed by `:SIGTERM`, makes the process signal itself the Nth time it passes `point`: SIGKILL by
 * default (a power cut: no cleanup, no flush), SIGTERM to start the clean shutdown from exactly
 * there. One parser for both servers, so a spec means the same thing whichever process it names.
 */

/** What a server calls at each named point; a no-op unless a spec armed it. */
export interface FaultHook<P extends string> {
  hit(point: P): void;
}

/** The hook of a process started without a fault spec. */
export const noFaultHook: FaultHook<never> = { hit() {} };

/**
 * Parses `spec` against `points` into a hook. `variable` names where the spec came from (e.g.
 * TNO_PRINTER_FAULT) so a malformed one is reported where the user can fix it.
 */
export function faultHookFromSpec<P extends string>(
  points: readonly P[],
  variable: string,
  spec: string | undefined,
  kill: (signal: NodeJS.Signals) => void = (signal) => process.kill(process.pid, signal),
): FaultHook<P> {
  if (!spec) return noFaultHook;
  const m = /^([a-z.]+)(?:@(\d+))?(?::(SIGKILL|SIGTERM))?$/.exec(spec);
  if (!m || !(points as readonly string[]).includes(m[1]!)) {
    throw new RangeError(`${variable}: expected one of ${points.join(', ')} optionally followed by @N and :SIGTERM, got ${JSON.stringify(spec)}`);
  }
  const point = m[1] as P;
  const signal = (m[3] ?? 'SIGKILL') as NodeJS.Signals;
  let remaining = m[2] ? Number(m[2]) : 1;
  if (!(remaining >= 1)) throw new RangeError(`${variable}: N must be ≥ 1, got ${m[2]}`);
  return {
    hit(p) {
      if (p !== point) return;
      remaining -= 1;
      if (remaining === 0) kill(signal);
    },
  };
}
