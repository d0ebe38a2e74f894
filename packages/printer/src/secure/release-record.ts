/**
 * jobs/<id>/release.json: what the panel must remember about a job held for its release code
 * across a restart (issue 21.1, docs/decisions.md D31) — when the hold began (the hold time-out
 * counts from then, not from the latest start) and how many release codes were tried and found
 * wrong. No code, no digest of one, nothing sealed: two numbers per job.
 *
 * Written atomically and durably (job-records.ts writeDurably) before a code is even tried, so a
 * power cut during the check still counts the attempt; removed when the job ends.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDurably } from '../jobs/job-records.js';
import { jobPaths, type StateLayout } from '../state/state-dir.js';

const VERSION = 1;
const MAX_BYTES = 4096;

export interface ReleaseRecord {
  /** When the job was first held for its code (ms since the epoch). */
  readonly heldAt: number;
  /** Attempts counted against the job: wrong codes, and one being checked. */
  readonly attempts: number;
}

export function releaseRecordFile(layout: StateLayout, id: number): string {
  return join(jobPaths(layout, id).dir, 'release.json');
}

/**
 * The record of job `id`: undefined when absent (a hold that starts now), 'unreadable' when a file
 * is there but is not one of ours — then the panel fails closed and locks the job out, as a count
 * it cannot read must not become zero.
 */
export async function readReleaseRecord(layout: StateLayout, id: number): Promise<ReleaseRecord | 'unreadable' | undefined> {
  let text: string;
  try {
    text = await readFile(releaseRecordFile(layout, id), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (text.length > MAX_BYTES) return 'unreadable';
  try {
    const r = JSON.parse(text) as { version?: unknown; jobId?: unknown; heldAt?: unknown; attempts?: unknown };
    if (r.version !== VERSION || r.jobId !== id) return 'unreadable';
    if (!Number.isSafeInteger(r.heldAt) || !Number.isSafeInteger(r.attempts) || (r.attempts as number) < 0) return 'unreadable';
    return { heldAt: r.heldAt as number, attempts: r.attempts as number };
  } catch {
    return 'unreadable';
  }
}

export function writeReleaseRecord(layout: StateLayout, id: number, r: ReleaseRecord): Promise<void> {
  return writeDurably(releaseRecordFile(layout, id), `${JSON.stringify({ version: VERSION, jobId: id, heldAt: r.heldAt, attempts: r.attempts })}\n`);
}

export async function removeReleaseRecord(layout: StateLayout, id: number): Promise<void> {
  await rm(releaseRecordFile(layout, id), { force: true });
  await rm(`${releaseRecordFile(layout, id)}.tmp`, { force: true });
}
