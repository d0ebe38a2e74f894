/**
 * Renderer benchmark: wall time of renderDocument() (isolated worker or poppler process, limits,
 * PNG output) for the formats the printer takes, each against a named peer measured in the same run:
 *   PWG Raster — libcups decoding the same file (cupsRasterReadPixels, C), when gcc + libcups2-dev exist;
 *   PDF        — bare `pdftoppm -r 150 -png` on the same file (no sandbox, no checks);
 *   JPEG       — jpeg-js decoding the same file in this process (no worker, no PNG);
 * plus text pagination throughput and the fixed cost of one isolated job (worker start-up).
 * Run: `tsx benchmark/render.ts` (or import runRenderBenchmark from the printer's benchmark).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { renderDocument, writePwgRaster, writeTestPdf } from '../src/render/index.js';

interface Row {
  case: string;
  ours: number;
  peer?: string;
  peerMs?: number;
  note?: string;
}

async function time(fn: () => Promise<unknown> | unknown, runs = 3): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** A Letter page at 300 dpi that looks like a document: white, text-like bars, one colour photo area. */
function documentPage(width: number, height: number): Uint8Array {
  const page = writePwgRaster({
    pages: 1,
    width,
    height,
    colorSpace: 'srgb',
    bitsPerColor: 8,
    resolution: [300, 300],
    pixel: (x, y) => {
      if (x > width * 0.55 && x < width * 0.9 && y > height * 0.1 && y < height * 0.35) {
        return [(x * 3) & 0xff, (y * 2) & 0xff, ((x + y) >> 2) & 0xff]; // "photo"
      }
      const line = Math.floor(y / 50);
      const inText = y % 50 < 28 && x > 150 && x < width - 150 && line % 12 !== 0;
      return inText && (x >> 4) % 7 !== 0 ? [20, 20, 20] : [255, 255, 255];
    },
  });
  return page.subarray(4); // header + rows, without the sync word
}

function compilePeer(dir: string): string | undefined {
  const source = fileURLToPath(new URL('../test/fixtures/pwg-libcups.c', import.meta.url));
  const config = spawnSync('cups-config', ['--cflags', '--libs'], { encoding: 'utf8' });
  if (config.status !== 0) return undefined;
  const peer = join(dir, 'pwg-libcups');
  const gcc = spawnSync('gcc', ['-O2', '-o', peer, source, ...config.stdout.split(/\s+/).filter(Boolean)]);
  return gcc.status === 0 ? peer : undefined;
}

export async function runRenderBenchmark(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tno-render-bench-'));
  const rows: Row[] = [];
  try {
    // PWG Raster: 10 Letter pages at 300 dpi, sRGB 8-bit (2550 × 3300, 25 MB of pixels a page).
    const page = documentPage(2550, 3300);
    const pwg = new Uint8Array(4 + page.length * 10);
    pwg.set([0x52, 0x61, 0x53, 0x32]);
    for (let i = 0; i < 10; i++) pwg.set(page, 4 + i * page.length);
    const pwgPath = join(dir, 'ten.pwg');
    writeFileSync(pwgPath, pwg);
    const ours = await time(() => renderDocument({ inputPath: pwgPath, format: 'image/pwg-raster', outDir: join(dir, 'pwg') }));
    const peer = compilePeer(dir);
    const peerMs = peer ? await time(() => execFileSync(peer, ['read', pwgPath], { stdio: ['ignore', 'ignore', 'inherit'] })) : undefined;
    rows.push({
      case: `PWG Raster 10 × Letter 300 dpi srgb_8 (${(pwg.length / 1e6).toFixed(1)} MB, 841 MB of pixels) → 150 dpi PNG`,
      ours,
      ...(peerMs === undefined ? { note: 'libcups peer not built (needs gcc, libcups2-dev)' } : { peer: 'libcups decode only', peerMs }),
    });

    // PDF: 10 Letter pages of vector drawing.
    const content = Array.from({ length: 400 }, (_, i) => `${(i % 10) / 10} ${(i % 7) / 7} 0.5 rg ${36 + (i % 20) * 27} ${36 + Math.floor(i / 20) * 36} 24 30 re f`).join('\n');
    const pdfPath = join(dir, 'ten.pdf');
    writeFileSync(pdfPath, writeTestPdf(Array.from({ length: 10 }, () => ({ width: 612, height: 792, content })), { deflate: true }));
    const pdfOurs = await time(() => renderDocument({ inputPath: pdfPath, format: 'application/pdf', outDir: join(dir, 'pdf') }));
    const pdfPeer = await time(() => execFileSync('pdftoppm', ['-r', '150', '-png', pdfPath, join(dir, 'bare')]));
    rows.push({ case: 'PDF 10 × Letter, 400 filled rectangles a page → 150 dpi PNG', ours: pdfOurs, peer: 'bare pdftoppm', peerMs: pdfPeer });

    // JPEG: a 2,000 × 1,500 photo-like image.
    const w = 2000;
    const h = 1500;
    const rgba = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([(i * 7) & 0xff, (i >> 5) & 0xff, ((i % w) * 3) & 0xff, 255], i * 4);
    const jpg = jpeg.encode({ width: w, height: h, data: rgba }, 85).data;
    const jpgPath = join(dir, 'photo.jpg');
    writeFileSync(jpgPath, jpg);
    const jpgOurs = await time(() => renderDocument({ inputPath: jpgPath, format: 'image/jpeg', outDir: join(dir, 'jpg') }));
    const jpgPeer = await time(() => jpeg.decode(jpg, { useTArray: true, formatAsRGBA: false }));
    rows.push({ case: `JPEG 2000 × 1500 (${(jpg.length / 1e6).toFixed(1)} MB) → PNG`, ours: jpgOurs, peer: 'jpeg-js decode in-process', peerMs: jpgPeer });

    // Text: 100 pages.
    const txtPath = join(dir, 'hundred.txt');
    writeFileSync(txtPath, `${'The quick brown fox jumps over the lazy dog; 0123456789 !?'.padEnd(79, '.')}\n`.repeat(66 * 100));
    const txt = await time(() => renderDocument({ inputPath: txtPath, format: 'text/plain', outDir: join(dir, 'txt') }), 1);
    rows.push({ case: 'text/plain 100 pages of 66 × 80 → Letter 150 dpi PNG', ours: txt, note: `${(100 / (txt / 1000)).toFixed(0)} pages/s` });

    // Fixed cost of one isolated job.
    const tiny = join(dir, 'tiny.txt');
    writeFileSync(tiny, 'x');
    const startUp = await time(() => renderDocument({ inputPath: tiny, format: 'text/plain', outDir: join(dir, 'tiny') }), 5);
    rows.push({ case: 'one-character text job (worker start-up and one page)', ours: startUp });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function report(rows: Row[]): void {
  for (const row of rows) {
    const ratio = row.peerMs ? `  ${(row.ours / row.peerMs).toFixed(2)}× ${row.peer} (${row.peerMs.toFixed(0)} ms)` : '';
    console.log(`${row.case}\n  renderDocument ${row.ours.toFixed(0)} ms${ratio}${row.note ? `  ${row.note}` : ''}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  report(await runRenderBenchmark());
}
