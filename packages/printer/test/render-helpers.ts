/** Shared helpers of the render-*.test.ts files: temporary directories and an independent PNG decoder. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { expect } from 'vitest';
import { RenderError, type RenderErrorCode } from '../src/render/index.js';

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `tno-render-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface DecodedPng {
  width: number;
  height: number;
  /** PNG colour type from IHDR (0 grey, 2 truecolour). */
  colorType: number;
  /** RGB of (x, y), from pngjs's RGBA output. */
  rgb(x: number, y: number): [number, number, number];
}

/** Decodes a PNG with pngjs (not our code), which also checks every CRC and the zlib stream. */
export function readPng(path: string): DecodedPng {
  const bytes = readFileSync(path);
  const png = PNG.sync.read(bytes);
  return {
    width: png.width,
    height: png.height,
    colorType: bytes[25]!,
    rgb: (x, y) => {
      const i = (y * png.width + x) * 4;
      return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
    },
  };
}

export async function expectRenderError(promise: Promise<unknown>, code: RenderErrorCode): Promise<RenderError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a RenderError ${code}`).toBeInstanceOf(RenderError);
  expect((caught as RenderError).code, (caught as Error).message).toBe(code);
  return caught as RenderError;
}

export { writeTestPdf as makePdf, type TestPdfPage as PdfPage } from '../src/render/index.js';
