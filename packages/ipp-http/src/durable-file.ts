/**
 * Replacing a small state file so that a crash or a power cut leaves the old content or the new,
 * never a mix (POSIX: rename is atomic, but neither the data nor the rename is durable until the
 * file and its directory are fsynced). The servers and the client keep their state in such files
 * (a printer's job records, a client's trust store); this package is the lowest both depend on
 * that already does I/O, so the one implementation lives here, under its own subpath.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface DurableWriteOptions {
  /** Mode of the file (default 0o600: state files are private). */
  readonly mode?: number;
  /** Also fsync the directory, so the rename itself survives a power cut (default true). */
  readonly syncDirectory?: boolean;
  /**
   * Writers that do not take turns (several processes, or calls not serialised) each need their
   * own temporary file, or one would rename the other's half-written one into place. Default
   * false: the temporary file is `${path}.tmp`, which a start-up clean-up can name.
   */
  readonly concurrentWriters?: boolean;
}

/** fsync of a directory: makes the entries created or renamed in it durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces `path` with `text` atomically and durably; on a failure the old content stays. */
export async function writeFileDurably(path: string, text: string, options: DurableWriteOptions = {}): Promise<void> {
  const tmp = options.concurrentWriters ? `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp` : `${path}.tmp`;
  const fh = await open(tmp, 'w', options.mode ?? 0o600);
  try {
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    // A full disk (or any write error) leaves no half-written temporary file behind.
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  if (options.syncDirectory ?? true) await syncDirectory(dirname(path));
}
