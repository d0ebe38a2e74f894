/**
 * Guessing a document's MIME type from its first bytes (magic numbers), then its file name, the
 * way `ipptool -f` and CUPS do, so the format sent is the one the printer will be asked to render.
 */
import { open } from 'node:fs/promises';
import { extname } from 'node:path';

const BY_EXTENSION: Readonly<Record<string, string>> = {
  '.pdf': 'application/pdf',
  '.pwg': 'image/pwg-raster',
  '.ras': 'image/pwg-raster',
  '.urf': 'image/urf',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.txt': 'text/plain',
  '.text': 'text/plain',
  '.ps': 'application/postscript',
};

/** By content: PDF (ISO 32000 §7.5.2 header), PWG Raster (PWG 5102.4 sync word), URF, JPEG SOI, PNG signature. */
export function sniffFormat(head: Uint8Array): string | undefined {
  const ascii = Buffer.from(head.subarray(0, 8)).toString('latin1');
  if (ascii.startsWith('%PDF-')) return 'application/pdf';
  if (ascii.startsWith('RaS2')) return 'image/pwg-raster';
  if (ascii.startsWith('UNIRAST')) return 'image/urf';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (ascii.startsWith('\x89PNG')) return 'image/png';
  if (ascii.startsWith('%!PS')) return 'application/postscript';
  return undefined;
}

function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  for (const b of head) if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, Math.max(0, head.length - 4)));
    return true;
  } catch {
    return false;
  }
}

/** The format of a file: its content first, then its extension, then text/plain if it reads as text. */
export async function detectFileFormat(path: string): Promise<string | undefined> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(512);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    return sniffFormat(head) ?? BY_EXTENSION[extname(path).toLowerCase()] ?? (looksLikeText(head) ? 'text/plain' : undefined);
  } finally {
    await fh.close();
  }
}
