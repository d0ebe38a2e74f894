/**
 * Starts a child process under OS resource limits (util-linux `prlimit`: RLIMIT_CPU, RLIMIT_AS or
 * RLIMIT_DATA, RLIMIT_FSIZE) with an empty environment, and kills it (SIGKILL, whole process) when its wall-clock
 * budget runs out. Where prlimit is missing (not Linux), the wall clock and the child's own limits
 * (V8 heap size) still hold.
 */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, join } from 'node:path';

let prlimitPath: string | null | undefined;

/** The prlimit binary, looked up once. */
export function findPrlimit(): string | null {
  if (prlimitPath === undefined) {
    prlimitPath = null;
    for (const candidate of ['/usr/bin/prlimit', '/bin/prlimit']) {
      if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) {
        prlimitPath = candidate;
        break;
      }
    }
  }
  return prlimitPath;
}

const toolPaths = new Map<string, string | null>();

/**
 * Absolute path of an executable found on the caller's PATH (looked up once): the limited
 * processes run with an empty environment, so they are started by absolute path.
 */
export function findTool(name: string): string | null {
  if (!toolPaths.has(name)) {
    let found: string | null = null;
    for (const dir of (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
      if (!dir) continue;
      const candidate = join(dir, name);
      try {
        accessSync(candidate, fsConstants.X_OK);
        found = candidate;
        break;
      } catch {
        // not here
      }
    }
    toolPaths.set(name, found);
  }
  return toolPaths.get(name)!;
}

/** No preview PNG comes near this (4000 × 4000 RGB, incompressible, is 48 MB): bounds disk use. */
export const MAX_OUTPUT_FILE_BYTES = 128 * 1024 * 1024;

export interface ProcessLimits {
  /** RLIMIT_CPU, seconds: SIGXCPU when used up. */
  cpuSeconds: number;
  /** RLIMIT_AS (address space), bytes: right for C programs such as poppler. */
  addressSpaceBytes?: number;
  /** RLIMIT_DATA, bytes: right for V8, which reserves far more address space than it uses. */
  dataBytes?: number;
  /** RLIMIT_FSIZE, bytes: the largest file the process may write (SIGXFSZ past it). */
  fileBytes?: number;
  /** Wall-clock budget, milliseconds. */
  timeoutMs: number;
}

export interface LimitedExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Killed because the wall-clock budget ran out. */
  timedOut: boolean;
  /** Killed because the caller's AbortSignal fired. */
  aborted: boolean;
}

export interface LimitedRun {
  child: ChildProcess;
  /** Settles when the process has exited and its pipes and IPC channel are closed, with how. */
  exited: Promise<LimitedExit>;
  /**
   * Starts the wall-clock budget of a process started ahead of its work (`deferClock`, a warm
   * spare renderer): its idle wait is not its job's time. Once only; later calls do nothing.
   */
  startClock(timeoutMs: number): void;
  /** Kills the process when `signal` fires, as the spawn-time `signal` option does. */
  follow(signal: AbortSignal): void;
  /**
   * Kills the process and its sandbox (also during bwrap's start-up, see below), without
   * reporting it as aborted or timed out: a spare nobody will use.
   */
  kill(): void;
}

export function spawnLimited(
  command: string,
  args: readonly string[],
  limits: ProcessLimits,
  options: {
    cwd: string;
    env?: NodeJS.ProcessEnv;
    stdio: StdioOptions;
    signal?: AbortSignal;
    /** The command is bwrap (sandbox/bubblewrap.ts): exit statuses 129+ are signals. */
    sandboxed?: boolean;
    /** bwrap's --info-fd: this fd (a pipe made here) reports the sandbox's pid. */
    infoFd?: number;
    /** Do not start the wall clock now: the caller starts it with startClock() when work begins. */
    deferClock?: boolean;
  },
): LimitedRun {
  const prlimit = findPrlimit();
  // Soft below hard: the kernel sends SIGXCPU at the soft limit (which callers report as a CPU
  // timeout) and SIGKILL only a second later at the hard one (setrlimit(2), RLIMIT_CPU).
  const cpu = Math.max(1, Math.ceil(limits.cpuSeconds));
  const rlimits: string[] = [`--cpu=${cpu}:${cpu + 1}`];
  if (limits.addressSpaceBytes) rlimits.push(`--as=${Math.floor(limits.addressSpaceBytes)}`);
  if (limits.dataBytes) rlimits.push(`--data=${Math.floor(limits.dataBytes)}`);
  if (limits.fileBytes) rlimits.push(`--fsize=${Math.floor(limits.fileBytes)}`);
  const [file, argv] = prlimit ? [prlimit, [...rlimits, '--', command, ...args]] : [command, [...args]];
  const stdio = Array.isArray(options.stdio) ? [...(options.stdio as unknown[])] : options.stdio;
  if (options.infoFd !== undefined && Array.isArray(stdio)) {
    while (stdio.length < options.infoFd) stdio.push('ignore');
    stdio[options.infoFd] = 'pipe';
  }
  const child = spawn(file, argv, {
    cwd: options.cwd,
    env: options.env ?? {},
    stdio: stdio as StdioOptions,
    // prlimit execs the command, so the pid is the renderer's own and SIGKILL reaches it.
    detached: false,
    windowsHide: true,
  });
  let timedOut = false;
  let aborted = false;
  // Killing bwrap alone is not enough: its sandbox (the PID namespace's first process) dies with
  // it only once it has armed its parent-death signal, and a kill during start-up can come first,
  // leaving the renderer running as an orphan. So the sandbox's own pid, which bwrap reports on
  // --info-fd once the sandbox exists, is killed too — the whole namespace goes with it — and a
  // kill asked for before that report waits for it (or for bwrap's exit), at most 2 s.
  let sandboxPid: number | undefined;
  let reported = options.infoFd === undefined;
  let killWanted = false;
  const killAll = (): void => {
    if (sandboxPid !== undefined) {
      try {
        process.kill(sandboxPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    child.kill('SIGKILL');
  };
  const kill = (): void => {
    killWanted = true;
    if (reported) killAll();
    else setTimeout(killAll, 2000).unref();
  };
  if (options.infoFd !== undefined) {
    const info = child.stdio[options.infoFd] as NodeJS.ReadableStream | null;
    let text = '';
    const settle = (): void => {
      if (reported) return;
      reported = true;
      if (killWanted) killAll();
    };
    info?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      try {
        const pid = (JSON.parse(text) as { 'child-pid'?: unknown })['child-pid'];
        if (typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 1) sandboxPid = pid;
        settle();
      } catch {
        // not all of it yet
      }
    });
    info?.on('end', settle);
    info?.on('error', settle);
    child.once('exit', settle);
  }
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  const startClock = (timeoutMs: number): void => {
    if (timer !== undefined || settled) return;
    timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
  };
  if (!options.deferClock) startClock(limits.timeoutMs);
  const onAbort = (): void => {
    aborted = true;
    kill();
  };
  const followed: AbortSignal[] = [];
  const follow = (signal: AbortSignal): void => {
    if (settled) return;
    if (signal.aborted) return onAbort();
    followed.push(signal);
    signal.addEventListener('abort', onAbort, { once: true });
  };
  if (options.signal) follow(options.signal);
  const exited = new Promise<LimitedExit>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // bubblewrap reports a command killed by a signal as exit status 128 + the signal number.
      if (options.sandboxed && signal === null && code !== null && code > 128) {
        const name = signalName(code - 128);
        if (name) [code, signal] = [null, name];
      }
      for (const followedSignal of followed) followedSignal.removeEventListener('abort', onAbort);
      resolve({ code, signal, timedOut, aborted });
    };
    child.once('error', () => done(null, null));
    // 'close', not 'exit': it waits for the pipes and the IPC channel too, so a reply the worker
    // sent just before exiting is always read first (with bwrap in between, 'exit' often came
    // before the message: RENDER_WORKER_FAILED "ended without a result (exit status 0)").
    // A straggler holding a pipe cannot hold the caller up: 5 s after the exit, settle anyway.
    child.once('close', (code, signal) => done(code, signal));
    child.once('exit', (code, signal) => setTimeout(() => done(code, signal), 5000).unref());
  });
  return { child, exited, startClock, follow, kill };
}

function signalName(number: number): NodeJS.Signals | undefined {
  return (Object.entries(constants.signals) as [NodeJS.Signals, number][]).find(([, n]) => n === number)?.[0];
}

/** Collects at most `max` bytes of a stream (the rest is drained and dropped). */
export function collect(stream: NodeJS.ReadableStream | null, max: number): () => string {
  const chunks: Buffer[] = [];
  let size = 0;
  stream?.on('data', (chunk: Buffer) => {
    if (size >= max) return;
    const part = chunk.subarray(0, max - size);
    chunks.push(part);
    size += part.length;
  });
  return () => Buffer.concat(chunks).toString('utf8');
}
