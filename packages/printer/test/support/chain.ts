/**
 * The push chain as `tno` starts it — client → `tno intermediary` → `tno printer`, each server a
 * child process — for tests that stop servers in the middle of a job and count what came out.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { print, TrustStore } from '@trustnoone/client';
import { GroupTag } from '@trustnoone/ipp';
import { ippRequest } from '@trustnoone/ipp-http';
import { a, Op, request } from './ipp.js';
import { spawnTno, withUri, type ChildServer } from './child-printer.js';

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A free port on 127.0.0.1 (for a server that must come back on the same one). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * `port` 0 picks a free one; a test that restarts the intermediary passes the same port each time,
 * as a real relay keeps its URI: clients bind trust to the URI they print to (decisions.md D23).
 */
export function spawnIntermediary(state: string, upstream: string, env: Record<string, string> = {}, port = 0): Promise<ChildServer> {
  return spawnTno(['intermediary', '--upstream', upstream, '--anonymous', '--verbose', '--port', String(port), '--state', state], env);
}

/** Prints `document` (PWG raster) sealed through `relay`; the relay's job-id once it acknowledged it. */
export async function submit(relay: string, clientState: string, document: Uint8Array, name: string): Promise<number> {
  const r = await print({
    printer: relay,
    userName: 'alice',
    documents: [{ data: document, format: 'image/pwg-raster' }],
    jobName: name,
    trust: { store: new TrustStore(clientState), firstUse: 'accept' },
    wait: false,
  });
  if (r.jobId === undefined) throw new Error('no job-id in the answer');
  return r.jobId;
}

/** job-state (and message) of a job at `uri`, as its owner asks; undefined when unreachable. */
export async function jobState(uri: string, id: number): Promise<{ state: number; message: string } | undefined> {
  try {
    const g = await ippRequest(uri, withUri(request(Op.GetJobAttributes, [a.int('job-id', id), a.kw('requested-attributes', 'job-state', 'job-state-message')]), uri), { timeoutMs: 5000 });
    g.data.resume();
    const job = g.message.groups.find((x) => x.tag === GroupTag.job)?.attributes ?? [];
    const v = (n: string) => (job.find((x) => x.name === n)?.values[0] as { value?: unknown } | undefined)?.value;
    return { state: Number(v('job-state') ?? 0), message: String(v('job-state-message') ?? '') };
  } catch {
    return undefined;
  }
}

export interface PrinterManifest {
  readonly jobId: number;
  readonly state: string;
  readonly documentSha256: string | null;
}

/** The printer's ended jobs, from their manifests. */
export async function manifests(printerState: string): Promise<PrinterManifest[]> {
  const out: PrinterManifest[] = [];
  for (const d of await readdir(join(printerState, 'jobs'))) {
    try {
      out.push(JSON.parse(await readFile(join(printerState, 'jobs', d, 'manifest.json'), 'utf8')) as PrinterManifest);
    } catch {
      // no manifest (yet)
    }
  }
  return out;
}

/** Every file under `dir` whose name marks it temporary or half-built (what a crash must not leave). */
export async function leftovers(dir: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.name.endsWith('.tmp') || e.name.startsWith('.render-') || e.name === 'private') found.push(p);
      if (e.isDirectory()) await walk(p);
    }
  }
  await walk(dir);
  // A printer job that ended keeps only its manifest and pages: no record, no kept ciphertext.
  for (const id of await readdir(join(dir, 'jobs')).catch(() => [] as string[])) {
    const files = await readdir(join(dir, 'jobs', id)).catch(() => [] as string[]);
    if (files.includes('manifest.json')) for (const f of files.filter((x) => x === 'job.json' || x === 'spool')) found.push(join(dir, 'jobs', id, f));
  }
  const tmp = join(dir, 'spool', 'tmp');
  for (const e of await readdir(tmp).catch(() => [])) found.push(join(tmp, e));
  return found;
}

export async function waitFor<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
