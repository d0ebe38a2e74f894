/**
 * The printer's state directory (docs/architecture.md "Data at rest"):
 *
 *   printer.json          printer-uuid and name (stable across restarts)
 *   job-counter           the highest job id handed out (jobs/job-counter.ts)
 *   keys/                 0700: the TRUSTNOONE private key and the TLS key, each 0600
 *   certs/                the printer certificate (PEM) and the TLS certificate
 *   replay/               the replay cache of sealed job nonces
 *   jobs/<id>/            manifest.json and pages/NNN.png, kept; private/ holds plaintext: a
 *                         sealed job's while it is decrypted (unreleased, temporary name) and
 *                         verified, any job's document while it renders
 *   render-slots/         0700: one directory per warm spare renderer (render/sandbox/warm-workers.ts);
 *                         a job's document is linked into one while it renders; emptied on start
 *
 * On start every jobs/<id>/private left by a crash is removed, so no decrypted byte outlives the
 * process that produced it; jobs/<id>/spool (ciphertext as received) is removed too unless the
 * job is unfinished (job.json, no manifest.json): then it is opened again (jobs/job-recovery.ts).
 */
import { access, chmod, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface StateLayout {
  readonly root: string;
  readonly keys: string;
  readonly certs: string;
  readonly jobs: string;
  readonly replay: string;
  readonly identityFile: string;
  readonly jobCounter: string;
  readonly renderSlots: string;
}

export function stateLayout(root: string): StateLayout {
  return {
    root,
    keys: join(root, 'keys'),
    certs: join(root, 'certs'),
    jobs: join(root, 'jobs'),
    replay: join(root, 'replay'),
    identityFile: join(root, 'printer.json'),
    jobCounter: join(root, 'job-counter'),
    renderSlots: join(root, 'render-slots'),
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

/** Where a sealed document's ciphertext waits, as received, until its job ends (jobs/job-recovery.ts). */
export function ciphertextFile(layout: StateLayout, jobId: number, number: number): string {
  return join(jobPaths(layout, jobId).spool, `document-${number}.p7m`);
}

export async function prepareState(layout: StateLayout): Promise<void> {
  await mkdir(layout.root, { recursive: true, mode: 0o700 });
  for (const d of [layout.keys, layout.jobs, layout.replay]) {
    await mkdir(d, { recursive: true, mode: 0o700 });
    await chmod(d, 0o700);
  }
  await mkdir(layout.certs, { recursive: true });
  // A crash during a render can leave a document linked into a warm spare's slot: no plaintext
  // outlives the process that held it, whether or not this run starts spares.
  await rm(layout.renderSlots, { recursive: true, force: true });
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
    // A job that has a record and has not ended keeps its received ciphertext: the printer
    // acknowledged it and opens it again (jobs/job-recovery.ts).
    const unfinished = (await exists(join(paths.dir, 'job.json'))) && !(await exists(paths.manifest));
    // An ended job's record has served (its manifest says how it ended): a crash may have left it.
    const leftovers = unfinished ? [paths.private] : [paths.private, paths.spool, join(paths.dir, 'job.json'), join(paths.dir, 'job.json.tmp'), join(paths.dir, 'release.json')];
    for (const leftover of leftovers) {
      const existed = await rm(leftover, { recursive: true, force: false }).then(
        () => true,
        () => false,
      );
      if (existed) removed.push(leftover);
    }
  }
  return { maxJobId, removed };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
