/**
 * application/pdf (ISO 32000-1) through renderDocument() and poppler: PDFs written by a small
 * generator here (correct xref, ISO 32000-1 §7.5) render to the colours they paint; the page count
 * and page-size limits hold before rasterising; garbage, a cyclic page tree, forged pdfinfo lines and
 * too many pages end in typed errors (CPU-burning content: render-dos-limits.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDocument } from '../src/render/index.js';
import { expectRenderError, makePdf, readPng, tempDir } from './render-helpers.js';

const dir = tempDir('pdf');
afterAll(() => dir.remove());

const LETTER = { width: 612, height: 792 };
const square = (rgb: string): string => `${rgb} rg 72 72 144 144 re f`; // 1 in to 3 in from the bottom left

const render = (name: string, bytes: Uint8Array, extra: Partial<Parameters<typeof renderDocument>[0]> = {}) => {
  const input = join(dir.path, `${name}.pdf`);
  writeFileSync(input, bytes);
  return renderDocument({ inputPath: input, format: 'application/pdf', outDir: join(dir.path, name), ...extra });
};

describe('application/pdf rendered by poppler', () => {
  it('three Letter pages with a red, a green and a blue square render at 150 dpi with those colours', async () => {
    const pdf = makePdf([
      { ...LETTER, content: square('1 0 0') },
      { ...LETTER, content: square('0 1 0') },
      { ...LETTER, content: square('0 0 1') },
    ]);
    const result = await render('squares', pdf);
    expect(result.pageCount).toBe(3);
    expect(result.pages.map((p) => p.file)).toEqual(['pages/001.png', 'pages/002.png', 'pages/003.png']);
    const colours = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ];
    for (const [i, page] of result.pages.entries()) {
      const png = readPng(join(dir.path, 'squares', page.file));
      expect([png.width, png.height]).toEqual([1275, 1650]);
      expect([page.width, page.height]).toEqual([1275, 1650]);
      // the square spans x 150..450 and, from the top, y 1200..1500
      expect(png.rgb(300, 1350), `page ${i + 1} inside the square`).toEqual(colours[i]);
      expect(png.rgb(1000, 300), `page ${i + 1} outside`).toEqual([255, 255, 255]);
    }
  });

  it('text in a base-14 font, re-written by cairo (pdftocairo -pdf: compressed streams, embedded font), renders ink where the text is', async () => {
    const original = join(dir.path, 'hello-src.pdf');
    writeFileSync(
      original,
      makePdf([{ ...LETTER, content: 'BT /F1 48 Tf 72 650 Td (Hello, printer) Tj ET' }], {
        resources: '/Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >>',
      }),
    );
    const cairo = join(dir.path, 'hello-cairo.pdf');
    execFileSync('pdftocairo', ['-pdf', original, cairo], { stdio: 'pipe' });
    expect(readFileSync(cairo).subarray(0, 5).toString()).toBe('%PDF-');
    const result = await renderDocument({ inputPath: cairo, format: 'application/pdf', outDir: join(dir.path, 'hello') });
    const png = readPng(join(dir.path, 'hello', result.pages[0]!.file));
    // 48 pt text with its baseline 650 pt up: rows ~ (792 − 690 .. 792 − 645) × 150 / 72 from the top
    let ink = 0;
    for (let y = 200; y < 310; y++) for (let x = 150; x < 900; x++) if (png.rgb(x, y)[0] < 128) ink++;
    let stray = 0;
    for (let y = 600; y < 1600; y += 3) for (let x = 0; x < 1275; x += 3) if (png.rgb(x, y)[0] < 128) stray++;
    expect(ink).toBeGreaterThan(2000);
    expect(stray).toBe(0);
  });

  it('print-color-mode=monochrome renders grey pages', async () => {
    const result = await render('mono', makePdf([{ ...LETTER, content: square('1 0 0') }]), { attributes: { printColorMode: 'monochrome' } });
    const png = readPng(join(dir.path, 'mono', result.pages[0]!.file));
    // poppler's -gray writes grey values (in an RGB PNG)
    const [g, gg, gb] = png.rgb(300, 1350);
    expect([gg, gb]).toEqual([g, g]);
    expect(g).toBeGreaterThan(40);
    expect(g).toBeLessThan(120);
  });

  it('a 200-inch page is rendered at a lower resolution so its side stays within maxPreviewSide', async () => {
    const result = await render('poster', makePdf([{ width: 14400, height: 14400, content: square('0 0 0') }]));
    expect(result.pages[0]!.width).toBeLessThanOrEqual(4000);
    expect(result.pages[0]!.height).toBeLessThanOrEqual(4000);
    expect(result.pages[0]!.width).toBeGreaterThan(3000);
  });
});

describe('application/pdf hostile and broken input ends in a typed error', () => {
  it('a file without a %PDF- header is RENDER_MALFORMED (poppler never runs)', async () => {
    await expectRenderError(render('not-pdf', Buffer.from('hello, this is not a PDF\n'.repeat(100))), 'RENDER_MALFORMED');
  });

  it('garbage after a %PDF- header is RENDER_MALFORMED', async () => {
    const garbage = Buffer.alloc(5000);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 251;
    await expectRenderError(render('garbage', Buffer.concat([Buffer.from('%PDF-1.7\n'), garbage])), 'RENDER_MALFORMED');
  });

  it('a page tree whose Kids point back at itself ends in a typed error', async () => {
    const error = await expectRenderError(render('cycle', makePdf([{ ...LETTER, content: square('1 0 0') }], { kidsOverride: '2 0 R' })), 'RENDER_MALFORMED');
    expect(error.message).toMatch(/pdfinfo|pdftoppm|no pages|PDF/);
  });

  it('a Title that forges pdfinfo lines ("Pages: 1", a 1 × 1 pt page) does not fool the page count', async () => {
    const pdf = makePdf([1, 2, 3].map(() => ({ ...LETTER, content: square('0 0 0') })), {
      title: 'x\\nPages:          1\\nPage    1 size: 1 x 1 pts',
    });
    await expectRenderError(render('forged', pdf, { limits: { maxPages: 2 } }), 'RENDER_LIMIT_EXCEEDED');
    const result = await render('forged-ok', pdf);
    expect(result.pageCount).toBe(3);
    expect(result.pages.every((p) => p.width === 1275 && p.height === 1650)).toBe(true);
  });

  it('more pages than maxPages is RENDER_LIMIT_EXCEEDED before rasterising', async () => {
    const pdf = makePdf([1, 2, 3].map(() => ({ ...LETTER, content: square('0 0 0') })));
    await expectRenderError(render('pages', pdf, { limits: { maxPages: 2 } }), 'RENDER_LIMIT_EXCEEDED');
  });
});
