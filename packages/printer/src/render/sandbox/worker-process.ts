/**
 * Launches the renderer worker: a separate Node process (not a thread: it shares no memory with the
 * printer, whose keys are in its heap) running worker/worker-main, under
 * - RLIMIT_CPU and RLIMIT_DATA (prlimit) and a V8 heap cap (--max-old-space-size);
 * - Node's permission model: read access only to the code it runs and the input document, write
 *   access only to the output directory, no child processes, no workers, no native addons (from
 *   TypeScript sources, in tests, tsx needs a loader thread and an esbuild child: those two are
 *   allowed there, the file-system restrictions stay);
 * - an empty environment and the output directory as working directory;
 * - a wall-clock deadline, after which it is killed with SIGKILL.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, parse, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RenderError, isRenderErrorCode } from '../errors.js';
import { isWorkerReply, type WorkerJob, type WorkerReply } from '../worker/protocol.js';
import { collect, findPrlimit, spawnLimited } from './limited-process.js';

const here = fileURLToPath(import.meta.url);
/** Running from TypeScript sources (vitest, tsx) rather than the built dist/. */
const fromSource = here.endsWith('.ts');
const workerEntry = join(dirname(here), '..', 'worker', `worker-main${fromSource ? '.ts' : '.js'}`);

function commonAncestor(paths: string[]): string {
  const split = paths.map((p) => p.split(sep));
  const first = split[0]!;
  let n = 0;
  while (n < first.length && split.every((parts) => parts[n] === first[n])) n++;
  const joined = first.slice(0, n).join(sep);
  return joined === '' ? parse(paths[0]!).root : joined;
}

let cachedCode: { readRoots: string[]; loader: string[] } | undefined;

/** What the worker may read to run at all: its own code and its dependencies (jpeg-js; tsx in tests). */
function codeAccess(): { readRoots: string[]; loader: string[] } {
  if (cachedCode) return cachedCode;
  const require = createRequire(import.meta.url);
  const packageRoot = join(dirname(here), '..', '..', '..');
  const dependencies = [realpathSync(dirname(require.resolve('jpeg-js/package.json')))];
  const loader: string[] = [];
  if (fromSource) {
    const tsxRoot = realpathSync(dirname(require.resolve('tsx/package.json')));
    dependencies.push(tsxRoot);
    // tsx runs its hooks on a loader thread and transpiles with an esbuild child process.
    loader.push('--allow-worker', '--allow-child-process', '--import', pathToFileURL(join(tsxRoot, 'dist', 'loader.mjs')).href);
  }
  cachedCode = { readRoots: [commonAncestor([realpathSync(packageRoot), ...dependencies])], loader };
  return cachedCode;
}

function permissionFlag(): string {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  return major > 22 || (major === 22 && minor >= 13) ? '--permission' : '--experimental-permission';
}

/** Runs one job in a fresh worker process and returns its reply; throws RenderError on any failure. */
export async function runWorker(job: WorkerJob, timeoutMs: number): Promise<Extract<WorkerReply, { ok: true }>> {
  const { readRoots, loader } = codeAccess();
  const heapMb = Math.max(64, Math.floor(job.limits.memoryMb / 2));
  const nodeArgs = [
    permissionFlag(),
    ...readRoots.map((root) => `--allow-fs-read=${root}`),
    `--allow-fs-read=${job.inputPath}`,
    `--allow-fs-read=${job.outDir}`,
    `--allow-fs-write=${job.outDir}`,
    `--max-old-space-size=${heapMb}`,
    '--disallow-code-generation-from-strings',
    '--no-warnings',
    ...loader,
    workerEntry,
    JSON.stringify(job),
  ];
  const run = spawnLimited(
    process.execPath,
    nodeArgs,
    // RLIMIT_DATA bounds heap + array buffers + the runtime's own ~100 MiB.
    { cpuSeconds: job.limits.cpuSeconds, dataBytes: (job.limits.memoryMb + 256) * 1024 * 1024, timeoutMs },
    { cwd: job.outDir, env: fromSource ? { TSX_DISABLE_CACHE: '1' } : {}, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
  );
  const stderr = collect(run.child.stderr, 16 * 1024);
  let reply: WorkerReply | undefined;
  let protocolError = false;
  run.child.on('message', (message: unknown) => {
    if (reply === undefined && isWorkerReply(message)) reply = message;
    else protocolError = true;
  });
  const { code, signal, timedOut } = await run.exited;
  if (timedOut) throw new RenderError('RENDER_TIMEOUT', `the renderer did not finish within ${timeoutMs} ms and was killed`);
  if (signal === 'SIGXCPU') throw new RenderError('RENDER_TIMEOUT', `the renderer used its ${job.limits.cpuSeconds} s of CPU and was stopped`);
  if (reply && !protocolError) {
    if (reply.ok) return reply;
    const failed = reply;
    throw new RenderError(isRenderErrorCode(failed.code) ? failed.code : 'RENDER_WORKER_FAILED', failed.message, { offset: failed.offset });
  }
  const detail = stderr();
  if (/heap out of memory|allocation failed|Cannot allocate|Out of memory/i.test(detail)) {
    throw new RenderError('RENDER_LIMIT_EXCEEDED', `the renderer ran out of its ${job.limits.memoryMb} MiB memory budget`);
  }
  const why = signal ? `signal ${signal}` : `exit status ${code}`;
  throw new RenderError('RENDER_WORKER_FAILED', `the renderer process ended without a result (${why}${findPrlimit() ? '' : ', no prlimit'})`, {
    cause: detail ? new Error(detail.slice(0, 2000)) : undefined,
  });
}
