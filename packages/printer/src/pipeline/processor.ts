/**
 * The print engine: jobs whose document is spooled (and, for sealed jobs, opened and verified)
 * are rendered one at a time, in arrival order, as a single-engine printer does. Every job ends
 * in a terminal state with its manifest written and its private plaintext removed.
 */
import { rm } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { Job } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';
import { RenderError } from '../render/errors.js';
import type { RenderLimits } from '../render/limits.js';
import { jobPaths, type StateLayout } from '../state/state-dir.js';
import { buildManifest, writeManifest, type ManifestExtras } from './manifest.js';
import type { Renderer } from './renderer.js';

export interface ReadyDocument {
  /** Verified plaintext in the job's private directory. */
  readonly path: string;
  readonly format: string;
  readonly bytes: number;
}

interface Queued {
  readonly job: Job;
  readonly doc: ReadyDocument;
}

export class JobProcessor {
  readonly #queue: Queued[] = [];
  #running: Job | undefined;
  #idle: Promise<void> = Promise.resolve();
  #wake: (() => void) | undefined;
  #stopped = false;
  #stateChangedAt = new Date();

  constructor(
    private readonly store: JobStore,
    private readonly layout: StateLayout,
    private readonly renderer: Renderer,
    private readonly renderLimits: Partial<RenderLimits>,
    private readonly log: FastifyBaseLogger,
  ) {
    this.#idle = this.#loop();
  }

  get busy(): boolean {
    return this.#running !== undefined;
  }

  get stateChangedAt(): Date {
    return this.#stateChangedAt;
  }

  get queued(): number {
    return this.#queue.length;
  }

  enqueue(job: Job, doc: ReadyDocument): void {
    this.store.transition(job, 'pending', 'Queued.', { add: ['job-queued'], remove: ['job-incoming', 'job-data-insufficient'] });
    this.#queue.push({ job, doc });
    this.#wake?.();
  }

  /** Ends a job that will never reach the engine (refused, failed to open): manifest + cleanup. */
  async finish(job: Job, extras: ManifestExtras = {}): Promise<void> {
    await rm(jobPaths(this.layout, job.id).private, { recursive: true, force: true });
    await rm(jobPaths(this.layout, job.id).spool, { recursive: true, force: true });
    await writeManifest(jobPaths(this.layout, job.id).manifest, buildManifest(job, extras)).catch((err) =>
      this.log.error({ jobId: job.id, err }, 'printer: cannot write manifest'),
    );
    job.finalized = true;
    this.store.touch(job);
  }

  /** Stops after the current job; queued jobs are aborted (their plaintext removed). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#idle;
    for (const { job } of this.#queue.splice(0)) {
      this.store.transition(job, 'aborted', 'Printer shut down.', { add: ['aborted-by-system'] });
      await this.finish(job, { error: 'PRINTER_SHUTDOWN' });
    }
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const next = this.#queue.shift();
      if (!next) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        continue;
      }
      this.#running = next.job;
      this.#stateChangedAt = new Date();
      try {
        await this.#process(next);
      } catch (err) {
        this.log.error({ jobId: next.job.id, err }, 'printer: job processing failed');
        this.store.transition(next.job, 'aborted', 'Internal error.', { add: ['aborted-by-system'] });
        await this.finish(next.job, { error: 'INTERNAL' });
      }
      this.#running = undefined;
      this.#stateChangedAt = new Date();
    }
  }

  async #process({ job, doc }: Queued): Promise<void> {
    const paths = jobPaths(this.layout, job.id);
    if (job.state !== 'pending') {
      // Canceled while queued: nothing to render.
      await this.finish(job, { documentBytes: doc.bytes });
      return;
    }
    this.store.transition(job, 'processing', 'Printing.', { add: ['job-printing'], remove: ['job-queued'] });
    const started = Date.now();
    let extras: ManifestExtras = { documentBytes: doc.bytes };
    try {
      const result = await this.renderer({
        inputPath: doc.path,
        format: doc.format,
        outDir: paths.dir,
        attributes: {
          copies: job.template.copies,
          media: job.template.media,
          sides: job.template.sides,
          printColorMode: job.template.printColorMode,
        },
        limits: this.renderLimits,
      });
      extras = { ...extras, renderMs: Date.now() - started, pages: result.pages.map((p) => p.file) };
      const copies = job.template.copies;
      const perSheet = job.template.sides === 'one-sided' ? 1 : 2;
      job.pagesCompleted = result.pageCount;
      // PWG 5100.7: an impression is one side marked; copies multiply both counters.
      job.impressionsCompleted = result.pageCount * copies;
      job.mediaSheetsCompleted = Math.ceil(result.pageCount / perSheet) * copies;
      this.store.transition(job, 'completed', 'Completed.', { add: ['job-completed-successfully'], remove: ['job-printing'] });
    } catch (err) {
      extras = { ...extras, renderMs: Date.now() - started };
      if (err instanceof RenderError) {
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
      await rm(paths.private, { recursive: true, force: true });
    }
    await this.finish(job, extras);
  }
}
