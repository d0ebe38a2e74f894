/**
 * Isolated document renderers of the printer emulator (docs/architecture.md "Rendering, isolated").
 * renderDocument() turns verified plaintext into pages/NNN.png in a separate, limited process.
 */
export { renderDocument } from './render-document.js';
export {
  defaultRenderSandbox,
  resolveRenderSandbox,
  RENDER_SANDBOX_MODES,
  type RenderSandbox,
  type RenderSandboxMode,
  type RenderSandboxOptions,
} from './sandbox/render-sandbox.js';
export { WarmWorkers, WarmSpare, type WarmWorkersOptions } from './sandbox/warm-workers.js';
export { RenderError, RENDER_ERROR_CODES, type RenderErrorCode } from './errors.js';
export { DEFAULT_RENDER_LIMITS, resolveLimits, type RenderLimits } from './limits.js';
export {
  RENDER_FORMATS,
  isRenderFormat,
  wantsMonochrome,
  type RenderAttributes,
  type RenderFormat,
  type RenderRequest,
  type RenderResult,
  type RenderedPage,
  type RenderTimings,
} from './types.js';
export { writePwgRaster, defaultPwgPattern, type PwgRasterOptions, type PwgPixelSource, type PwgColorSpace } from './pwg-raster-writer.js';
export { writeTestPdf, type TestPdfOptions, type TestPdfPage } from './pdf-test-writer.js';
