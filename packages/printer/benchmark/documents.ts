/** Benchmark documents: 10-page PWG Raster (renderer's generator) and a 10-page image PDF. */
import { defaultPwgPattern, writePwgRaster } from '../src/render/index.js';

/** A4 at 300 dpi, 8-bit grey: about 1 MB+ per compressed page with the default pattern. */
export function pwgDocument(pages: number): Uint8Array {
  const o = { pages, width: 2480, height: 3508, colorSpace: 'sgray' as const, bitsPerColor: 8 as const, resolution: [300, 300] as const };
  return writePwgRaster({ ...o, pixel: defaultPwgPattern(o), pageSizeName: 'iso_a4_210x297mm' });
}

/**
 * A PDF 1.4 (ISO 32000-1 §7.5) of `pages` A4 pages, each painting one 8-bit grey image given
 * inline (§8.9.7) with the ASCIIHexDecode filter, so the file is large (about 1 MB a page) and
 * the renderer really decodes image data.
 */
export function pdfDocument(pages: number, side = 700): Uint8Array {
  const objs: Buffer[] = [];
  const pageIds = Array.from({ length: pages }, (_, i) => 3 + 2 * i);
  objs.push(Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'));
  objs.push(Buffer.from(`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages} >>`));
  for (let p = 0; p < pages; p++) {
    objs.push(Buffer.from(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${pageIds[p]! + 1} 0 R /Resources << >> >>`));
    const px = Buffer.alloc(side * side);
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) px[y * side + x] = (x * 3 + y * 5 + p * 40) & 0xff;
    const hex = `${px.toString('hex')}>`;
    const content = Buffer.from(`q 495 0 0 495 50 200 cm BI /W ${side} /H ${side} /BPC 8 /CS /G /F /AHx ID\n${hex}\nEI Q\n`);
    objs.push(Buffer.concat([Buffer.from(`<< /Length ${content.length} >>\nstream\n`), content, Buffer.from('\nendstream')]));
  }
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objs.forEach((body, i) => {
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    offsets.push(offset);
    parts.push(obj);
    offset += obj.length;
  });
  let xref = `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) xref += `${String(o).padStart(10, '0')} 00000 n \n`;
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`));
  return new Uint8Array(Buffer.concat(parts));
}
