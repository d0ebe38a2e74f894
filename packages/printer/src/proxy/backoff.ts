/**
 * How long the Proxy waits before trying the Infrastructure Printer again after a failure
 * (docs/decisions.md D40): the wait doubles from `initialMs` up to `maxMs`, and each wait is drawn
 * between half of it and all of it ("equal jitter"), so a fleet of devices cut off by one outage
 * does not come back in lockstep, yet a wait never falls below half the doubling sequence.
 */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** A number in [0, 1); default Math.random. */
  readonly random?: () => number;
}

export class Backoff {
  private ceiling: number;
  constructor(private readonly o: BackoffOptions) {
    this.ceiling = o.initialMs;
  }

  /** The next wait, in ms; the one after it is drawn from a doubled range. */
  next(): number {
    const ceiling = this.ceiling;
    this.ceiling = Math.min(ceiling * 2, this.o.maxMs);
    return Math.round(ceiling / 2 + (this.o.random ?? Math.random)() * (ceiling / 2));
  }

  /** After a success: the next failure waits from `initialMs` again. */
  reset(): void {
    this.ceiling = this.o.initialMs;
  }
}
