/**
 * Property tests of the parsers behind the renderers, on random and mutated input: PWG Raster
 * (header fields, runs, truncation), JPEG and text either render or fail with a RenderError whose
 * code is one the printer maps to document-format-error — never another exception, never a hang.
 * The format modules run in-process here for speed; a few cases go through renderDocument() to
 * show the parent survives whatever the worker meets.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { RenderError, renderDocument, resolveLimits, writePwgRaster } from '../src/render/index.js';
import type { FormatContext, FormatRenderer } from '../src/render/format.js';
import { renderJpeg } from '../src/render/jpeg/render-jpeg.js';
import { parsePdfInfo } from '../src/render/pdf/render-pdf.js';
import { PWG_OFFSETS } from '../src/render/pwg/pwg-header.js';
import { renderPwgRaster } from '../src/render/pwg/render-pwg.js';
import { renderText } from '../src/render/text/render-text.js';
import { tempDir } from './render-helpers.js';

const dir = tempDir('fuzz');
afterAll(() => dir.remove());

// Small limits: a mutated header may declare any size the limits allow, and each case must stay fast.
const limits = resolveLimits({ maxPagePixels: 400_000, maxDocumentPixels: 1_000_000, maxPages: 8 });
let n = 0;

async function outcome(renderer: FormatRenderer, bytes: Uint8Array): Promise<string> {
  const caseDir = join(dir.path, `c${n++}`);
  mkdirSync(join(caseDir, 'pages'), { recursive: true });
  const inputPath = join(caseDir, 'in');
  writeFileSync(inputPath, bytes);
  const context: FormatContext = { inputPath, outDir: caseDir, limits, attributes: {}, monochrome: false };
  try {
    const pages = await renderer(context);
    expect(pages.length).toBeLessThanOrEqual(limits.maxPages);
    return 'ok';
  } catch (error) {
    if (!(error instanceof RenderError)) throw error;
    expect(['RENDER_MALFORMED', 'RENDER_LIMIT_EXCEEDED']).toContain(error.code);
    return error.code;
  } finally {
    rmSync(caseDir, { recursive: true, force: true });
  }
}

/** Mutations: overwrite bytes, truncate, insert bytes, or set a header field to any 32-bit value. */
function mutated(base: Uint8Array, pwgHeaderFields = true) {
  const field = fc.constantFrom(...Object.values(PWG_OFFSETS));
  const byteEdits = [
    fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
      const copy = base.slice();
      for (const [at, value] of edits) copy[at] = value;
      return copy;
    }),
    fc.nat(base.length - 1).map((cut) => base.subarray(0, cut)),
    fc.tuple(fc.nat(base.length), fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([at, extra]) => {
      const copy = new Uint8Array(base.length + extra.length);
      copy.set(base.subarray(0, at));
      copy.set(extra, at);
      copy.set(base.subarray(at), at + extra.length);
      return copy;
    }),
  ];
  if (!pwgHeaderFields) return fc.oneof(...byteEdits);
  return fc.oneof(
    ...byteEdits,
    fc.tuple(field, fc.integer({ min: 0, max: 0xffffffff })).map(([offset, value]) => {
      const copy = base.slice();
      new DataView(copy.buffer).setUint32(4 + offset, value);
      return copy;
    }),
  );
}

describe('PWG Raster parser on mutated and random input', () => {
  const bases = [
    writePwgRaster({ pages: 2, width: 40, height: 30, colorSpace: 'srgb', bitsPerColor: 8, whiteFill: true }),
    writePwgRaster({ pages: 2, width: 33, height: 20, colorSpace: 'black', bitsPerColor: 1 }),
    writePwgRaster({ pages: 1, width: 20, height: 20, colorSpace: 'cmyk', bitsPerColor: 16 }),
  ];

  it('renders or fails with RENDER_MALFORMED / RENDER_LIMIT_EXCEEDED', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 1, 2).chain((i) => mutated(bases[i]!)),
        async (bytes) => {
          seen.add(await outcome(renderPwgRaster, bytes));
        },
      ),
      { numRuns: 500 },
    );
    expect(seen.has('RENDER_MALFORMED')).toBe(true); // the mutations do reach the error paths
  });

  it('random bytes after the sync word never escape as another exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4000 }), async (tail) => {
        await outcome(renderPwgRaster, new Uint8Array([0x52, 0x61, 0x53, 0x32, ...tail]));
      }),
      { numRuns: 100 },
    );
  });
});

describe('JPEG and text parsers on mutated input', () => {
  it('mutated JPEGs render or fail with a RenderError', async () => {
    const pixels = Buffer.alloc(24 * 16 * 4, 0x80);
    const base = new Uint8Array(jpeg.encode({ width: 24, height: 16, data: pixels }, 80).data);
    await fc.assert(
      fc.asyncProperty(mutated(base, false), async (bytes) => {
        await outcome(renderJpeg, bytes);
      }),
      { numRuns: 150 },
    );
  });

  it('any bytes as text/plain render pages (invalid UTF-8 is drawn as boxes)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (bytes) => {
        expect(await outcome(renderText, bytes)).toBe('ok');
      }),
      { numRuns: 15 },
    );
  });
});

describe('pdfinfo output parser', () => {
  it('any text, forged metadata lines included, parses or fails with RENDER_MALFORMED', () => {
    const line = fc.oneof(
      fc.string(),
      fc.nat(5000).map((n) => `Pages:          ${n}`),
      fc.tuple(fc.nat(10), fc.nat(20000), fc.nat(20000)).map(([p, w, h]) => `Page ${String(p).padStart(5)} size: ${w} x ${h} pts`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        try {
          const info = parsePdfInfo(lines.join('\n'));
          expect(info.sizes.length).toBeLessThanOrEqual(lines.length);
          expect(Number.isSafeInteger(info.pages)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(RenderError);
          expect((error as RenderError).code).toBe('RENDER_MALFORMED');
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('through renderDocument(): the parent only ever sees typed errors', () => {
  it('mutated PWG Raster in the isolated worker resolves or rejects with a RenderError', async () => {
    const base = writePwgRaster({ pages: 1, width: 24, height: 12, colorSpace: 'sgray', bitsPerColor: 8 });
    await fc.assert(
      fc.asyncProperty(mutated(base), async (bytes) => {
        const inputPath = join(dir.path, `doc${n++}.pwg`);
        writeFileSync(inputPath, bytes);
        try {
          await renderDocument({ inputPath, format: 'image/pwg-raster', outDir: join(dir.path, `job${n++}`), limits: { maxPagePixels: 400_000, timeoutMs: 20_000 } });
        } catch (error) {
          expect(error).toBeInstanceOf(RenderError);
          expect(['RENDER_MALFORMED', 'RENDER_LIMIT_EXCEEDED']).toContain((error as RenderError).code);
        }
      }),
      { numRuns: 8 },
    );
  });
});
