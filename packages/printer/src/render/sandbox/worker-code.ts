/**
 * Where the worker's code is and what it must be allowed to read to run.
 *
 * From the built dist/ (production) the worker is dist/render/worker/worker-main.js and may read
 * only dist/render and the jpeg-js package. From TypeScript sources (vitest, tsx) there is no JavaScript to run, and
 * running tsx inside the worker would need threads and child processes (tsx's loader thread and its
 * esbuild service), which the sandbox forbids. So the sources are bundled once per process with
 * esbuild (tsx's own dependency) into one .mjs file in a private temporary directory, and the worker
 * runs that with exactly the production restrictions: tests exercise the real sandbox.
 */
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WorkerCode {
  /** The script the worker process runs. */
  entry: string;
  /** Directories the worker may read so that its code loads. */
  readRoots: string[];
}

const here = fileURLToPath(import.meta.url);
const fromSource = here.endsWith('.ts');
let cached: WorkerCode | undefined;

const BUNDLE_PREFIX = 'tno-render-worker-';

/**
 * Removes bundle directories left by test processes that were killed before their exit handler
 * ran: only ours (same uid), only real directories (not symlinks), only when that pid is gone.
 */
function sweepStaleBundles(): void {
  const uid = process.getuid?.();
  for (const name of readdirSync(tmpdir())) {
    const match = new RegExp(`^${BUNDLE_PREFIX}(\\d+)-`).exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 0);
      continue; // still running
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') continue;
    }
    const path = join(tmpdir(), name);
    try {
      const stat = lstatSync(path);
      if (stat.isDirectory() && (uid === undefined || stat.uid === uid)) rmSync(path, { recursive: true, force: true });
    } catch {
      // raced with another sweeper: fine
    }
  }
}

interface Esbuild {
  buildSync(options: Record<string, unknown>): unknown;
}

function bundleSources(): WorkerCode {
  const require = createRequire(import.meta.url);
  let esbuild: Esbuild;
  try {
    esbuild = createRequire(require.resolve('tsx/package.json'))('esbuild') as Esbuild;
  } catch (error) {
    throw new Error('running the renderer from TypeScript sources needs tsx (and its esbuild) installed', { cause: error });
  }
  sweepStaleBundles();
  const dir = realpathSync(mkdtempSync(join(tmpdir(), `${BUNDLE_PREFIX}${process.pid}-`)));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const entry = join(dir, 'worker-main.mjs');
  esbuild.buildSync({
    entryPoints: [join(dirname(here), '..', 'worker', 'worker-main.ts')],
    outfile: entry,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    // jpeg-js is CommonJS: give the bundle a require() for the Node built-ins it may ask for.
    banner: { js: "import { createRequire as __tnoCreateRequire } from 'node:module'; const require = __tnoCreateRequire(import.meta.url);" },
  });
  // Code, not secrets: the render user (another uid when the printer runs as root) must read it.
  chmodSync(dir, 0o755);
  chmodSync(entry, 0o644);
  return { entry, readRoots: [dir] };
}

export function workerCode(): WorkerCode {
  if (cached) return cached;
  if (fromSource) {
    cached = bundleSources();
  } else {
    // The renderer's own directory, and jpeg-js both where the resolver finds it (node_modules,
    // possibly a symlink) and where it really is: nothing else of the installation.
    const renderDir = realpathSync(join(dirname(here), '..'));
    const readRoots = [renderDir];
    for (let dir = renderDir; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', 'jpeg-js');
      if (existsSync(candidate)) {
        readRoots.push(candidate, realpathSync(candidate));
        break;
      }
      if (dirname(dir) === dir) throw new Error('jpeg-js is not installed next to the renderer');
    }
    cached = { entry: join(renderDir, 'worker', 'worker-main.js'), readRoots: [...new Set(readRoots)] };
  }
  return cached;
}
