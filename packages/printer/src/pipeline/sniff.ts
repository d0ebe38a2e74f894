/**
 * Document format detection for application/octet-stream (RFC 8011 §5.4.21 lets the printer
 * auto-sense), from magic numbers: PWG 5102.4 §4.3 "RaS2", PDF 1.7 §7.5.2 "%PDF-", JPEG SOI
 * FF D8 FF. Anything else is printed as text only if it decodes as UTF-8 without control codes.
 */
export function sniffFormat(head: Uint8Array): string | undefined {
  const ascii = String.fromCharCode(...head.subarray(0, 8));
  if (ascii.startsWith('RaS2')) return 'image/pwg-raster';
  if (ascii.startsWith('%PDF-')) return 'application/pdf';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length > 0 && head.every((b) => b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d || b >= 0x20)) return 'text/plain';
  return undefined;
}
