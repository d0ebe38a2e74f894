/**
 * Which sandbox renderer processes get (issue 12 item 9, docs/decisions.md D15), resolved once when
 * the printer starts, and what one render needs from it: the paths the renderer sees, the binds
 * that make them, and the hand-over of the input and the pages directory to the render user.
 *
 * Modes: `auto` (default) uses bubblewrap when it works here; when the printer runs as root it
 * must work (renderers then also run as the render user, `nobody` by default), otherwise the printer
 * refuses to start rather than render hostile documents as root. `require` demands bubblewrap
 * whatever the uid. `none` turns the file-system sandbox and the user switch off (the Node
 * permission model and the resource limits still apply); say so explicitly, never by accident.
 */
import { chownSync, chmodSync, lchownSync, lstatSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RenderError } from '../errors.js';
import { PAGES_DIR } from '../format.js';
import { bubblewrapArgv, probeBubblewrap, type Bind, type Bubblewrap } from './bubblewrap.js';
import { findTool } from './limited-process.js';
import { DEFAULT_RENDER_USER, lookupRenderUser } from './render-user.js';

export type RenderSandboxMode = 'auto' | 'require' | 'none';
export const RENDER_SANDBOX_MODES: readonly RenderSandboxMode[] = ['auto', 'require', 'none'];

export interface RenderSandboxOptions {
  readonly mode?: RenderSandboxMode;
  /** Account renderers run as when the printer runs as root (name or uid). Default `nobody`. */
  readonly user?: string;
}

export interface RenderSandbox {
  readonly mode: RenderSandboxMode;
  /** null: no file-system sandbox (mode `none`, or `auto` as non-root where bwrap cannot run). */
  readonly box: Bubblewrap | null;
  /** One line for the start-up log: what renderers run under. */
  readonly summary: string;
}

/** Where the document and the output directory appear inside the sandbox. */
export const SANDBOX_INPUT = '/job/document';
export const SANDBOX_OUT_DIR = '/job/out';

function sandboxError(message: string): RenderError {
  return new RenderError('RENDER_SANDBOX', message);
}

export function resolveRenderSandbox(options: RenderSandboxOptions = {}): RenderSandbox {
  const mode = options.mode ?? 'auto';
  if (!RENDER_SANDBOX_MODES.includes(mode)) throw new RangeError(`render sandbox mode must be auto, require or none, got ${String(mode)}`);
  const root = process.getuid?.() === 0;
  if (options.user !== undefined && (!root || mode === 'none')) {
    throw sandboxError(`a render user (${options.user}) applies only to a printer started as root with a sandbox`);
  }
  if (mode === 'none') {
    return { mode, box: null, summary: `renderers run without a file-system sandbox as uid ${process.getuid?.() ?? '?'} (render sandbox: none)` };
  }
  const bwrap = findTool('bwrap') ?? ['/usr/bin/bwrap', '/bin/bwrap'].find((p) => statSync(p, { throwIfNoEntry: false })?.isFile()) ?? null;
  let box: Bubblewrap | null = null;
  let why: string | null = 'bubblewrap (bwrap) is not installed';
  if (bwrap) {
    let user = null;
    let setpriv = null;
    if (root) {
      user = lookupRenderUser(options.user ?? DEFAULT_RENDER_USER);
      if (user.uid === 0 || user.gid === 0) throw sandboxError(`the render user ${user.name} is root (uid ${user.uid}, gid ${user.gid}); name an unprivileged account`);
      setpriv = findTool('setpriv') ?? ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => statSync(p, { throwIfNoEntry: false })?.isFile()) ?? null;
      if (!setpriv) throw sandboxError('setpriv (util-linux) is needed to run renderers as the render user');
    }
    const candidate: Bubblewrap = { bwrap, user, setpriv };
    why = probeBubblewrap(candidate);
    if (why === null) box = candidate;
  }
  if (!box && (root || mode === 'require')) {
    throw sandboxError(
      `renderers need a file-system sandbox ${root ? 'when the printer runs as root' : '(render sandbox: require)'}, and bubblewrap cannot make one here: ${why}. ` +
        'Install the bubblewrap package (and allow namespaces in the container), run the printer as an unprivileged user, or choose render sandbox none',
    );
  }
  const summary = box
    ? `renderers run in bubblewrap (${box.bwrap})${box.user ? ` as ${box.user.name} (uid ${box.user.uid}, gid ${box.user.gid})` : ` as uid ${process.getuid?.() ?? '?'}`}`
    : `renderers run without a file-system sandbox (${why}) as uid ${process.getuid?.() ?? '?'}`;
  return { mode, box, summary };
}

let processDefault: RenderSandbox | undefined;

/** The `auto` sandbox, resolved once per process: what renderDocument uses when given none. */
export function defaultRenderSandbox(): RenderSandbox {
  processDefault ??= resolveRenderSandbox();
  return processDefault;
}

/** One render inside the sandbox: the paths the renderer is given and how to undo the hand-over. */
export interface SandboxedRender {
  readonly inputPath: string;
  readonly outDir: string;
  /** Runs `command args` (inside the sandbox when there is one), with extra read-only binds. */
  command(
    command: string,
    args: readonly string[],
    readOnly?: readonly Bind[],
    infoFd?: number,
  ): { command: string; args: string[]; sandboxed: boolean; infoFd?: number };
  /** Gives the input and the pages back to the printer's uid. */
  release(): void;
}

/**
 * Prepares one render: with a render user, the input file and the (fresh, empty) pages directory
 * are handed to that user (the input read-only, 0400) so that it can read and write them and
 * nothing else of the printer's; they are given back by release().
 */
export function enterSandbox(sandbox: RenderSandbox, inputPath: string, outDir: string): SandboxedRender {
  const box = sandbox.box;
  const pagesDir = join(outDir, PAGES_DIR);
  if (!box) {
    return {
      inputPath,
      outDir,
      command: (command, args) => ({ command, args: [...args], sandboxed: false }),
      release: () => {},
    };
  }
  const input = statSync(inputPath);
  if (box.user) {
    chownSync(inputPath, box.user.uid, box.user.gid);
    chmodSync(inputPath, 0o400);
    chownSync(pagesDir, box.user.uid, box.user.gid);
    chmodSync(pagesDir, 0o700);
  }
  return {
    ...jailed(box, { source: inputPath, dest: SANDBOX_INPUT }, pagesDir, SANDBOX_INPUT),
    release() {
      if (box.user) {
        try {
          chownSync(inputPath, input.uid, input.gid);
          chmodSync(inputPath, input.mode & 0o7777);
        } catch {
          // the input may be gone already (removed by the caller); nothing to give back
        }
      }
      reclaimPages(box, pagesDir);
    },
  };
}

/** The printer's own uid and gid, which pages and inputs are given back to. */
function printerIds(): { uid: number; gid: number } {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}

/** Takes a renderer's pages directory back: the printer's again, regular files only. */
export function reclaimPages(box: Bubblewrap, pagesDir: string): void {
  const printer = printerIds();
  const stat = lstatSync(pagesDir, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) return;
  if (box.user) chownSync(pagesDir, printer.uid, printer.gid);
  for (const name of readdirSync(pagesDir)) {
    const path = join(pagesDir, name);
    // A renderer writes regular files only. Anything else (a symlink naming a path outside the
    // sandbox, a directory) is removed before the printer, which follows paths as itself,
    // looks at the pages; lchown never follows a link.
    const entry = lstatSync(path, { throwIfNoEntry: false });
    if (!entry) continue;
    if (!entry.isFile()) rmSync(path, { recursive: true, force: true });
    else if (box.user) lchownSync(path, printer.uid, printer.gid);
  }
}

/** Where a warm spare's slot (sandbox/warm-workers.ts) shows its input directory and document. */
export const SANDBOX_SLOT_INPUT_DIR = '/job/in';
export const SANDBOX_SLOT_INPUT = `${SANDBOX_SLOT_INPUT_DIR}/document`;

/**
 * The sandbox of a renderer started before its job (a warm spare): it sees its slot's input
 * directory read-only (the job's document is linked into it at hand-over, so the path is fixed
 * in advance) and its slot's pages directory writable, both empty until then, and nothing else.
 * `command` is as in SandboxedRender; the seen paths are what the worker is told.
 */
export function slotSandbox(
  sandbox: RenderSandbox,
  slot: { readonly inputDir: string; readonly input: string; readonly outDir: string },
): { inputPath: string; outDir: string; command: SandboxedRender['command'] } {
  const box = sandbox.box;
  if (!box) return { inputPath: slot.input, outDir: slot.outDir, command: (command, args) => ({ command, args: [...args], sandboxed: false }) };
  const pagesDir = join(slot.outDir, PAGES_DIR);
  if (box.user) {
    chownSync(pagesDir, box.user.uid, box.user.gid);
    chmodSync(pagesDir, 0o700);
  }
  return jailed(box, { source: slot.inputDir, dest: SANDBOX_SLOT_INPUT_DIR }, pagesDir, SANDBOX_SLOT_INPUT);
}

/**
 * What a sandboxed renderer is told and run with: `input` bound read-only, the pages directory
 * writable at SANDBOX_OUT_DIR, and the paths it sees. Shared by a job's own sandbox and a spare's.
 */
function jailed(box: Bubblewrap, input: Bind, pagesDir: string, seenInput: string): { inputPath: string; outDir: string; command: SandboxedRender['command'] } {
  const binds: Bind[] = [input, { source: pagesDir, dest: join(SANDBOX_OUT_DIR, PAGES_DIR), writable: true }];
  return {
    inputPath: seenInput,
    outDir: SANDBOX_OUT_DIR,
    command(command, args, readOnly = [], infoFd) {
      const argv = bubblewrapArgv(box, [...binds, ...readOnly], SANDBOX_OUT_DIR, command, args, infoFd);
      return { command: box.bwrap, args: argv, sandboxed: true, ...(infoFd === undefined ? {} : { infoFd }) };
    },
  };
}

/** Read-only binds that let an executable outside /usr load (e.g. node under /opt). */
export function executableBinds(executable: string): Bind[] {
  const real = realpathSync(executable);
  return real.startsWith('/usr/') ? [] : [{ source: dirname(real) }];
}
