/**
 * The one clock this intermediary's Printer object reports times on (RFC 8011 §5.4.29
 * printer-up-time, §5.3.14 time-at-* and job-printer-up-time): seconds counted from 1 at its epoch.
 * The epoch is when it started, moved back to the creation of the oldest job it still holds, so a
 * restart keeps the retained jobs' times at 1 or more — RFC 8011 §5.4.29 lets a Printer resume
 * its up-time rather than restart from 1, and ipptool's ipp-1.1 test wants time-at-* ≥ 0.
 * Times relayed from the upstream printer are on its clock and are converted (printer.ts).
 */
export class UpTimeClock {
  #epochMs: number;

  constructor(epochMs: number = Date.now()) {
    this.#epochMs = epochMs;
  }

  /** Moves the epoch back to `ms` if that is earlier (a recovered job's creation). */
  include(ms: number): void {
    if (Number.isFinite(ms) && ms < this.#epochMs) this.#epochMs = ms;
  }

  /** The up-time value of the instant `ms` (ms since the Unix epoch); never below 1. */
  at(ms: number): number {
    return Math.max(1, Math.floor((ms - this.#epochMs) / 1000) + 1);
  }

  /** printer-up-time now. */
  now(): number {
    return this.at(Date.now());
  }
}
