/**
 * Launches the renderer worker: a separate Node process (not a thread: it shares no memory with the
 * printer, whose keys are in its heap) running worker/worker-main, under
 * - RLIMIT_CPU, RLIMIT_DATA and RLIMIT_FSIZE (prlimit) and a V8 heap cap (--max-old-space-size);
 * - Node's permission model: read access only to its own code and the input document, write access
 *   only to the output directory; no child processes, no worker threads, no native addons; no code
 *   generation from strings;
 * - an empty environment and the output directory as working directory;
 * - a wall-clock deadline, after which it is killed with SIGKILL.
 */
import { RenderError, isRenderErrorCode } from '../errors.js';
import { isWorkerReply, type WorkerJob, type WorkerReply } from '../worker/protocol.js';
import { MAX_OUTPUT_FILE_BYTES, collect, findPrlimit, spawnLimited, type ProcessLimits } from './limited-process.js';
import { executableBinds, type SandboxedRender } from './render-sandbox.js';
import { workerCode } from './worker-code.js';

function permissionFlag(): string {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  return major > 22 || (major === 22 && minor >= 13) ? '--permission' : '--experimental-permission';
}

export interface WorkerInvocation {
  command: string;
  /** Node options (sandbox and limits), then the worker script and its one argument. */
  nodeOptions: string[];
  script: string;
  argument: string;
  limits: ProcessLimits;
  cwd: string;
}

/** How the worker for `job` is started; exported so tests can check the sandbox it gets. */
export function workerInvocation(job: WorkerJob, timeoutMs: number): WorkerInvocation {
  const code = workerCode();
  const heapMb = Math.max(64, Math.floor(job.limits.memoryMb / 2));
  return {
    command: process.execPath,
    nodeOptions: [
      permissionFlag(),
      ...code.readRoots.map((root) => `--allow-fs-read=${root}`),
      `--allow-fs-read=${job.inputPath}`,
      `--allow-fs-read=${job.outDir}`,
      `--allow-fs-write=${job.outDir}`,
      `--max-old-space-size=${heapMb}`,
      '--disallow-code-generation-from-strings',
      '--no-warnings',
    ],
    script: code.entry,
    argument: JSON.stringify(job),
    // RLIMIT_DATA bounds heap + array buffers + the runtime's own ~100 MiB.
    limits: {
      cpuSeconds: job.limits.cpuSeconds,
      dataBytes: (job.limits.memoryMb + 256) * 1024 * 1024,
      fileBytes: MAX_OUTPUT_FILE_BYTES,
      timeoutMs,
    },
    cwd: job.outDir,
  };
}

/**
 * Runs one job in a fresh worker process and returns its reply; throws RenderError on any failure.
 * With a sandbox (render-sandbox.ts) the worker sees the job's paths as the sandbox shows them,
 * and only its own code besides.
 */
export async function runWorker(
  job: WorkerJob,
  timeoutMs: number,
  abort?: AbortSignal,
  sandbox?: SandboxedRender,
): Promise<Extract<WorkerReply, { ok: true }>> {
  const seen = sandbox ? { ...job, inputPath: sandbox.inputPath, outDir: sandbox.outDir } : job;
  const how = workerInvocation(seen, timeoutMs);
  const argv = [...how.nodeOptions, how.script, how.argument];
  const start = sandbox
    ? sandbox.command(how.command, argv, [...workerCode().readRoots.map((root) => ({ source: root })), ...executableBinds(how.command)], 4)
    : { command: how.command, args: argv, sandboxed: false };
  const run = spawnLimited(start.command, start.args, how.limits, {
    cwd: job.outDir,
    sandboxed: start.sandboxed,
    ...(start.infoFd === undefined ? {} : { infoFd: start.infoFd }),
    env: {},
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    ...(abort ? { signal: abort } : {}),
  });
  const stderr = collect(run.child.stderr, 16 * 1024);
  let reply: WorkerReply | undefined;
  let protocolError = false;
  run.child.on('message', (message: unknown) => {
    if (reply === undefined && isWorkerReply(message)) reply = message;
    else protocolError = true;
  });
  const { code, signal, timedOut, aborted } = await run.exited;
  if (aborted) throw new RenderError('RENDER_ABORTED', 'rendering was aborted by the caller');
  if (timedOut) throw new RenderError('RENDER_TIMEOUT', `the renderer did not finish within ${timeoutMs} ms and was killed`);
  if (signal === 'SIGXCPU') throw new RenderError('RENDER_TIMEOUT', `the renderer used its ${job.limits.cpuSeconds} s of CPU and was stopped`);
  if (signal === 'SIGXFSZ') throw new RenderError('RENDER_LIMIT_EXCEEDED', `the renderer tried to write a file over ${MAX_OUTPUT_FILE_BYTES} bytes`);
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
