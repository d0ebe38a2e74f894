/**
 * Resource limits of the renderers. Every parser checks the declared sizes against these BEFORE it
 * allocates anything, and the worker process itself runs under the memory/CPU/time limits, so a
 * hostile document costs at most these amounts.
 */
export interface RenderLimits {
  /** Largest input document accepted, any format (bytes). */
  maxInputBytes: number;
  /** Most pages rendered for one document. */
  maxPages: number;
  /** Largest page side declared by a raster header or decoded image (pixels). */
  maxPageSidePixels: number;
  /** Most pixels on one declared raster page (bounds CPU time: every pixel is decoded). */
  maxPagePixels: number;
  /** Most pixels of all pages of one document together (bounds total CPU time). */
  maxDocumentPixels: number;
  /** Resolution of the PNG previews; larger pages are downscaled to it (dots per inch). */
  previewDpi: number;
  /** Longest side of a preview PNG (pixels), whatever the declared resolution. */
  maxPreviewSide: number;
  /** Wall-clock budget of one renderDocument call (milliseconds); the worker is killed after it. */
  timeoutMs: number;
  /** CPU budget of the worker process (seconds, RLIMIT_CPU). */
  cpuSeconds: number;
  /** Memory budget of the worker process (MiB): V8 heap and RLIMIT_DATA/RLIMIT_AS. */
  memoryMb: number;
}

export const DEFAULT_RENDER_LIMITS: Readonly<RenderLimits> = Object.freeze({
  maxInputBytes: 1024 * 1024 * 1024,
  maxPages: 2000,
  // 64 in at 1200 dpi: any real media at any real resolution (PWG 5101.1 roll media included).
  maxPageSidePixels: 76_800,
  // A3 at 1200 dpi is 14,032 × 19,842 ≈ 278 Mpx.
  maxPagePixels: 300_000_000,
  maxDocumentPixels: 6_000_000_000,
  previewDpi: 150,
  maxPreviewSide: 4000,
  timeoutMs: 120_000,
  cpuSeconds: 120,
  memoryMb: 512,
});

export function resolveLimits(overrides: Partial<RenderLimits> | undefined): RenderLimits {
  const limits: RenderLimits = { ...DEFAULT_RENDER_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`render limit ${name} must be a positive finite number, got ${String(value)}`);
    }
  }
  return limits;
}
