/** /icon.png, the icon printer-icons points to (PWG 5100.14 requires the attribute). */
import { deflateSync } from 'node:zlib';
import { crc32 } from '../render/png/crc32.js';

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body) >>> 0, 8 + data.length);
  return out;
}

/** A 128 × 128 grey printer-ish icon (PNG, ISO/IEC 15948: IHDR, IDAT, IEND). */
export function iconPng(size = 128): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.alloc(size * (size + 1));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const body = y > size * 0.35 && y < size * 0.75 && x > size * 0.1 && x < size * 0.9;
      const paper = y > size * 0.15 && y < size * 0.9 && x > size * 0.25 && x < size * 0.75;
      rows[y * (size + 1) + 1 + x] = body ? 0x40 : paper ? 0xf0 : 0xff;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
