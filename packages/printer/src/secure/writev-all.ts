/**
 * writev until every byte is written: a regular file may take fewer bytes than asked (a signal, a
 * nearly full disk), and a sealed job's kept ciphertext and its plaintext must both be whole.
 */
import type { FileHandle } from 'node:fs/promises';

/** Writes all of `parts` in order; `what` names the file in the error when it takes no bytes. */
export async function writevAll(fh: FileHandle, parts: readonly Uint8Array[], what: string): Promise<void> {
  let rest = parts;
  for (;;) {
    const total = rest.reduce((n, b) => n + b.length, 0);
    if (total === 0) return;
    let { bytesWritten } = await fh.writev(rest as Uint8Array[]);
    if (bytesWritten >= total) return;
    if (bytesWritten === 0) throw new Error(`${what} took no bytes`);
    const left: Uint8Array[] = [];
    for (const b of rest) {
      if (bytesWritten >= b.length) bytesWritten -= b.length;
      else {
        left.push(bytesWritten > 0 ? b.subarray(bytesWritten) : b);
        bytesWritten = 0;
      }
    }
    rest = left;
  }
}
