/**
 * Searches every file under a directory for a byte string, streaming each file with an overlap
 * between chunks so a match across a chunk boundary is found and memory stays bounded.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface ScanResult {
  readonly filesScanned: number;
  readonly bytesScanned: number;
  /** Size of the largest file seen. */
  readonly largestFile: number;
  /** Files containing the needle (paths). */
  readonly hits: readonly string[];
}

async function fileContains(path: string, needle: Buffer): Promise<{ found: boolean; bytes: number }> {
  let tail: Buffer = Buffer.alloc(0);
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    bytes += buf.length;
    const window = tail.length ? Buffer.concat([tail, buf]) : buf;
    if (window.includes(needle)) return { found: true, bytes };
    tail = window.subarray(Math.max(0, window.length - (needle.length - 1)));
  }
  return { found: false, bytes };
}

/** Passes over a tree that keeps changing under the scan before giving up. */
const MAX_PASSES = 10;

/**
 * A live tree (a running intermediary's state) changes while it is read: a temporary file renamed
 * into place between readdir and open is gone under its old name. Skipping it could miss content
 * now under a name already read, so a pass that meets a vanished file is discarded and the whole
 * tree read again, until one pass sees every file it listed.
 */
export async function scanTree(root: string, needle: string | Buffer): Promise<ScanResult> {
  for (let pass = 1; ; pass++) {
    try {
      return await scanOnce(root, needle);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || pass >= MAX_PASSES) throw err;
    }
  }
}

async function scanOnce(root: string, needle: string | Buffer): Promise<ScanResult> {
  const n = typeof needle === 'string' ? Buffer.from(needle, 'utf8') : needle;
  if (n.length === 0) throw new RangeError('needle must not be empty');
  const hits: string[] = [];
  let filesScanned = 0;
  let bytesScanned = 0;
  let largestFile = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir)) {
      const p = join(dir, entry);
      const st = await lstat(p);
      if (st.isDirectory()) await walk(p);
      else if (st.isFile()) {
        filesScanned++;
        const r = await fileContains(p, n);
        bytesScanned += r.bytes;
        largestFile = Math.max(largestFile, r.bytes);
        if (r.found) hits.push(p);
      }
    }
  };
  const st = await lstat(root);
  if (st.isDirectory()) await walk(root);
  else if (st.isFile()) {
    filesScanned++;
    const r = await fileContains(root, n);
    bytesScanned += r.bytes;
    largestFile = r.bytes;
    if (r.found) hits.push(root);
  }
  return { filesScanned, bytesScanned, largestFile, hits };
}
