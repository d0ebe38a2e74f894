/**
 * The durable-write primitives the spool is built on (POSIX: a rename is atomic, but neither the
 * file's data nor the rename itself is durable until fsync of the file and of its directory).
 */
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes `text` to `path` so a crash leaves either the old content or the new one, never a mix. */
export async function writeFileAtomic(path: string, text: string, syncDir = true): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    // A full disk (or any write error) leaves the old content and no half-written temp file.
    await unlink(tmp).catch(() => {});
    throw err;
  }
  if (syncDir) await fsyncDir(dirname(path));
}
