/**
 * What `tno print` says on stderr while it follows a job (issue 15 item 4: never wait silently):
 * "accepted" as soon as the server has the job, with where it is waiting and why (an
 * intermediary reports "waiting for the upstream printer: <reason>" when it cannot forward), then
 * one line per phase change — waiting, held, printing (with impressions), stopped. The final state
 * is the result line on stdout. Server text is shown escaped (issue 12 item 7).
 */
import type { JobStatus } from '@trustnoone/client';
import type { Io } from './command.js';
import { terminalSafe } from './terminal-text.js';

const PHASE: Readonly<Record<string, string>> = {
  pending: 'waiting',
  'pending-held': 'held',
  processing: 'printing',
  'processing-stopped': 'stopped',
};

function why(s: JobStatus): string {
  const reasons = s.stateReasons.filter((r) => r !== 'none');
  const parts = [s.stateMessage?.replace(/\s+/g, ' ').slice(0, 200), reasons.length ? `(${reasons.join(', ')})` : undefined].filter(Boolean);
  return parts.join(' ');
}

export class JobPhases {
  readonly #io: Io;
  readonly #printer: string;
  #jobId = 0;
  #last = '';
  #announced = false;

  constructor(io: Io, printer: string) {
    this.#io = io;
    this.#printer = printer;
  }

  submitted(jobId: number, follow: boolean): void {
    this.#jobId = jobId;
    if (!follow) return;
    this.#io.stderr.write(`tno: job ${jobId} uploaded and accepted by ${terminalSafe(this.#printer)}; following it (--no-wait returns at once)\n`);
  }

  status(s: JobStatus): void {
    const phase = PHASE[s.state];
    if (phase === undefined) return; // terminal: the result line says it
    const detail = why(s);
    const impressions = s.state === 'processing' && typeof s.impressionsCompleted === 'number' && s.impressionsCompleted > 0 ? `, ${s.impressionsCompleted} impression(s) done` : '';
    const key = `${phase}|${detail}|${impressions}`;
    if (key === this.#last) return;
    this.#last = key;
    const line = `job ${this.#jobId} ${phase}${impressions}${detail ? `: ${detail}` : ''}`;
    this.#io.stderr.write(`tno: ${terminalSafe(line)}\n`);
    this.#announced = true;
  }

  get announced(): boolean {
    return this.#announced;
  }
}
