/**
 * The durable-write primitives the spool is built on (POSIX: a rename is atomic, but neither the
 * file's data nor the rename itself is durable until fsync of the file and of its directory).
 * One implementation serves the printer, the client and this spool: ipp-http's durable-file.
 */
import { syncDirectory, writeFileDurably } from '@trustnoone/ipp-http/durable-file';

export const fsyncDir = syncDirectory;

/** Writes `text` to `path` so a crash leaves either the old content or the new one, never a mix. */
export function writeFileAtomic(path: string, text: string, syncDir = true): Promise<void> {
  return writeFileDurably(path, text, { syncDirectory: syncDir });
}
