import type { RenderLimits } from './limits.js';
import type { RenderSandbox } from './sandbox/render-sandbox.js';

/**
 * The document formats the renderers accept (IANA media types, as in `document-format`), in the
 * order the printer advertises them: the one list (attributes/capabilities.ts re-exports it).
 */
export const RENDER_FORMATS = ['application/pdf', 'image/jpeg', 'image/pwg-raster', 'text/plain'] as const;
export type RenderFormat = (typeof RENDER_FORMATS)[number];

export function isRenderFormat(value: string): value is RenderFormat {
  return (RENDER_FORMATS as readonly string[]).includes(value);
}

/** Job Template attributes that change what is rendered (RFC 8011 §5.2, PWG 5100.13). */
export interface RenderAttributes {
  /** RFC 8011 §5.2.5: recorded, not multiplied into the previews. */
  copies?: number;
  /** RFC 8011 §5.2.11, a PWG 5101.1 self-describing media name (e.g. `iso_a4_210x297mm`). */
  media?: string;
  /** RFC 8011 §5.2.8: recorded; previews are one PNG per page side. */
  sides?: string;
  /** PWG 5100.13 §5.2.3: `monochrome` renders grey previews. */
  printColorMode?: string;
}

export interface RenderRequest {
  /** Path of the verified plaintext document; the worker may read only this file. */
  inputPath: string;
  /** The document-format, after any auto-sense done by the caller. */
  format: string;
  attributes?: RenderAttributes;
  /** Output directory (created if missing); pages go to `outDir/pages/NNN.png`. */
  outDir: string;
  limits?: Partial<RenderLimits>;
  /** Aborting kills the renderer at once (a job canceled while printing): RENDER_ABORTED. */
  signal?: AbortSignal;
  /** The sandbox to render in (default: resolveRenderSandbox() with mode auto, once per process). */
  sandbox?: RenderSandbox;
  /** Jobs queued behind this one: worker processes may be started ahead for them (warm spares). */
  waiting?: number;
}

/** `print-color-mode` values that ask for grey output (PWG 5100.13 §5.2.3). */
export function wantsMonochrome(attributes: RenderAttributes): boolean {
  return attributes.printColorMode === 'monochrome' || attributes.printColorMode === 'bi-level' || attributes.printColorMode === 'process-monochrome';
}

export interface RenderedPage {
  /** Path of the PNG file, relative to outDir (e.g. `pages/001.png`). */
  file: string;
  width: number;
  height: number;
}

export interface RenderTimings {
  /** From the call to the result (milliseconds). */
  totalMs: number;
  /** Spent parsing and rasterising inside the isolated worker. */
  renderMs: number;
}

export interface RenderResult {
  format: RenderFormat;
  pageCount: number;
  pages: RenderedPage[];
  timings: RenderTimings;
}
