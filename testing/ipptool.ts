/**
 * CUPS' ipptool and its stock test files (Debian cups-ipp-utils, /usr/share/cups/ipptool) as an
 * independent IPP client for tests, against servers started exactly as the `tno` command starts
 * them (a child process running the CLI from its TypeScript sources).
 *
 * Debian ships the .test files but not the documents they print, so `ipptoolWorkdir` generates
 * them with independent tools: Ghostscript for PDF and PostScript, libjpeg-turbo's cjpeg for JPEG.
 * The .test files are copied next to the documents because ipptool resolves a relative FILE
 * against the test file's directory (create-job-*.test print ../data/testprint.ps).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian's cups-ipp-utils installs the test files. */
export const IPPTOOL_TESTS = '/usr/share/cups/ipptool';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAUNCHER = fileURLToPath(new URL('../packages/printer/test/support/tno-source.mts', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Documents

/**
 * A PostScript program drawing `pages` pages of `width`×`height` points, each with its page number
 * in large digits and a solid black bar whose height grows with the page number (page n: n×40 pt
 * from the top), so a rendered page can be told apart from the others by its ink alone.
 */
export function numberedPagesPostScript(pages: number, width = 595, height = 842): string {
  const lines = ['%!PS', `<< /PageSize [${width} ${height}] >> setpagedevice`, '/Helvetica findfont 160 scalefont setfont'];
  for (let n = 1; n <= pages; n++) {
    lines.push(`0 ${height - n * 40} ${width} ${n * 40} rectfill`, `${width / 3} ${height / 3} moveto (${n}) show`, 'showpage');
  }
  return `${lines.join('\n')}\n`;
}

async function ghostscript(device: 'pdfwrite' | 'ps2write', postscript: string, out: string): Promise<void> {
  const src = `${out}.src.ps`;
  await writeFile(src, postscript);
  await run('gs', ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', `-sDEVICE=${device}`, `-sOutputFile=${out}`, src], { timeout: 60_000 });
}

/** A 2-page PDF of the given size in points (Ghostscript's pdfwrite). */
export async function twoPagePdf(out: string, width = 595, height = 842): Promise<void> {
  await ghostscript('pdfwrite', numberedPagesPostScript(2, width, height), out);
}

/** A JPEG of a colour gradient (binary PPM encoded by cjpeg; `grayscale` adds -grayscale). */
export async function jpegFile(out: string, width = 160, height = 120, grayscale = false): Promise<void> {
  const header = Buffer.from(`P6\n${width} ${height}\n255\n`, 'ascii');
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = Math.round((255 * x) / width);
      pixels[i + 1] = Math.round((255 * y) / height);
      pixels[i + 2] = 128;
    }
  }
  const ppm = `${out}.ppm`;
  await writeFile(ppm, Buffer.concat([header, pixels]));
  await run('sh', ['-c', `cjpeg ${grayscale ? '-grayscale ' : ''}-quality 85 "$1" > "$2"`, 'cjpeg', ppm, out], { timeout: 30_000 });
}

/** PWG 5102.4 cupsColorSpace values for the raster types ipp-everywhere.test names. */
const PWG_COLOR_SPACES = { black: { space: 3, colors: 1 }, sgray: { space: 18, colors: 1 }, srgb: { space: 19, colors: 3 }, cmyk: { space: 6, colors: 4 } } as const;

/**
 * A PWG Raster file (PWG 5102.4) of blank pages, written here rather than by the printer's own
 * writer so the printer reads a stream it did not produce: "RaS2", then per page the 1796-byte
 * header and every line as PackBits runs of the white pixel (lines repeated 256 at a time).
 */
export function blankPwgRaster(o: { type: keyof typeof PWG_COLOR_SPACES; bits: 1 | 8 | 16; dpi: number; width: number; height: number; pages: number }): Buffer {
  const { space, colors } = PWG_COLOR_SPACES[o.type];
  const bitsPerPixel = o.bits * colors;
  const bytesPerLine = Math.ceil((o.width * bitsPerPixel) / 8);
  const unit = Math.max(1, bitsPerPixel / 8); // PackBits works on whole pixels, or bytes below 8 bits
  const white = o.type === 'black' || o.type === 'cmyk' ? 0x00 : 0xff; // additive spaces are white at full value
  const runs: Buffer[] = [];
  for (let left = bytesPerLine / unit; left > 0; left -= 128) {
    const n = Math.min(128, left);
    runs.push(Buffer.from([n - 1]), Buffer.alloc(unit, white));
  }
  const line = Buffer.concat(runs);
  const parts: Buffer[] = [Buffer.from('RaS2', 'ascii')];
  for (let page = 1; page <= o.pages; page++) {
    const h = Buffer.alloc(1796);
    h.write('PwgRaster', 0, 'ascii');
    const u32 = (offset: number, v: number): void => void h.writeUInt32BE(v, offset);
    u32(276, o.dpi); // HWResolution
    u32(280, o.dpi);
    u32(340, 1); // NumCopies
    u32(352, Math.round((o.width * 72) / o.dpi)); // PageSize, points
    u32(356, Math.round((o.height * 72) / o.dpi));
    u32(372, o.width);
    u32(376, o.height);
    u32(384, o.bits);
    u32(388, bitsPerPixel);
    u32(392, bytesPerLine);
    u32(396, 0); // chunky
    u32(400, space);
    u32(420, colors);
    u32(452, o.pages); // TotalPageCount
    u32(456, 1); // CrossFeedTransform
    u32(460, 1); // FeedTransform
    parts.push(h);
    for (let left = o.height; left > 0; left -= 256) parts.push(Buffer.from([Math.min(256, left) - 1]), line);
  }
  return Buffer.concat(parts);
}

/**
 * The PWG Raster samples ipp-everywhere.test names (144 FILE lines; ipptool refuses to start when
 * one is missing, even for tests it would skip): each a small page (1 × 1.5 in) at the resolution
 * and type its name states, two pages for the document-* ones. Returns how many were written.
 */
export async function ippEverywhereSamples(work: string): Promise<number> {
  const text = await readFile(join(work, 'ipp-everywhere.test'), 'utf8');
  const files = [...new Set([...text.matchAll(/^\s*FILE\s+(\S+)$/gm)].map((m) => m[1]!))];
  for (const file of files) {
    const m = /-(black|sgray|srgb|cmyk)-(1|8|16)-(\d+)dpi\.pwg$/.exec(file);
    if (!m) throw new Error(`unexpected sample name ${file}`);
    const dpi = Number(m[3]);
    await mkdir(join(work, dirname(file)), { recursive: true });
    const raster = blankPwgRaster({ type: m[1] as 'black', bits: Number(m[2]) as 8, dpi, width: dpi, height: Math.round(dpi * 1.5), pages: file.includes('document-') ? 2 : 1 });
    await writeFile(join(work, file), raster);
  }
  return files.length;
}

// ---------------------------------------------------------------------------------------------
// Defects of the stock files themselves

export interface FileDefect {
  /** The .test file. */
  readonly file: string;
  /** The NAME of the one test that is wrong. */
  readonly test: string;
  /** The test that fails because of it, when not that one (a later test that relies on it). */
  readonly failsAs?: string;
  /** Why the file, not the server, is wrong. */
  readonly why: string;
  /** Corrects the file's text (only inside that test). */
  correct(text: string): string;
}

/** Replaces the first `from` after the line naming `test` (so only that test changes). */
function inTest(test: string, from: string, to: string): (text: string) => string {
  return (text) => {
    const start = text.indexOf(`NAME "${test}"`);
    const at = start < 0 ? -1 : text.indexOf(from, start);
    if (at < 0) throw new Error(`ipptool file changed: no ${JSON.stringify(from)} in test ${test}`);
    return text.slice(0, at) + to + text.slice(at + from.length);
  };
}

/**
 * Tests in CUPS 2.4's files that contradict the specifications (or themselves). The copies in an
 * ipptoolWorkdir carry the correction; a test runs the original file too and checks that exactly
 * this test fails there, so the defect is shown rather than assumed.
 */
export const FILE_DEFECTS: readonly FileDefect[] = [
  {
    file: 'ipp-everywhere.test',
    test: 'PWG 5100.14 section 5.1/5.2 - Required Operations and Attributes',
    why: "expects overrides-supported to contain 'document-number'; the keyword PWG 5100.6 and the IANA registry define is 'document-numbers'",
    correct: inTest('PWG 5100.14 section 5.1/5.2 - Required Operations and Attributes', 'WITH-VALUE "document-number"', 'WITH-VALUE "document-numbers"'),
  },
  {
    file: 'get-printer-attributes-suite.test',
    test: "Get-Printer-Attributes (requested-attributes='media-col-database')",
    why: "the test named requested-attributes='media-col-database' sends 'all', then expects media-col-database and no printer-description attribute; the same file (and RFC 8011 §4.2.5.1, PWG 5100.7) says 'all' never returns media-col-database",
    correct: inTest("Get-Printer-Attributes (requested-attributes='media-col-database')", "ATTR keyword requested-attributes 'all'", "ATTR keyword requested-attributes 'media-col-database'"),
  },
  {
    file: 'print-job-hold.test',
    test: 'Print-Job w/job-hold-until=indefinite',
    failsAs: 'Release-Job',
    why: 'sends job-hold-until, a Job Template attribute (RFC 8011 §5.2.2), in the operation group; it belongs in the job group (RFC 8011 §4.2.1.1), so a printer applying only the job group prints at once and the Release-Job that follows finds nothing held',
    correct: (text) =>
      inTest('Print-Job w/job-hold-until=indefinite', '\tATTR name job-name $filename\n', '\tATTR name job-name $filename\n\tGROUP job-attributes-tag\n\tATTR keyword job-hold-until indefinite\n')(
        inTest('Print-Job w/job-hold-until=indefinite', '\tATTR keyword job-hold-until indefinite\n', '')(text),
      ),
  },
];

/** The text of a stock .test file with the corrections FILE_DEFECTS holds for it. */
export function correctedTestFile(file: string, text: string): string {
  return FILE_DEFECTS.filter((d) => d.file === file).reduce((t, d) => d.correct(t), text);
}

/**
 * A directory holding a copy of every stock .test file (FILE_DEFECTS corrected) and the documents
 * they name:
 * document-a4.pdf / document-letter.pdf (2 small pages), document-a4.ps / document-letter.ps,
 * color.jpg, gray.jpg, ../data/testprint.ps; plus two-pages.pdf and photo.jpg for `-f`.
 * Returns the directory the .test files are in.
 */
export async function ipptoolWorkdir(dir: string): Promise<string> {
  const work = join(dir, 'ipptool');
  await mkdir(work, { recursive: true });
  await mkdir(join(dir, 'data'), { recursive: true });
  for (const name of await readdir(IPPTOOL_TESTS)) {
    if (name.endsWith('.test')) await writeFile(join(work, name), correctedTestFile(name, await readFile(join(IPPTOOL_TESTS, name), 'utf8')));
  }
  // Small pages (1 × 1.5 in): the files check the protocol; rendering full pages at 300 dpi on
  // every run would only cost time (the cupsd test prints full pages).
  await twoPagePdf(join(work, 'document-a4.pdf'), 72, 108);
  await twoPagePdf(join(work, 'document-letter.pdf'), 72, 108);
  await ghostscript('ps2write', numberedPagesPostScript(2, 72, 108), join(work, 'document-a4.ps'));
  await ghostscript('ps2write', numberedPagesPostScript(2, 72, 108), join(work, 'document-letter.ps'));
  await ghostscript('ps2write', numberedPagesPostScript(1, 612, 792), join(dir, 'data', 'testprint.ps'));
  await jpegFile(join(work, 'color.jpg'));
  await jpegFile(join(work, 'gray.jpg'), 160, 120, true);
  await twoPagePdf(join(work, 'two-pages.pdf'), 72, 108);
  await jpegFile(join(work, 'photo.jpg'), 96, 144);
  await ippEverywhereSamples(work);
  return work;
}

// ---------------------------------------------------------------------------------------------
// Running ipptool

export type TestOutcome = 'PASS' | 'FAIL' | 'SKIP';

export interface IpptoolRun {
  /** ipptool's exit status (0: every test passed). */
  readonly code: number;
  readonly out: string;
  /** Each test of the file(s) with its outcome, in order. */
  readonly tests: readonly { readonly name: string; readonly outcome: TestOutcome }[];
  /** The failed tests with ipptool's reasons, for an assertion message. */
  failures(): string;
}

/**
 * Runs ipptool (`-t`: test mode, `-T`: per-request timeout) with `args` in `cwd`. A run that
 * exceeds `timeoutMs` is killed and reported as a failure with what it printed so far.
 */
export async function ipptool(args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<IpptoolRun> {
  let code = 0;
  let out = '';
  try {
    const r = await run('ipptool', ['-T', '20', ...args], { cwd, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 });
    out = r.stdout + r.stderr;
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; killed?: boolean };
    code = typeof e.code === 'number' ? e.code : 1;
    out = `${e.stdout ?? ''}${e.stderr ?? ''}${e.killed ? `\n(ipptool killed after ${timeoutMs} ms)` : ''}`;
  }
  const tests = [...out.matchAll(/^ {4}(\S.*?)\s+\[(PASS|FAIL|SKIP)\]$/gm)].map((m) => ({ name: m[1]!, outcome: m[2] as TestOutcome }));
  return {
    code,
    out,
    tests,
    failures: () =>
      out
        .split('\n')
        .filter((l) => /\[FAIL\]|EXPECTED|GOT|status-code|Unable|killed|RECEIVED/.test(l))
        .slice(0, 60)
        .join('\n') || out.slice(-2000),
  };
}

// ---------------------------------------------------------------------------------------------
// Servers started as the CLI starts them

export interface TnoServer {
  /** The URI printed on the first line of stdout. */
  readonly uri: string;
  /** Every line of stdout so far (the printer prints its TLS fingerprint there). */
  readonly lines: readonly string[];
  /** What it wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM, then wait for exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/** Starts `tno ...args` (e.g. ['printer', '--port', '0', ...]) and resolves with its URI. */
export function startTno(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<TnoServer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', LAUNCHER, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    if (err.length > 4_000_000) err = err.slice(-2_000_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      lines.push(line);
      // The printer prints its URI then state, printer-uuid and fingerprint lines.
      if (lines.length === 1 && args[0] !== 'printer') resolve({ uri: line, lines, stderr: () => err, stop });
      if (args[0] === 'printer' && line.startsWith('fingerprint ')) resolve({ uri: lines[0]!, lines, stderr: () => err, stop });
    });
    child.once('exit', (code) => reject(new Error(`tno ${args.join(' ')} exited ${code} before serving: ${err}`)));
  });
}

/** SHA-256 of the printer's TLS certificate (STATE/certs/tls.pem), lowercase hex, for --upstream-pin. */
export async function printerTlsFingerprint(stateDir: string): Promise<string> {
  const cert = new X509Certificate(await readFile(join(stateDir, 'certs', 'tls.pem')));
  return cert.fingerprint256.replaceAll(':', '').toLowerCase();
}

/** A self-signed P-256 TLS key and certificate for 127.0.0.1/localhost (openssl req), as files. */
export async function tlsFiles(dir: string): Promise<{ key: string; cert: string }> {
  const key = join(dir, 'tls.key');
  const cert = join(dir, 'tls.crt');
  await run(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    { timeout: 30_000 },
  );
  return { key, cert };
}

/**
 * The printer and the intermediary in front of it as `tno printer` and `tno intermediary` run
 * them, over ipp or ipps (the intermediary then reaches the printer over ipps too, pinned to the
 * fingerprint of the certificate the printer generated). The intermediary admits anonymous users and cleartext jobs,
 * since ipptool sends neither credentials nor sealed jobs: both are its documented flags.
 */
export async function startPrinterAndIntermediary(dir: string, scheme: 'ipp' | 'ipps'): Promise<{ printer: TnoServer; intermediary: TnoServer; stop(): Promise<void> }> {
  const printerState = join(dir, `printer-${scheme}`);
  const printer = await startTno(['printer', '--port', '0', '--state', printerState, ...(scheme === 'ipps' ? ['--tls'] : [])]);
  try {
    const tls = scheme === 'ipps' ? await tlsFiles(dir) : undefined;
    const intermediary = await startTno([
      'intermediary',
      '--port',
      '0',
      '--state',
      join(dir, `intermediary-${scheme}`),
      '--upstream',
      printer.uri,
      ...(scheme === 'ipps' ? ['--upstream-pin', await printerTlsFingerprint(printerState)] : []),
      ...(tls ? ['--tls-key', tls.key, '--tls-cert', tls.cert] : []),
      '--anonymous',
      '--allow-cleartext',
    ]);
    return { printer, intermediary, stop: async () => void (await Promise.all([intermediary.stop(), printer.stop()])) };
  } catch (err) {
    await printer.stop();
    throw err;
  }
}
