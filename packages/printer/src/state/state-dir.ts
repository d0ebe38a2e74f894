/**
 * The printer's state directory (docs/architecture.md "Data at rest"):
 *
 *   printer.json          printer-uuid and name (stable across restarts)
 *   keys/                 0700: the TRUSTNOONE private key and the TLS key, each 0600
 *   certs/                the printer certificate (PEM) and the TLS certificate
 *   replay/               the replay cache of sealed job nonces
 *   jobs/<id>/            manifest.json and pages/NNN.png, kept; private/ holds plaintext: a
 *                         sealed job's while it is decrypted (unreleased, temporary name) and
 *                         verified, any job's document while it renders
 *
 * On start every jobs/<id>/private and jobs/<id>/spool left by a crash is removed, so no
 * decrypted byte outlives the process that produced it.
 */
import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface StateLayout {
  readonly root: string;
  readonly keys: string;
  readonly certs: string;
  readonly jobs: string;
  readonly replay: string;
  readonly identityFile: string;
}

export function stateLayout(root: string): StateLayout {
  return {
    root,
    keys: join(root, 'keys'),
    certs: join(root, 'certs'),
    jobs: join(root, 'jobs'),
    replay: join(root, 'replay'),
    identityFile: join(root, 'printer.json'),
  };
}

export interface JobPaths {
  readonly dir: string;
  /** Reserved for incoming bytes kept as received; cleaned on start like private/. */
  readonly spool: string;
  /** 0700, verified plaintext only; removed when the job ends, and on start. */
  readonly private: string;
  readonly pages: string;
  readonly manifest: string;
}

export function jobPaths(layout: StateLayout, id: number): JobPaths {
  const dir = join(layout.jobs, String(id));
  return {
    dir,
    spool: join(dir, 'spool'),
    private: join(dir, 'private'),
    pages: join(dir, 'pages'),
    manifest: join(dir, 'manifest.json'),
  };
}

export async function prepareState(layout: StateLayout): Promise<void> {
  await mkdir(layout.root, { recursive: true, mode: 0o700 });
  for (const d of [layout.keys, layout.jobs, layout.replay]) {
    await mkdir(d, { recursive: true, mode: 0o700 });
    await chmod(d, 0o700);
  }
  await mkdir(layout.certs, { recursive: true });
}

/**
 * Removes what a crashed run may have left in job directories (plaintext, partial spools) and
 * returns the highest job id found, so new ids never reuse a directory.
 */
export async function cleanJobsOnStart(layout: StateLayout): Promise<{ maxJobId: number; removed: string[] }> {
  let maxJobId = 0;
  const removed: string[] = [];
  const entries = await readdir(layout.jobs, { withFileTypes: true });
  for (const e of entries) {
    if (!e.isDirectory() || !/^[1-9][0-9]*$/.test(e.name)) continue;
    maxJobId = Math.max(maxJobId, Number(e.name));
    const paths = jobPaths(layout, Number(e.name));
    for (const leftover of [paths.private, paths.spool]) {
      const existed = await rm(leftover, { recursive: true, force: false }).then(
        () => true,
        () => false,
      );
      if (existed) removed.push(leftover);
    }
  }
  return { maxJobId, removed };
}
