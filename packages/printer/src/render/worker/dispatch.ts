/** Runs one job inside the worker: picks the format module and turns every failure into a reply. */
import { RenderError } from '../errors.js';
import type { FormatRenderer } from '../format.js';
import { renderJpeg } from '../jpeg/render-jpeg.js';
import { renderPwgRaster } from '../pwg/render-pwg.js';
import { renderText } from '../text/render-text.js';
import { wantsMonochrome } from '../types.js';
import type { WorkerJob, WorkerReply } from './protocol.js';

/** Formats rendered inside the Node worker; PDF goes to poppler in its own limited process instead. */
const RENDERERS: Record<string, FormatRenderer> = {
  'image/pwg-raster': renderPwgRaster,
  'image/jpeg': renderJpeg,
  'text/plain': renderText,
};

export async function runJob(job: WorkerJob): Promise<WorkerReply> {
  const started = performance.now();
  try {
    const renderer = RENDERERS[job.format];
    if (!renderer) throw new RenderError('RENDER_UNSUPPORTED_FORMAT', `the worker has no renderer for ${job.format}`);
    const pages = await renderer({ ...job, monochrome: wantsMonochrome(job.attributes) });
    return { ok: true, pages, renderMs: performance.now() - started };
  } catch (error) {
    return toReply(error);
  }
}

function toReply(error: unknown): WorkerReply {
  if (error instanceof RenderError) {
    return { ok: false, code: error.code, message: error.message, ...(error.offset === undefined ? {} : { offset: error.offset }) };
  }
  const err = error as NodeJS.ErrnoException;
  if (err instanceof RangeError && /allocation failed|Invalid typed array length|Array buffer/i.test(err.message)) {
    return { ok: false, code: 'RENDER_LIMIT_EXCEEDED', message: `the renderer ran out of memory: ${err.message}` };
  }
  if (typeof err?.code === 'string' && /^E[A-Z]+$/.test(err.code)) {
    return { ok: false, code: 'RENDER_IO', message: `renderer I/O failed: ${err.code}` };
  }
  return { ok: false, code: 'RENDER_WORKER_FAILED', message: `renderer failed: ${err?.message ?? String(error)}` };
}
