/**
 * application/pdf → PNG pages with poppler (`pdfinfo`, `pdftoppm`), each run as its own process
 * under RLIMIT_AS and RLIMIT_CPU, a wall-clock deadline and an empty environment, writing only into
 * the job's pages directory. A cheap sanity check comes first (ISO 32000-1 §7.5.2: `%PDF-` within
 * the first 1024 bytes); the page count and page sizes come from pdfinfo before anything is drawn,
 * so page-count and pixel limits are enforced before rasterising.
 */
import { closeSync, openSync, readSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { limitExceeded, malformed, RenderError } from '../errors.js';
import { PAGES_DIR, pageFile } from '../format.js';
import type { RenderLimits } from '../limits.js';
import { readPngSize } from '../png/png-writer.js';
import { MAX_OUTPUT_FILE_BYTES, collect, findTool, spawnLimited } from '../sandbox/limited-process.js';
import type { SandboxedRender } from '../sandbox/render-sandbox.js';
import type { RenderedPage } from '../types.js';

export interface PdfJob {
  inputPath: string;
  outDir: string;
  limits: RenderLimits;
  monochrome: boolean;
  /** Absolute time (Date.now()) by which everything must be done. */
  deadline: number;
  signal?: AbortSignal;
  /** The sandbox poppler runs in; inputPath and outDir above are the printer's own paths. */
  sandbox?: SandboxedRender;
}

/**
 * fontconfig's configuration and cache, read-only: poppler substitutes system fonts (under /usr)
 * for fonts a PDF names without embedding them.
 */
const FONT_BINDS = [
  { source: '/etc/fonts', optional: true },
  { source: '/var/cache/fontconfig', optional: true },
];

const HEADER_WINDOW = 1024;
const PDFINFO_OUTPUT_MAX = 4 * 1024 * 1024;

function checkHeader(path: string, limits: RenderLimits): void {
  const size = statSync(path).size;
  if (size > limits.maxInputBytes) throw limitExceeded(`PDF of ${size} bytes exceeds ${limits.maxInputBytes}`);
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(HEADER_WINDOW);
    const n = readSync(fd, head, 0, HEADER_WINDOW, 0);
    if (head.subarray(0, n).indexOf('%PDF-') < 0) throw malformed('not a PDF: no %PDF- header in the first 1024 bytes', 0);
  } finally {
    closeSync(fd);
  }
}

interface PopplerOutcome {
  stdout: string;
  stderr: string;
}

async function poppler(tool: string, args: string[], job: PdfJob, stdoutMax: number): Promise<PopplerOutcome> {
  const path = findTool(tool);
  if (!path) throw new RenderError('RENDER_WORKER_FAILED', `cannot render PDF: ${tool} not found (install poppler-utils)`);
  const remaining = job.deadline - Date.now();
  if (remaining <= 0) throw new RenderError('RENDER_TIMEOUT', `PDF rendering ran out of time before ${tool}`);
  const start = job.sandbox ? job.sandbox.command(path, args, FONT_BINDS, 3) : { command: path, args, sandboxed: false, infoFd: undefined };
  const run = spawnLimited(start.command, start.args, {
    cpuSeconds: job.limits.cpuSeconds,
    addressSpaceBytes: job.limits.memoryMb * 2 * 1024 * 1024,
    fileBytes: MAX_OUTPUT_FILE_BYTES,
    timeoutMs: remaining,
  }, { cwd: job.outDir, env: {}, stdio: ['ignore', 'pipe', 'pipe'], sandboxed: start.sandboxed, ...(start.infoFd === undefined ? {} : { infoFd: start.infoFd }), ...(job.signal ? { signal: job.signal } : {}) });
  let spawnError: Error | undefined;
  run.child.once('error', (error) => {
    spawnError = error;
  });
  const stdout = collect(run.child.stdout, stdoutMax);
  const stderr = collect(run.child.stderr, 8 * 1024);
  const { code, signal, timedOut, aborted } = await run.exited;
  if (spawnError) {
    throw new RenderError('RENDER_WORKER_FAILED', `cannot run ${tool} (install poppler-utils): ${spawnError.message}`, { cause: spawnError });
  }
  if (aborted) throw new RenderError('RENDER_ABORTED', `rendering was aborted by the caller (in ${tool})`);
  if (timedOut) throw new RenderError('RENDER_TIMEOUT', `${tool} did not finish within ${job.limits.timeoutMs} ms and was killed`);
  if (signal === 'SIGXCPU') throw new RenderError('RENDER_TIMEOUT', `${tool} used its ${job.limits.cpuSeconds} s of CPU and was stopped`);
  if (signal === 'SIGXFSZ') throw new RenderError('RENDER_LIMIT_EXCEEDED', `${tool} tried to write a file over ${MAX_OUTPUT_FILE_BYTES} bytes`);
  if (signal) {
    throw new RenderError('RENDER_LIMIT_EXCEEDED', `${tool} was stopped by ${signal} (limits: ${job.limits.memoryMb * 2} MiB address space, ${job.limits.cpuSeconds} s CPU)`);
  }
  if (code !== 0) {
    // poppler exit codes: 1 cannot open/parse, 2 output error, 3 permissions, 99 other.
    const reason = stderr().split('\n').find((line) => line.trim() !== '') ?? `exit status ${code}`;
    throw new RenderError(code === 2 ? 'RENDER_IO' : 'RENDER_MALFORMED', `${tool} refused the PDF: ${reason.slice(0, 200)}`);
  }
  return { stdout: stdout(), stderr: stderr() };
}

/**
 * Parses `pdfinfo -f 1 -l N` output: the page count and each listed page's size in points.
 * pdfinfo prints the document's metadata (Title, Author, ...) first, verbatim and possibly with
 * newlines, so a hostile Title can contain a line "Pages: 1". Only the LAST "Pages:" line counts,
 * and only "Page n size" lines after it, numbered 1, 2, 3, ... in order: nothing after that line
 * comes from the document's strings.
 */
export function parsePdfInfo(text: string): { pages: number; sizes: Array<{ width: number; height: number }> } {
  const counts = [...text.matchAll(/^Pages:\s+(\d+)\s*$/gm)];
  const last = counts.at(-1);
  if (!last) throw malformed('pdfinfo reported no page count');
  const tail = text.slice(last.index! + last[0].length);
  const sizes: Array<{ width: number; height: number }> = [];
  for (const match of tail.matchAll(/^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts/gm)) {
    if (Number(match[1]) !== sizes.length + 1) throw malformed(`pdfinfo listed page ${match[1]} out of order`);
    sizes.push({ width: Number(match[2]), height: Number(match[3]) });
  }
  return { pages: Number(last[1]), sizes };
}

export async function renderPdf(job: PdfJob): Promise<RenderedPage[]> {
  const { limits } = job;
  checkHeader(job.inputPath, limits);
  // The paths poppler is given: the sandbox's view of the document and the output directory.
  const seen = job.sandbox ?? job;
  const info = parsePdfInfo(
    (await poppler('pdfinfo', ['-f', '1', '-l', String(limits.maxPages), seen.inputPath], job, PDFINFO_OUTPUT_MAX)).stdout,
  );
  if (info.pages === 0) throw malformed('PDF has no pages');
  if (info.pages > limits.maxPages) throw limitExceeded(`PDF has ${info.pages} pages, more than ${limits.maxPages}`);
  // poppler answers a broken page tree (e.g. a loop in /Kids) with 0 × 0 pages rather than an error.
  const empty = info.sizes.findIndex((size) => !(size.width >= 1 && size.height >= 1));
  if (empty >= 0 || info.sizes.length !== info.pages) {
    throw malformed(`PDF page ${empty >= 0 ? empty + 1 : info.sizes.length + 1} has no usable size (broken page tree?)`);
  }
  // Choose one resolution for the document so its largest page side fits maxPreviewSide, and check
  // the pixel budget before poppler allocates anything.
  let largestSidePts = 0;
  let totalPixels = 0;
  const dpiFor = (pts: number): number => Math.max(1, Math.min(limits.previewDpi, Math.floor((limits.maxPreviewSide * 72) / pts)));
  for (const size of info.sizes) largestSidePts = Math.max(largestSidePts, size.width, size.height);
  const dpi = largestSidePts > 0 ? dpiFor(largestSidePts) : limits.previewDpi;
  for (const size of info.sizes) totalPixels += ((size.width * dpi) / 72) * ((size.height * dpi) / 72);
  if (totalPixels > limits.maxDocumentPixels) throw limitExceeded(`PDF would rasterise to ${Math.round(totalPixels)} pixels`);

  const prefix = join(PAGES_DIR, 'poppler');
  const args = ['-r', String(dpi), '-png', '-f', '1', '-l', String(info.pages)];
  if (job.monochrome) args.push('-gray');
  await poppler('pdftoppm', [...args, seen.inputPath, join(seen.outDir, prefix)], job, 64 * 1024);

  // pdftoppm names pages poppler-1.png or poppler-01.png ... depending on the page count.
  const produced = readdirSync(join(job.outDir, PAGES_DIR))
    .map((name) => ({ name, match: /^poppler-(\d+)\.png$/.exec(name) }))
    .filter((entry) => entry.match !== null)
    .map((entry) => ({ name: entry.name, number: Number(entry.match![1]) }))
    .sort((a, b) => a.number - b.number);
  if (produced.length !== info.pages) {
    throw malformed(`pdftoppm produced ${produced.length} pages of the ${info.pages} pdfinfo counted`);
  }
  const pages: RenderedPage[] = [];
  for (const [index, entry] of produced.entries()) {
    const file = pageFile(index);
    renameSync(join(job.outDir, PAGES_DIR, entry.name), join(job.outDir, file));
    const fd = openSync(join(job.outDir, file), 'r');
    const head = new Uint8Array(24);
    try {
      readSync(fd, head, 0, 24, 0);
    } finally {
      closeSync(fd);
    }
    const size = readPngSize(head);
    if (!size) throw new RenderError('RENDER_WORKER_FAILED', `pdftoppm wrote an unreadable PNG for page ${index + 1}`);
    pages.push({ file, ...size });
  }
  return pages;
}
