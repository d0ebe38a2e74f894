/**
 * renderDocument(): the printer's one entry into rendering. It checks the request, prepares the
 * output directory, and hands the document to an isolated process (the Node worker for PWG Raster,
 * JPEG and text; poppler for PDF), never parsing document bytes itself. On any failure the partial
 * pages are removed and a RenderError with a stable code is thrown.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { limitExceeded, malformed, RenderError } from './errors.js';
import { PAGES_DIR, pageFile } from './format.js';
import { resolveLimits } from './limits.js';
import { parseMediaType, textDecoderFor } from './media-type.js';
import { renderPdf } from './pdf/render-pdf.js';
import { defaultRenderSandbox, enterSandbox, type SandboxedRender } from './sandbox/render-sandbox.js';
import type { WarmWorkers } from './sandbox/warm-workers.js';
import { runWorker } from './sandbox/worker-process.js';
import { isRenderFormat, wantsMonochrome, type RenderRequest, type RenderResult, type RenderedPage } from './types.js';

/**
 * The worker's reply is data from a process that parsed hostile input: check it before the printer
 * uses it (page files only under pages/, named as we name them, real sizes, within the page limit).
 */
export function checkPages(pages: RenderedPage[], outDir: string, maxPages: number): void {
  const problem = (why: string): RenderError => {
    rmSync(join(outDir, PAGES_DIR), { recursive: true, force: true });
    return new RenderError('RENDER_WORKER_FAILED', `the renderer returned an invalid result: ${why}`);
  };
  if (!Array.isArray(pages) || pages.length === 0 || pages.length > maxPages) throw problem(`${pages?.length} pages`);
  for (const [index, page] of pages.entries()) {
    if (page.file !== pageFile(index)) throw problem(`page ${index + 1} is ${JSON.stringify(page.file)}`);
    if (!Number.isSafeInteger(page.width) || !Number.isSafeInteger(page.height) || page.width < 1 || page.height < 1) {
      throw problem(`page ${index + 1} is ${page.width}x${page.height}`);
    }
    if (!statSync(join(outDir, page.file), { throwIfNoEntry: false })?.isFile()) throw problem(`page ${index + 1} was not written`);
  }
}

/**
 * `warm`: spare worker processes started ahead (sandbox/warm-workers.ts, the printer's); a job the
 * Node worker renders takes one when one is ready, and is otherwise rendered as without. Spares run
 * in the sandbox `warm` was made with: the caller gives the same one as `request.sandbox`.
 */
export async function renderDocument(request: RenderRequest, warm?: WarmWorkers): Promise<RenderResult> {
  const started = performance.now();
  const mediaType = parseMediaType(request.format);
  const format = mediaType.essence;
  if (!isRenderFormat(format)) {
    throw new RenderError('RENDER_UNSUPPORTED_FORMAT', `document-format ${request.format} is not rendered by this printer`);
  }
  const limits = resolveLimits(request.limits);
  if (format === 'text/plain') textDecoderFor(mediaType.charset); // an unknown charset fails here, not in the worker
  // Absolute paths: the worker's permissions are granted per path, and its working directory differs.
  const inputPath = resolve(request.inputPath);
  const outDir = resolve(request.outDir);
  let size: number;
  try {
    size = statSync(inputPath).size;
  } catch (error) {
    throw new RenderError('RENDER_IO', `cannot read the document: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
  if (size === 0) throw malformed('the document is empty', 0);
  if (size > limits.maxInputBytes) throw limitExceeded(`the document of ${size} bytes exceeds ${limits.maxInputBytes}`);

  const attributes = request.attributes ?? {};
  const pagesDir = join(outDir, PAGES_DIR);
  rmSync(pagesDir, { recursive: true, force: true });
  mkdirSync(pagesDir, { recursive: true });
  let pages: RenderedPage[];
  let renderMs: number;
  let sandbox: SandboxedRender | undefined;
  try {
    if (request.signal?.aborted) throw new RenderError('RENDER_ABORTED', 'rendering was aborted before it started');
    const spare = format === 'application/pdf' ? undefined : warm?.take(limits, request.waiting);
    if (spare) {
      const job = { inputPath, format, outDir, limits, attributes, ...(mediaType.charset ? { charset: mediaType.charset } : {}) };
      const reply = await spare.render(job, limits.timeoutMs, request.signal);
      pages = reply.pages;
      renderMs = reply.renderMs;
    } else if (format === 'application/pdf') {
      sandbox = enterSandbox(request.sandbox ?? defaultRenderSandbox(), inputPath, outDir);
      const renderStart = performance.now();
      const deadline = Date.now() + limits.timeoutMs;
      const monochrome = wantsMonochrome(attributes);
      pages = await renderPdf({ inputPath, outDir, limits, monochrome, deadline, sandbox, ...(request.signal ? { signal: request.signal } : {}) });
      renderMs = performance.now() - renderStart;
    } else {
      sandbox = enterSandbox(request.sandbox ?? defaultRenderSandbox(), inputPath, outDir);
      const job = { inputPath, format, outDir, limits, attributes, ...(mediaType.charset ? { charset: mediaType.charset } : {}) };
      const reply = await runWorker(job, limits.timeoutMs, request.signal, sandbox);
      pages = reply.pages;
      renderMs = reply.renderMs;
    }
    sandbox?.release();
  } catch (error) {
    sandbox?.release();
    rmSync(pagesDir, { recursive: true, force: true });
    if (error instanceof RenderError) throw error;
    throw new RenderError('RENDER_WORKER_FAILED', `rendering failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
  checkPages(pages, outDir, limits.maxPages);
  return {
    format,
    pageCount: pages.length,
    pages,
    timings: { totalMs: performance.now() - started, renderMs },
  };
}
