/**
 * A minimal PDF 1.4 writer for tests and benchmarks (ISO 32000-1 §7.5: header, indirect objects,
 * a cross-reference table with 20-byte entries, trailer): a catalog, a page tree, and one page with
 * one content stream per page, optionally Flate-compressed. `kidsOverride` replaces the page tree's
 * /Kids array, e.g. with a reference back to the tree itself (a loop).
 */
import { deflateSync } from 'node:zlib';

export interface TestPdfPage {
  /** MediaBox size in points (1/72 in). */
  width: number;
  height: number;
  /** The page's content stream (PDF operators). */
  content: string | Buffer;
}

export interface TestPdfOptions {
  /** Replaces the page tree's /Kids array content (e.g. `2 0 R` for a loop). */
  kidsOverride?: string;
  /** FlateDecode the content streams. */
  deflate?: boolean;
  /** Document information /Title, written as a PDF literal string (escape it yourself). */
  title?: string;
  /** Every page's /Resources dictionary body (default empty), e.g. a base-14 /Font entry. */
  resources?: string;
}

export function writeTestPdf(pages: TestPdfPage[], options: TestPdfOptions = {}): Buffer {
  const objects: Buffer[] = [];
  const pageIds = pages.map((_, i) => 3 + 2 * i);
  objects.push(Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'));
  const kids = options.kidsOverride ?? pageIds.map((id) => `${id} 0 R`).join(' ');
  objects.push(Buffer.from(`<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`));
  for (const [i, page] of pages.entries()) {
    objects.push(Buffer.from(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${page.width} ${page.height}] /Contents ${pageIds[i]! + 1} 0 R /Resources << ${options.resources ?? ''} >> >>`));
    const raw = Buffer.isBuffer(page.content) ? page.content : Buffer.from(page.content);
    const data = options.deflate ? deflateSync(raw) : raw;
    objects.push(
      Buffer.concat([Buffer.from(`<< /Length ${data.length}${options.deflate ? ' /Filter /FlateDecode' : ''} >>\nstream\n`), data, Buffer.from('\nendstream')]),
    );
  }
  if (options.title !== undefined) objects.push(Buffer.from(`<< /Title (${options.title}) >>`));
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  for (const [i, body] of objects.entries()) {
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    offsets.push(offset);
    parts.push(obj);
    offset += obj.length;
  }
  // ISO 32000-1 §7.5.4: each xref entry is exactly 20 bytes.
  let xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) xref += `${String(o).padStart(10, '0')} 00000 n \n`;
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${options.title !== undefined ? ` /Info ${objects.length} 0 R` : ''} >>\nstartxref\n${offset}\n%%EOF\n`));
  return Buffer.concat(parts);
}
