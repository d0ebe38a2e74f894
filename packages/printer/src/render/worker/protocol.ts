/** The messages between renderDocument() and its isolated worker process. */
import type { RenderErrorCode } from '../errors.js';
import type { RenderLimits } from '../limits.js';
import type { RenderAttributes, RenderedPage } from '../types.js';

/** Everything the worker is given: paths of the plaintext and of its output directory, no more. */
export interface WorkerJob {
  inputPath: string;
  format: string;
  /** text/plain only: the charset parameter of the document-format, if any. */
  charset?: string;
  outDir: string;
  limits: RenderLimits;
  attributes: RenderAttributes;
}

export type WorkerReply =
  | { ok: true; pages: RenderedPage[]; renderMs: number }
  | { ok: false; code: RenderErrorCode; message: string; offset?: number };

export function isWorkerReply(value: unknown): value is WorkerReply {
  if (typeof value !== 'object' || value === null) return false;
  const reply = value as Record<string, unknown>;
  if (reply.ok === true) return Array.isArray(reply.pages) && typeof reply.renderMs === 'number';
  return reply.ok === false && typeof reply.code === 'string' && typeof reply.message === 'string';
}
