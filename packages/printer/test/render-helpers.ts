/** Shared helpers of the render-*.test.ts files: temporary directories and an independent PNG decoder. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
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

export interface PdfPage {
  width: number;
  height: number;
  content: string | Buffer;
}

/** Writes a minimal PDF 1.4: catalog, page tree, one page + content stream per page, xref, trailer. */
export function makePdf(pages: PdfPage[], options: { kidsOverride?: string; deflate?: boolean } = {}): Buffer {
  const objects: Buffer[] = [];
  const pageIds = pages.map((_, i) => 3 + 2 * i);
  objects.push(Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'));
  const kids = options.kidsOverride ?? pageIds.map((id) => `${id} 0 R`).join(' ');
  objects.push(Buffer.from(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`));
  for (const [i, page] of pages.entries()) {
    objects.push(Buffer.from(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${page.width} ${page.height}] /Contents ${pageIds[i]! + 1} 0 R /Resources << >> >>`));
    const raw = Buffer.isBuffer(page.content) ? page.content : Buffer.from(page.content);
    const data = options.deflate ? deflateSync(raw) : raw;
    objects.push(
      Buffer.concat([Buffer.from(`<< /Length ${data.length}${options.deflate ? ' /Filter /FlateDecode' : ''} >>\nstream\n`), data, Buffer.from('\nendstream')]),
    );
  }
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  for (const [i, body] of objects.entries()) {
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    offsets.push(offset);
    parts.push(obj);
    offset += obj.length;
  }
  // ISO 32000-1 §7.5.4: each xref entry is exactly 20 bytes.
  let xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) xref += `${String(o).padStart(10, '0')} 00000 n \n`;
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`));
  return Buffer.concat(parts);
}
