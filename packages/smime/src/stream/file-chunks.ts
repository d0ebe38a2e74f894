/**
 * Reads a file as a sequence of chunks of exactly `size` bytes (the last one shorter), into two
 * buffers used in turn, the next read running while the current chunk is processed. No buffer is
 * allocated per chunk, so reading adds no garbage.
 *
 * The contract that makes the reuse safe: a chunk is valid only until the consumer asks for the
 * chunk after next. seal's pipeline (hash, coalesce, cipher) copies or encrypts each chunk before
 * pulling the next one; coalesce holds on to a chunk only when it is shorter than the segment
 * size, which only the last chunk can be when `size` >= the segment size.
 */
import { open } from 'node:fs/promises';
import { CmsError, CmsErrorCode } from '../errors.js';
import type { ReadBuffers } from './read-buffers.js';

export async function* fileChunks(path: string, size: number): AsyncGenerator<Uint8Array> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new CmsError(CmsErrorCode.io, `cannot open '${path}'`, { cause: err });
  }
  const fill = async (buf: Buffer): Promise<number> => {
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return n;
  };
  try {
    const bufs = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)] as const;
    let i = 0;
    let pending = fill(bufs[0]);
    for (;;) {
      const n = await pending.catch((err: unknown) => {
        throw new CmsError(CmsErrorCode.io, `reading '${path}' failed`, { cause: err });
      });
      if (n === 0) return;
      const cur = bufs[i & 1];
      i++;
      if (n < size) {
        yield cur.subarray(0, n);
        return;
      }
      pending = fill(bufs[i & 1]);
      pending.catch(() => undefined); // observed on the next turn; never unhandled
      yield cur;
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * Reads a file in chunks of `buffers.size` bytes, each in a buffer taken from `buffers` (the next
 * read running while the current chunk is processed): the consumer hands each back (see
 * read-buffers.ts) once nothing refers to it any more.
 */
export async function* ownedFileChunks(path: string, buffers: ReadBuffers): AsyncGenerator<Uint8Array> {
  const size = buffers.size;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new CmsError(CmsErrorCode.io, `cannot open '${path}'`, { cause: err });
  }
  const next = async (): Promise<Buffer> => {
    const buf = buffers.take();
    let n = 0;
    while (n < size) {
      const { bytesRead } = await fh.read(buf, n, size - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return n === size ? buf : buf.subarray(0, n);
  };
  try {
    let pending = next();
    for (;;) {
      const cur = await pending.catch((err: unknown) => {
        throw new CmsError(CmsErrorCode.io, `reading '${path}' failed`, { cause: err });
      });
      if (cur.length === 0) {
        buffers.giveBack(cur.buffer);
        return;
      }
      if (cur.length === size) {
        pending = next();
        pending.catch(() => undefined); // observed on the next turn; never unhandled
      } else pending = Promise.resolve(Buffer.alloc(0));
      yield cur;
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}
