/**
 * The printer's small web presence: GET / shows the identity a person compares out of band
 * (printer-uuid and the SHA-256 fingerprint of the TRUSTNOONE certificate, docs/spec-notes.md §3), and
 * /icon.png is the icon printer-icons points to (PWG 5100.14 requires the attribute).
 */
import { deflateSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { formatFingerprint } from '@trustnoone/smime';
import type { PrinterRuntime } from '../runtime.js';
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

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function registerWebPage(app: FastifyInstance, rt: PrinterRuntime, fingerprint: string): void {
  const icon = iconPng();
  app.get('/icon.png', async (_req, reply) => reply.type('image/png').header('cache-control', 'max-age=3600').send(icon));
  app.get('/', async (_req, reply) => {
    const id = rt.identity;
    const st = rt.status();
    const html = `<!doctype html><meta charset="utf-8"><title>${escape(id.name)}</title>
<h1>${escape(id.name)}</h1>
<p>${escape(id.info)}</p>
<table>
<tr><th>printer-uuid</th><td><code>urn:uuid:${escape(id.uuid)}</code></td></tr>
<tr><th>Certificate SHA-256</th><td><code>${escape(formatFingerprint(fingerprint))}</code></td></tr>
<tr><th>State</th><td>${escape(st.state)}, ${st.queuedJobCount} active job(s)</td></tr>
<tr><th>URI</th><td><code>${id.uris.map(escape).join('<br>')}</code></td></tr>
<tr><th>Policy</th><td>${id.requireEncryption ? 'encrypted jobs only' : 'encrypted and clear jobs'}</td></tr>
</table>
<p>Compare the fingerprint with the one your client shows before trusting this printer.</p>
`;
    return reply.type('text/html; charset=utf-8').send(html);
  });
}
