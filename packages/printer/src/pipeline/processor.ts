/**
 * The print engine: jobs whose documents are all received (and, for sealed jobs, opened and
 * verified) are started in arrival order, up to `concurrency` at once (each in its own renderer
 * process: one heavy document does not hold the others up, issue 12 item 9); the documents of a
 * job in document-number order, pages numbered on across them. Every job ends in
 * a terminal state with its manifest written and its private plaintext removed.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Job, JobState } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';
import { RenderError } from '../render/errors.js';
import type { RenderLimits } from '../render/limits.js';
import { jobPaths, type StateLayout } from '../state/state-dir.js';
import { buildManifest, writeManifest, type ManifestExtras } from '../jobs/manifest.js';
import { pageSelected } from '../jobs/page-ranges.js';
import type { Renderer } from './renderer.js';
import { noPrinterFaults, type PrinterFaultHook } from '../faults.js';

export interface ReadyDocument {
  /** Verified plaintext in the job's private directory. */
  readonly path: string;
  readonly format: string;
  readonly bytes: number;
}

interface Queued {
  readonly job: Job;
}

export class JobProcessor {
  readonly #queue: Queued[] = [];
  readonly #running = new Set<Job>();
  #idle: Promise<void> = Promise.resolve();
  readonly #waiting = new Set<() => void>();
  /** Job endings under way; stop() waits for them so nothing writes into the state after it. */
  readonly #finishing = new Set<Promise<void>>();
  #stopped = false;
  readonly #concurrency: number;
  #stateChangedAt = new Date();

  constructor(
    private readonly store: JobStore,
    private readonly layout: StateLayout,
    private readonly renderer: Renderer,
    private readonly renderLimits: Partial<RenderLimits>,
    private readonly log: FastifyBaseLogger,
    /** Jobs rendered at once (each in its own renderer process). Default 1. */
    concurrency = 1,
    private readonly faults: PrinterFaultHook = noPrinterFaults,
  ) {
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new RangeError(`render concurrency must be an integer >= 1, got ${concurrency}`);
    this.#concurrency = concurrency;
    this.#idle = Promise.all(Array.from({ length: concurrency }, () => this.#loop())).then(() => {});
  }

  get busy(): boolean {
    return this.#running.size > 0;
  }

  /** Jobs rendered at once at most. */
  get concurrency(): number {
    return this.#concurrency;
  }

  /** Jobs being rendered now. */
  get rendering(): number {
    return this.#running.size;
  }

  get stateChangedAt(): Date {
    return this.#stateChangedAt;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Queues a closed job whose documents (job.documents) are all ready. */
  enqueue(job: Job): void {
    this.store.transition(job, 'pending', 'Queued.', { add: ['job-queued'], remove: ['job-incoming', 'job-data-insufficient'] });
    this.#queue.push({ job });
    this.#wakeOne();
  }

  #wakeOne(): void {
    const [wake] = this.#waiting;
    if (wake) {
      this.#waiting.delete(wake);
      wake();
    }
  }

  /** Takes a queued job out of the queue (Hold-Job); false when it is not waiting there. */
  withdraw(job: Job): boolean {
    const at = this.#queue.findIndex((q) => q.job === job);
    if (at < 0) return false;
    this.#queue.splice(at, 1);
    return true;
  }

  /** Ends a job that will never reach the engine (refused, failed to open): manifest + cleanup. */
  finish(job: Job, extras: ManifestExtras = {}): Promise<void> {
    const ending = this.#finish(job, extras).finally(() => this.#finishing.delete(ending));
    this.#finishing.add(ending);
    return ending;
  }

  /** True once stop() has begun: background work (timers) must not start new job endings. */
  get stopped(): boolean {
    return this.#stopped;
  }

  async #finish(job: Job, extras: ManifestExtras): Promise<void> {
    await rm(jobPaths(this.layout, job.id).private, { recursive: true, force: true });
    await rm(jobPaths(this.layout, job.id).spool, { recursive: true, force: true });
    // A job that ended before any document (canceled or timed out after Create-Job) may have no
    // directory yet; its manifest is its history record all the same (issue 13.6).
    await mkdir(jobPaths(this.layout, job.id).dir, { recursive: true, mode: 0o700 })
      .then(() => writeManifest(jobPaths(this.layout, job.id).manifest, buildManifest(job, extras)))
      .then(
        // The manifest now says how the job ended; its record (jobs/job-records.ts) has served.
        () => {
          this.faults.hit('finish.manifest');
          return rm(join(jobPaths(this.layout, job.id).dir, 'job.json'), { force: true });
        },
        (err) => this.log.error({ jobId: job.id, err }, 'printer: cannot write manifest'),
      );
    job.finalized = true;
    this.store.touch(job);
  }

  /**
   * Stops after the current job. Queued sealed jobs stay for the next start (their plaintext is
   * removed; their record and ciphertext remain, jobs/job-recovery.ts): the printer acknowledged
   * them. Queued jobs sent in clear are aborted, as their documents are not kept.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const wake of this.#waiting) wake();
    this.#waiting.clear();
    await this.#idle;
    for (const { job } of this.#queue.splice(0)) {
      if (job.sealed && job.state === 'pending') {
        await rm(jobPaths(this.layout, job.id).private, { recursive: true, force: true });
        continue;
      }
      this.store.transition(job, 'aborted', 'Printer shut down.', { add: ['aborted-by-system'] });
      await this.finish(job, { error: 'PRINTER_SHUTDOWN' });
    }
    // Endings started outside a request (a multiple-operation-time-out) are not awaited by anyone
    // else; the state directory is only quiet once they are done.
    while (this.#finishing.size > 0) await Promise.allSettled([...this.#finishing]);
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const next = this.#queue.shift();
      if (!next) {
        await new Promise<void>((resolve) => this.#waiting.add(resolve));
        continue;
      }
      this.#running.add(next.job);
      this.#stateChangedAt = new Date();
      try {
        await this.#process(next);
      } catch (err) {
        this.log.error({ jobId: next.job.id, err }, 'printer: job processing failed');
        this.store.transition(next.job, 'aborted', 'Internal error.', { add: ['aborted-by-system'] });
        await this.finish(next.job, { error: 'PRINTER_INTERNAL' });
      }
      this.#running.delete(next.job);
      this.#stateChangedAt = new Date();
    }
  }

  async #process({ job }: Queued): Promise<void> {
    const paths = jobPaths(this.layout, job.id);
    const documentBytes = job.documents[0]?.bytes;
    if (job.state !== 'pending') {
      // Canceled while queued: nothing to render.
      await this.finish(job, documentBytes === undefined ? {} : { documentBytes });
      return;
    }
    this.store.transition(job, 'processing', 'Printing.', { add: ['job-printing'], remove: ['job-queued'] });
    this.faults.hit('render.started');
    const started = Date.now();
    const pages: string[] = [];
    let extras: ManifestExtras = documentBytes === undefined ? {} : { documentBytes };
    // Cancel-Job while rendering stops the renderer at once (it kills its worker) instead of
    // letting a large job run to its limits for pages nobody will get.
    const rendering = new AbortController();
    const stopWatching = this.store.onChange((changed) => {
      if (changed === job && job.state !== 'processing') rendering.abort();
    });
    try {
      for (const doc of job.documents) {
        if ((job.state as JobState) !== 'processing') break; // canceled between documents
        // The first document renders straight into the job directory; later ones beside it, their
        // pages then renamed to continue the job's numbering.
        const outDir = doc.number === 1 ? paths.dir : join(paths.dir, `.render-${doc.number}`);
        const result = await this.renderer({
          inputPath: doc.path,
          format: doc.format,
          outDir,
          attributes: {
            copies: job.template.copies,
            media: job.template.media,
            sides: job.template.sides,
            printColorMode: job.template.printColorMode,
          },
          limits: this.renderLimits,
          signal: rendering.signal,
          // The renderer may start processes ahead for the jobs behind this one (D38).
          waiting: this.#queue.length,
        });
        await rm(doc.path, { force: true });
        // page-ranges (RFC 8011 §5.2.7) select pages of each document: the others are dropped
        // before they count or reach the output.
        const kept = result.pages.filter((_, i) => pageSelected(i + 1, job.template.pageRanges));
        for (const [i, p] of result.pages.entries()) if (!pageSelected(i + 1, job.template.pageRanges)) await rm(join(outDir, p.file), { force: true });
        doc.pages = kept.length;
        if (doc.number === 1) pages.push(...kept.map((p) => p.file));
        else pages.push(...(await this.#movePages(outDir, paths.pages, pages.length, kept.map((p) => p.file))));
        job.pagesCompleted += kept.length;
        const copies = job.template.copies;
        const perSheet = job.template.sides === 'one-sided' ? 1 : 2;
        // PWG 5100.7: an impression is one side marked; copies multiply both counters.
        job.impressionsCompleted = job.pagesCompleted * copies;
        job.mediaSheetsCompleted = job.documents.reduce((n, d) => n + Math.ceil((d.pages ?? 0) / perSheet), 0) * copies;
        this.store.touch(job);
      }
      extras = { ...extras, renderMs: Date.now() - started, pages };
      this.faults.hit('render.done');
      this.store.transition(job, 'completed', 'Completed.', { add: ['job-completed-successfully'], remove: ['job-printing'] });
    } catch (err) {
      extras = { ...extras, renderMs: Date.now() - started, pages };
      if (err instanceof RenderError && rendering.signal.aborted) {
        // Canceled (or aborted) by an operation while rendering: that state stands, no format error.
        this.log.info({ jobId: job.id }, 'printer: rendering stopped by cancellation');
      } else if (err instanceof RenderError) {
        // The code only: renderer messages may quote document content.
        this.log.info({ jobId: job.id, code: err.code }, 'printer: document could not be rendered');
        this.store.transition(job, 'aborted', 'Document format error.', {
          add: ['document-format-error', 'aborted-by-system'],
          remove: ['job-printing'],
        });
        extras = { ...extras, error: err.code };
      } else {
        throw err;
      }
    } finally {
      stopWatching();
      await rm(paths.private, { recursive: true, force: true });
      for (const doc of job.documents) if (doc.number > 1) await rm(join(paths.dir, `.render-${doc.number}`), { recursive: true, force: true });
    }
    await this.finish(job, extras);
  }

  /** Moves a later document's pages into the job's pages/, numbered after the ones before. */
  async #movePages(outDir: string, pagesDir: string, before: number, files: readonly string[]): Promise<string[]> {
    await mkdir(pagesDir, { recursive: true });
    const moved: string[] = [];
    for (const [i, file] of files.entries()) {
      const name = `${String(before + i + 1).padStart(3, '0')}.png`;
      await rename(join(outDir, file), join(pagesDir, name));
      moved.push(`pages/${name}`);
    }
    return moved;
  }
}
