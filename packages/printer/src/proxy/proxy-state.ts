/**
 * What the Proxy has taken on, persisted before each step that cannot be repeated safely, so a
 * restart never fetches or prints a job twice (PWG 5100.18 leaves this to the Proxy):
 *
 *   claimed     — about to Acknowledge-Job; nothing reached the local printer yet (safe to resume)
 *   submitting  — documents may have reached the local printer (never resent after a restart;
 *                 its manifest, if written, says how the job ended)
 *   finished    — ended locally; the final Update-Job-Status may not have gone out yet
 *   reported    — the Infrastructure Printer has the final state (kept a while, then dropped)
 */
import { randomUUID } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';

export type ProxyJobPhase = 'claimed' | 'submitting' | 'finished' | 'reported';

export interface ProxyJob {
  /** The Infrastructure Printer's job-id and job-uuid (the uuid guards against a reset intermediary). */
  readonly infraJobId: number;
  readonly jobUuid: string;
  phase: ProxyJobPhase;
  localJobId?: number;
  /** Final state to report (3..9) with reasons and message, once finished. */
  final?: { state: number; reasons: string[]; message: string };
  updatedAt: number;
}

interface Stored {
  readonly version: 1;
  readonly deviceUuid: string;
  readonly jobs: ProxyJob[];
}

const KEEP_REPORTED = 500;

export class ProxyState {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    readonly deviceUuid: string,
    private readonly jobs: Map<number, ProxyJob>,
  ) {}

  static async open(file: string): Promise<ProxyState> {
    let stored: Stored | undefined;
    try {
      stored = JSON.parse(await readFile(file, 'utf8')) as Stored;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`proxy state ${file} is unreadable: ${(err as Error).message}`, { cause: err });
    }
    if (stored && (stored.version !== 1 || typeof stored.deviceUuid !== 'string' || !Array.isArray(stored.jobs))) throw new Error(`proxy state ${file} has an unknown format`);
    const state = new ProxyState(file, stored?.deviceUuid ?? `urn:uuid:${randomUUID()}`, new Map((stored?.jobs ?? []).map((j) => [j.infraJobId, j])));
    if (!stored) await state.save();
    return state;
  }

  get(infraJobId: number): ProxyJob | undefined {
    return this.jobs.get(infraJobId);
  }

  byLocal(localJobId: number): ProxyJob | undefined {
    for (const j of this.jobs.values()) if (j.localJobId === localJobId) return j;
    return undefined;
  }

  list(): ProxyJob[] {
    return [...this.jobs.values()];
  }

  /** Records a change durably before the caller takes the next step. */
  async put(job: ProxyJob): Promise<void> {
    job.updatedAt = Date.now();
    this.jobs.set(job.infraJobId, job);
    const reported = this.list().filter((j) => j.phase === 'reported').sort((a, b) => a.updatedAt - b.updatedAt);
    for (const j of reported.slice(0, Math.max(0, reported.length - KEEP_REPORTED))) this.jobs.delete(j.infraJobId);
    await this.save();
  }

  async forget(infraJobId: number): Promise<void> {
    if (this.jobs.delete(infraJobId)) await this.save();
  }

  private save(): Promise<void> {
    const text = JSON.stringify({ version: 1, deviceUuid: this.deviceUuid, jobs: this.list() } satisfies Stored);
    const run = this.writing.then(async () => {
      const tmp = `${this.file}.tmp`;
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(text, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
    });
    this.writing = run.catch(() => undefined);
    return run;
  }
}
