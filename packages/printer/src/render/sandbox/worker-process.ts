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
import { MAX_OUTPUT_FILE_BYTES, collect, findPrlimit, spawnLimited, type LimitedRun, type ProcessLimits } from './limited-process.js';
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
  return { ...startInvocation(job, timeoutMs), argument: JSON.stringify(job) };
}

/** The paths and limits a worker is started with; a spare gets only these, and its job over IPC. */
type WorkerStart = Pick<WorkerJob, 'inputPath' | 'outDir' | 'limits'>;

function startInvocation(job: WorkerStart, timeoutMs: number): Omit<WorkerInvocation, 'argument'> {
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
  const worker = startWorkerProcess(seen, job.outDir, timeoutMs, sandbox, { ...(abort ? { abort } : {}) });
  return workerResult(worker, job, timeoutMs);
}

/** A worker process started (with or without its job), its stderr and its one reply being collected. */
export interface WorkerProcess {
  readonly run: LimitedRun;
  readonly stderr: () => string;
  /** The reply, once one arrived; `protocolError` when anything else or a second message came. */
  readonly outcome: { reply?: WorkerReply; protocolError: boolean };
}

/**
 * Starts a worker under its limits and sandbox. `seen` holds the paths as the worker sees them and
 * the limits; without `spare` it is also the job, given as the argument. A spare waits for its one
 * job (sendJob) and its wall clock starts then.
 */
export function startWorkerProcess(
  seen: WorkerStart,
  cwd: string,
  timeoutMs: number,
  sandbox: Pick<SandboxedRender, 'command'> | undefined,
  options: { abort?: AbortSignal; spare?: boolean } = {},
): WorkerProcess {
  const how = startInvocation(seen, timeoutMs);
  const argv: string[] = [...how.nodeOptions, how.script, ...(options.spare ? [] : [JSON.stringify(seen)])];
  const start: { command: string; args: string[]; sandboxed: boolean; infoFd?: number } = sandbox
    ? sandbox.command(how.command, argv, [...workerCode().readRoots.map((root) => ({ source: root })), ...executableBinds(how.command)], 4)
    : { command: how.command, args: argv, sandboxed: false };
  const run = spawnLimited(start.command, start.args, how.limits, {
    cwd,
    sandboxed: start.sandboxed,
    ...(start.infoFd === undefined ? {} : { infoFd: start.infoFd }),
    env: {},
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    ...(options.abort ? { signal: options.abort } : {}),
    ...(options.spare ? { deferClock: true } : {}),
  });
  const stderr = collect(run.child.stderr, 16 * 1024);
  const outcome: WorkerProcess['outcome'] = { protocolError: false };
  run.child.on('message', (message: unknown) => {
    if (outcome.reply === undefined && isWorkerReply(message)) outcome.reply = message;
    else outcome.protocolError = true;
  });
  return { run, stderr, outcome };
}

/** Hands a spare its one job (paths as the spare sees them) and starts its wall clock. */
export function sendJob(worker: WorkerProcess, job: WorkerJob, timeoutMs: number, abort?: AbortSignal): void {
  worker.run.startClock(timeoutMs);
  if (abort) worker.run.follow(abort);
  worker.run.child.send({ job }, (error) => {
    // The spare died before it could take the job: its exit is reported as a worker failure.
    if (error) worker.run.kill();
  });
}

/** Waits for the worker to end and turns how it ended into pages or a RenderError. */
export async function workerResult(worker: WorkerProcess, job: WorkerJob, timeoutMs: number): Promise<Extract<WorkerReply, { ok: true }>> {
  const { run, stderr, outcome } = worker;
  const { code, signal, timedOut, aborted } = await run.exited;
  const { reply, protocolError } = outcome;
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
