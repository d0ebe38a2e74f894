/**
 * Documents to print: files (streamed from disk, any size) or data the caller already has. Each is
 * resolved to a name, a format and a byte source that can be read once.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { ClientError } from './errors.js';
import { detectFileFormat, sniffFormat } from './formats.js';

export type DocumentInput =
  | { readonly path: string; readonly name?: string; readonly format?: string }
  | { readonly data: Uint8Array | Readable; readonly name?: string; readonly format?: string; readonly size?: number };

export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface ResolvedDocument {
  readonly name: string;
  readonly format: string;
  /** Bytes, when known (for progress); undefined for a stream of unknown length. */
  readonly size: number | undefined;
  /** The document bytes; call once, or again only when `reopenable`. */
  readonly open: () => ByteSource;
  /** True for files and byte arrays (a refused upload can be sent again); false for streams. */
  readonly reopenable: boolean;
}

export async function resolveDocument(doc: DocumentInput, index: number): Promise<ResolvedDocument> {
  if ('path' in doc) {
    let size: number;
    try {
      const st = await stat(doc.path);
      if (!st.isFile()) throw new ClientError('CLIENT_BAD_INPUT', `${doc.path} is not a regular file`);
      size = st.size;
    } catch (cause) {
      if (cause instanceof ClientError) throw cause;
      const code = (cause as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file; check the name and the directory you run tno in' : code === 'EACCES' ? 'permission denied; check the file\'s permissions' : code ?? (cause as Error).message;
      throw new ClientError('CLIENT_BAD_INPUT', `cannot read ${doc.path}: ${why}`, { cause });
    }
    const format = doc.format ?? (await detectFileFormat(doc.path));
    if (!format) throw new ClientError('CLIENT_BAD_INPUT', `cannot tell the format of ${doc.path}; give it with -o document-format=TYPE`);
    // 1 MiB reads: a quarter of the read calls and chunk buffers of 256 KiB reads; on the sealed path
    // reading and its garbage collection were most of the client's CPU besides the cipher (issue 20).
    return { name: doc.name ?? basename(doc.path), format, size, reopenable: true, open: () => createReadStream(doc.path, { highWaterMark: 1024 * 1024 }) };
  }
  const data = doc.data;
  if (data instanceof Uint8Array) {
    const format = doc.format ?? sniffFormat(data);
    if (!format) throw new ClientError('CLIENT_BAD_INPUT', `cannot tell the format of document ${index + 1}; give its format`);
    return { name: doc.name ?? `document ${index + 1}`, format, size: data.byteLength, reopenable: true, open: () => [data] };
  }
  if (!doc.format) throw new ClientError('CLIENT_BAD_INPUT', `document ${index + 1} is a stream: give its format`);
  return { name: doc.name ?? `document ${index + 1}`, format: doc.format, size: doc.size, reopenable: false, open: () => data };
}
