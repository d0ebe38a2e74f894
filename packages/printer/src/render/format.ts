/** What every format module gets and returns inside the isolated worker. */
import { join } from 'node:path';
import type { RenderLimits } from './limits.js';
import type { RenderAttributes, RenderedPage } from './types.js';

export interface FormatContext {
  inputPath: string;
  outDir: string;
  limits: RenderLimits;
  attributes: RenderAttributes;
  /** `print-color-mode` asks for monochrome: previews are grey. */
  monochrome: boolean;
  /** text/plain: the document-format's charset parameter (default UTF-8). */
  charset?: string;
}

export type FormatRenderer = (context: FormatContext) => Promise<RenderedPage[]>;

export const PAGES_DIR = 'pages';

/** `pages/001.png`, `pages/002.png`, ... (relative to outDir). */
export function pageFile(index: number): string {
  return join(PAGES_DIR, `${String(index + 1).padStart(3, '0')}.png`);
}
