/**
 * Warm spare renderer processes (issue 20, docs/decisions.md D38). Starting a worker (bwrap, then
 * Node's own start-up) took about half of each job's time in the renderer on the 2-core machine,
 * and the job waited for it. A spare is that same process, started before its job (while jobs
 * wait in the queue: an idle printer keeps none), under the same limits and sandbox; it is handed
 * exactly one job and exits after it, as a cold worker does. Isolation is unchanged: one process
 * per job, nothing kept from one job to the next.
 *
 * A spare cannot be told its job's paths at start (the permission model and the sandbox's binds are
 * fixed then), so each spare has its own slot directory with an input directory and a pages
 * directory, fixed and empty. At hand-over the job's document is hard-linked into the input
 * directory (the job's own file stays where it is), and afterwards the pages are moved into the
 * job's output directory and the slot is removed. A slot is never used twice.
 *
 * Slots live in the printer's state directory (same file system as the jobs, so the link and the
 * moves are renames, not copies); a crash can leave one with a document link in it, so the
 * directory is emptied whenever a pool is made (at start) and closed.
 */
import { chmodSync, chownSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PAGES_DIR } from '../format.js';
import type { RenderLimits } from '../limits.js';
import type { WorkerJob, WorkerReply } from '../worker/protocol.js';
import { reclaimPages, slotSandbox, type RenderSandbox } from './render-sandbox.js';
import { sendJob, startWorkerProcess, workerResult, type WorkerProcess } from './worker-process.js';

export interface WarmWorkersOptions {
  readonly sandbox: RenderSandbox;
  /** The limits every spare is started under (the printer's render limits, resolved). */
  readonly limits: RenderLimits;
  /** Directory of the slots: emptied now, on the same file system as the jobs' documents. */
  readonly dir: string;
  /** Spares kept started (the printer keeps one per renderer slot). */
  readonly spares: number;
}

interface Slot {
  readonly dir: string;
  readonly inputDir: string;
  readonly input: string;
  readonly outDir: string;
  readonly pagesDir: string;
}

/** One started worker waiting for its one job. */
export class WarmSpare {
  #used = false;
  #exited = false;

  constructor(
    private readonly slot: Slot,
    private readonly worker: WorkerProcess,
    /** The paths as the worker sees them. */
    private readonly seen: { inputPath: string; outDir: string },
    private readonly sandbox: RenderSandbox,
  ) {
    void worker.run.exited.then(() => (this.#exited = true));
  }

  /** Still running (a spare that died while idle is not handed a job). */
  get alive(): boolean {
    return !this.#exited && this.worker.run.child.exitCode === null && this.worker.run.child.signalCode === null;
  }

  /** The worker's process id (outside the sandbox): tests check a spare serves one job. */
  get pid(): number | undefined {
    return this.worker.run.child.pid;
  }

  /**
   * Renders `job` (real paths) in this spare: its pages end up in `job.outDir/pages` as with a cold
   * worker; throws RenderError as runWorker does. Once only.
   */
  async render(job: WorkerJob, timeoutMs: number, signal?: AbortSignal): Promise<Extract<WorkerReply, { ok: true }>> {
    if (this.#used) throw new Error('a warm spare renders one job only');
    this.#used = true;
    const { slot } = this;
    const user = this.sandbox.box?.user ?? null;
    let linked = false;
    let sent = false;
    let ok = false;
    const original = statSync(job.inputPath, { throwIfNoEntry: false });
    try {
      try {
        linkSync(job.inputPath, slot.input);
        linked = true;
      } catch (error) {
        // Another file system (renderDocument called on a file outside the state directory): copy.
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        copyFileSync(job.inputPath, slot.input);
      }
      if (user) {
        // As enterSandbox does: the render user may read this one document and nothing else.
        chownSync(slot.input, user.uid, user.gid);
        chmodSync(slot.input, 0o400);
      }
      sendJob(this.worker, { ...job, inputPath: this.seen.inputPath, outDir: this.seen.outDir }, timeoutMs, signal);
      sent = true;
      const reply = await workerResult(this.worker, job, timeoutMs);
      ok = true;
      return reply;
    } finally {
      if (!sent) this.worker.run.kill();
      rmSync(slot.input, { force: true });
      if (user && linked && original) {
        // The link shared the job's inode: give it back as it was.
        try {
          chownSync(job.inputPath, original.uid, original.gid);
          chmodSync(job.inputPath, original.mode & 0o7777);
        } catch {
          // removed by the caller meanwhile: nothing to give back
        }
      }
      try {
        if (this.sandbox.box) reclaimPages(this.sandbox.box, slot.pagesDir);
        if (ok) movePages(slot.pagesDir, join(job.outDir, PAGES_DIR));
      } finally {
        rmSync(slot.dir, { recursive: true, force: true });
      }
    }
  }

  /** Kills an unused spare and removes its slot. */
  async discard(): Promise<void> {
    if (!this.#used) {
      this.#used = true;
      // Through the run, not the child alone: a spare killed while bwrap starts would otherwise
      // leave its sandbox running (limited-process.ts).
      this.worker.run.kill();
      await this.worker.run.exited;
    }
    rmSync(this.slot.dir, { recursive: true, force: true });
  }
}

/** Moves the page files (regular files only, reclaimPages checked) into the job's pages directory. */
function movePages(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    try {
      renameSync(join(from, name), join(to, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      copyFileSync(join(from, name), join(to, name));
    }
  }
}

export class WarmWorkers {
  readonly #idle: WarmSpare[] = [];
  #closed = false;
  #filling = false;
  #started = 0;
  #target = 0;

  constructor(private readonly options: WarmWorkersOptions) {
    if (!Number.isSafeInteger(options.spares) || options.spares < 1) throw new RangeError(`warm spares must be an integer >= 1, got ${options.spares}`);
    // A crash can leave slots (with a document link) behind: no plaintext outlives its process.
    rmSync(options.dir, { recursive: true, force: true });
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  }

  /** Worker processes started as spares so far. */
  get started(): number {
    return this.#started;
  }

  /** Spares started and waiting for a job now. */
  get idle(): number {
    return this.#idle.length;
  }

  /**
   * A started spare for a job under `limits`, or undefined (none ready, or other process limits:
   * the caller starts a worker as before). `waiting` is how many jobs wait behind this one: spares
   * are started for them (at most `spares`), so a printer with nothing queued keeps none running.
   */
  take(limits: RenderLimits, waiting = 0): WarmSpare | undefined {
    if (this.#closed) return undefined;
    this.#target = Math.min(this.options.spares, Math.max(0, Math.floor(waiting)));
    let spare: WarmSpare | undefined;
    const same = limits.cpuSeconds === this.options.limits.cpuSeconds && limits.memoryMb === this.options.limits.memoryMb;
    while (same && (spare = this.#idle.shift()) && !spare.alive) {
      void spare.discard();
      spare = undefined;
    }
    // After this job is on its way: starting a process blocks the event loop for a few ms.
    setImmediate(() => this.#fill());
    return spare;
  }

  #fill(): void {
    if (this.#filling) return;
    this.#filling = true;
    try {
      while (!this.#closed && this.#idle.length < this.#target) this.#idle.push(this.#start());
    } finally {
      this.#filling = false;
    }
  }

  #start(): WarmSpare {
    const dir = mkdtempSync(join(this.options.dir, 'slot-'));
    const slot: Slot = { dir, inputDir: join(dir, 'in'), input: join(dir, 'in', 'document'), outDir: join(dir, 'out'), pagesDir: join(dir, 'out', PAGES_DIR) };
    // The input directory only needs to be passed through by the render user (0711): the
    // document in it is made readable to that user alone, at hand-over.
    mkdirSync(slot.inputDir, { mode: 0o711 });
    chmodSync(slot.inputDir, 0o711);
    mkdirSync(slot.pagesDir, { recursive: true, mode: 0o700 });
    const seen = slotSandbox(this.options.sandbox, slot);
    const worker = startWorkerProcess({ inputPath: seen.inputPath, outDir: seen.outDir, limits: this.options.limits }, slot.outDir, this.options.limits.timeoutMs, seen, { spare: true });
    this.#started++;
    return new WarmSpare(slot, worker, { inputPath: seen.inputPath, outDir: seen.outDir }, this.options.sandbox);
  }

  /** Kills the idle spares and empties the slot directory; take() returns nothing after. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#idle.splice(0).map((spare) => spare.discard()));
    rmSync(this.options.dir, { recursive: true, force: true });
  }
}
