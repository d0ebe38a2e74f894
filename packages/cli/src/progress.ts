/**
 * An upload progress bar on stderr. On a terminal it redraws one line (carriage return); otherwise
 * (a pipe, a log file, CI) it writes a plain line at each quarter so logs stay readable.
 */
import type { Io } from './command.js';

/** Uploads smaller than this finish before a bar is worth reading. */
export const PROGRESS_THRESHOLD = 4 * 1024 * 1024;

function mb(n: number): string {
  return (n / (1024 * 1024)).toFixed(1);
}

export class ProgressBar {
  readonly #io: Io;
  readonly #tty: boolean;
  #lastDraw = 0;
  #lastQuarter = -1;
  #open = false;
  #start = 0;

  constructor(io: Io) {
    this.#io = io;
    this.#tty = (io.stderr as NodeJS.WriteStream).isTTY === true;
  }

  update(label: string, bytes: number, total: number | undefined): void {
    if (total === undefined || total < PROGRESS_THRESHOLD) return;
    const fraction = Math.min(1, bytes / total);
    const percent = Math.floor(fraction * 100);
    const now = Date.now();
    if (this.#start === 0) this.#start = now;
    // Rate over the whole upload so far; the ETA assumes it holds.
    const seconds = (now - this.#start) / 1000;
    const rate = seconds > 0 ? bytes / seconds : undefined;
    const speed = rate ? ` ${mb(rate)} MB/s${fraction < 1 ? `, ETA ${Math.ceil((total - bytes) / rate)} s` : ''}` : '';
    if (this.#tty) {
      if (now - this.#lastDraw < 100 && fraction < 1) return;
      this.#lastDraw = now;
      const width = 30;
      const filled = Math.round(fraction * width);
      this.#io.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${mb(bytes)}/${mb(total)} MB${speed}\x1b[K`);
      this.#open = true;
      if (fraction >= 1) this.done();
      return;
    }
    const quarter = Math.floor(fraction * 4);
    if (quarter > this.#lastQuarter) {
      this.#lastQuarter = quarter;
      this.#io.stderr.write(`${label}: ${quarter * 25}% of ${mb(total)} MB sent${speed}\n`);
    }
  }

  /** Ends the bar's line (before anything else is written to stderr). */
  done(): void {
    if (this.#open) this.#io.stderr.write('\n');
    this.#open = false;
    this.#lastQuarter = -1;
    this.#start = 0;
  }
}
