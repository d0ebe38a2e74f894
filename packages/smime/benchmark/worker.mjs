// One measured operation in its own process, so peak RSS is its own. Runs the built package
// (dist/, built by run.ts first) so neither TypeScript nor tsx is in the measurement.
// Usage: worker.mjs seal IN OUT CERT | seal-stream IN OUT CERT | open IN OUT KEY | open-openssl IN OUT KEY | open-stream IN OUT KEY | raw-seal IN OUT | copy IN OUT | idle
import { createCipheriv } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { openFile, openToFile, seal, sealFile } from '../dist/index.js';

const [mode, input, output, keyOrCert, chunkKiB = '1024'] = process.argv.slice(2);
const hwm = Number(chunkKiB) * 1024;
const start = process.hrtime.bigint();
const key = Buffer.alloc(32, 7);
const iv = Buffer.alloc(12, 9);
if (mode === 'seal') {
  // The file-to-file path (reused read buffers, gathered writes, written buffers released).
  await sealFile(input, output, { recipients: [readFileSync(keyOrCert, 'utf8')], segmentSize: hwm });
} else if (mode === 'seal-stream') {
  // The generic path: any Readable in, a Readable out.
  const sealed = seal(createReadStream(input, { highWaterMark: hwm }), { recipients: [readFileSync(keyOrCert, 'utf8')], segmentSize: hwm });
  await pipeline(sealed, createWriteStream(output, { highWaterMark: hwm }));
} else if (mode === 'open' || mode === 'open-openssl') {
  // The file-to-file path (owned read buffers, released once read; plaintext released once written).
  // openssl cms derives EC key-agreement keys with the SHA-1 KDF by default, refused unless allowed.
  await openFile(input, output, { privateKey: readFileSync(keyOrCert, 'utf8'), allowSha1Kdf: mode === 'open-openssl' });
} else if (mode === 'open-stream') {
  // The generic path: any Readable in.
  await openToFile(createReadStream(input, { highWaterMark: hwm }), output, { privateKey: readFileSync(keyOrCert, 'utf8') });
} else if (mode === 'raw-seal') {
  // The floor: node:crypto AES-256-GCM streamed file to file, no CMS framing or key transport.
  const c = createCipheriv('aes-256-gcm', key, iv);
  await pipeline(createReadStream(input, { highWaterMark: hwm }), c, createWriteStream(output, { highWaterMark: hwm }));
} else if (mode === 'idle') {
  // The baseline: node with this package loaded, doing nothing (its peak RSS is the floor).
} else if (mode === 'copy') {
  // The floor for any file-to-file tool in node: read and write, nothing else.
  await pipeline(createReadStream(input, { highWaterMark: hwm }), createWriteStream(output, { highWaterMark: hwm }));
} else throw new Error(`unknown mode ${mode}`);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(`${JSON.stringify({ ms, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
