/**
 * The file-system sandbox of every renderer process (docs/decisions.md D15): bubblewrap (`bwrap`,
 * Debian package bubblewrap) gives the process fresh mount, PID, network, IPC and UTS namespaces
 * whose file system holds only /usr read-only, an empty /tmp, a private /proc and /dev, the
 * document (read-only) and its pages directory (writable), plus what the program itself needs to
 * load (named by the caller, read-only). Everything else — the key store, other jobs, /etc — does
 * not exist inside.
 *
 * Run by root, bwrap makes the namespaces without a user namespace and the command is started
 * through setpriv, which switches to the render user's uid and gid, clears supplementary groups,
 * every capability and the bounding set, and sets no_new_privs. Run by anyone else, bwrap makes an
 * unprivileged user namespace and the process keeps the printer's (already unprivileged) uid.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, readlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RenderUser } from './render-user.js';

export interface Bind {
  readonly source: string;
  /** Path inside the sandbox (default: the same as source). */
  readonly dest?: string;
  readonly writable?: boolean;
  /** Skip silently when the source does not exist (font configuration, caches). */
  readonly optional?: boolean;
}

export interface Bubblewrap {
  readonly bwrap: string;
  /** Set when the printer runs as root: the account the renderer switches to. */
  readonly user: RenderUser | null;
  /** util-linux setpriv, used only with `user`. */
  readonly setpriv: string | null;
}

/** Top-level directories that Debian's merged /usr makes symlinks (bin -> usr/bin, ...). */
const SYSTEM_LINKS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/** Directories the sandbox already has before any bind. */
const PREMADE = new Set(['/usr', '/tmp', '/proc', '/dev']);

function systemRoot(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const name of SYSTEM_LINKS) {
    const path = `/${name}`;
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
    else if (stat.isDirectory()) args.push('--ro-bind', path, path);
  }
  return args;
}

/** The argument vector that runs `command args` in the sandbox, in `cwd` (a path inside it). */
export function bubblewrapArgv(
  box: Bubblewrap,
  binds: readonly Bind[],
  cwd: string,
  command: string,
  args: readonly string[],
  infoFd?: number,
): string[] {
  // --info-fd: bwrap writes the sandbox's pid there once it exists (limited-process.ts kills it).
  const argv = [...(infoFd === undefined ? [] : ['--info-fd', String(infoFd)]), '--die-with-parent', '--new-session', '--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try'];
  if (!box.user) argv.push('--unshare-user');
  argv.push(...systemRoot(), '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  // bwrap would create missing parents of a mount point 0700 root-owned: the render user could
  // not pass them. Make them 0755 first (they are empty directories of the sandbox's own tmpfs).
  const parents = new Set<string>();
  for (const bind of binds) {
    for (let dir = dirname(bind.dest ?? bind.source); dir !== '/' && !PREMADE.has(dir); dir = dirname(dir)) parents.add(dir);
  }
  for (const dir of [...parents].sort()) argv.push('--perms', '0755', '--dir', dir);
  for (const bind of binds) {
    const kind = bind.writable ? '--bind' : '--ro-bind';
    argv.push(bind.optional ? `${kind}-try` : kind, bind.source, bind.dest ?? bind.source);
  }
  argv.push('--remount-ro', '/', '--chdir', cwd);
  if (box.user) {
    if (!box.setpriv) throw new Error('setpriv is needed to switch to the render user');
    // Only the capabilities setpriv needs to switch user; it drops them (and all others) itself.
    argv.push('--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--', box.setpriv);
    argv.push(`--reuid=${box.user.uid}`, `--regid=${box.user.gid}`, '--clear-groups', '--no-new-privs', '--inh-caps=-all', '--bounding-set=-all');
  }
  argv.push('--', command, ...args);
  return argv;
}

/**
 * Whether this bubblewrap can make the sandbox here (a container may forbid namespaces): runs
 * /usr/bin/true inside the same kind of sandbox once. Returns the reason when it cannot.
 */
export function probeBubblewrap(box: Bubblewrap): string | null {
  const argv = bubblewrapArgv(box, [], '/', '/usr/bin/true', []);
  const run = spawnSync(box.bwrap, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: {}, timeout: 10_000, encoding: 'utf8' });
  if (run.error) return run.error.message;
  if (run.status !== 0) return (run.stderr || `exit status ${run.status}`).trim().slice(0, 300);
  return null;
}
