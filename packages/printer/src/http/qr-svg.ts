/**
 * A QR code as inline SVG (one path, no external asset), so a phone can read the printer's key
 * fingerprint off its status page and the user can pin it without typing 95 characters.
 * Encoding is qrcode-generator's (ISO/IEC 18004); drawing is ours, sized in modules.
 */
import qrcode from 'qrcode-generator';

/** Error correction M: a screen or a printed label with some glare still reads. */
export function qrSvg(text: string, label: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const quiet = 4; // ISO/IEC 18004 quiet zone, in modules
  const size = n + 2 * quiet;
  let path = '';
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) if (qr.isDark(row, col)) path += `M${col + quiet},${row + quiet}h1v1h-1z`;
  }
  const title = label.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${size * 6}" height="${size * 6}" ` +
    `shape-rendering="crispEdges" role="img" aria-label="${title}"><title>${title}</title>` +
    `<rect width="${size}" height="${size}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`
  );
}
