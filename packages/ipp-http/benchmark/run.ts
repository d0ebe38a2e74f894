/**
 * IPP over HTTP overhead, measured against the named peer "raw node:http" in the same run:
 *  1. small request/response round trips per second (Get-Printer-Attributes-sized), sequential;
 *  2. upload throughput of a large document, streamed, to a handler that discards it.
 * The peer does the same HTTP work with no IPP decoding, routing or checks, so the ratio is what
 * the transport costs on top of Node's HTTP stack. Loopback only.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import { encodeMessage, type IppMessage } from '@trustnoone/ipp';
import { ippRequest, registerIppRoutes, type IppHandler } from '@trustnoone/ipp-http';

const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 2000);
const UPLOAD_MIB = Number(process.env.BENCH_UPLOAD_MIB ?? 256);

const request: IppMessage = {
  version: { major: 2, minor: 0 },
  code: 0x000b,
  requestId: 1,
  groups: [
    {
      tag: 0x01,
      attributes: [
        { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
        { name: 'attributes-natural-language', values: [{ tag: 'naturalLanguage', value: 'en' }] },
        { name: 'printer-uri', values: [{ tag: 'uri', value: 'ipp://127.0.0.1/ipp/print' }] },
      ],
    },
  ],
};
const printerGroup = {
  tag: 0x04,
  attributes: Array.from({ length: 40 }, (_, i) => ({ name: `attr-${i}-supported`, values: [{ tag: 'keyword' as const, value: `value-${i}` }] })),
};
const fixedAnswer = Buffer.from(encodeMessage({ ...request, code: 0, groups: [request.groups[0]!, printerGroup] }));
const requestBytes = Buffer.from(encodeMessage(request));

function chunks(mib: number): Readable {
  const chunk = Buffer.alloc(1 << 20, 7);
  return Readable.from((function* () { for (let i = 0; i < mib; i++) yield chunk; })());
}

async function ours(): Promise<{ rps: number; mibps: number }> {
  const handlers = new Map<number, IppHandler>([
    [0x000b, async () => ({ status: 0, groups: [printerGroup] })],
    [0x0002, async (ctx) => { const h = createHash('sha256'); for await (const c of ctx.data) h.update(c as Buffer); return { status: 0 }; }],
  ]);
  const app = Fastify({ logger: false });
  registerIppRoutes(app, { paths: ['/ipp/print'], handlers, limits: { maxDocumentBytes: 2 ** 40 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `ipp://127.0.0.1:${(app.server.address() as { port: number }).port}/ipp/print`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let t = performance.now();
  for (let i = 0; i < ROUND_TRIPS; i++) (await ippRequest(url, { ...request, requestId: i + 1 }, { agent })).data.resume();
  const rps = ROUND_TRIPS / ((performance.now() - t) / 1000);
  t = performance.now();
  const r = await ippRequest(url, { ...request, code: 0x0002 }, { data: chunks(UPLOAD_MIB), agent });
  r.data.resume();
  const mibps = UPLOAD_MIB / ((performance.now() - t) / 1000);
  agent.destroy();
  await app.close();
  return { rps, mibps };
}

async function peer(): Promise<{ rps: number; mibps: number }> {
  const server = http.createServer((req, res) => {
    const h = createHash('sha256');
    req.on('data', (c: Buffer) => h.update(c));
    req.on('end', () => { res.writeHead(200, { 'content-type': 'application/ipp' }); res.end(fixedAnswer); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: Buffer | Readable): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { 'content-type': 'application/ipp' } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      if (Buffer.isBuffer(body)) req.end(body);
      else body.pipe(req);
    });
  let t = performance.now();
  for (let i = 0; i < ROUND_TRIPS; i++) await post(requestBytes);
  const rps = ROUND_TRIPS / ((performance.now() - t) / 1000);
  t = performance.now();
  await post(chunks(UPLOAD_MIB));
  const mibps = UPLOAD_MIB / ((performance.now() - t) / 1000);
  agent.destroy();
  server.close();
  return { rps, mibps };
}

const p = await peer();
const o = await ours();
console.log(`ipp-http benchmark (${ROUND_TRIPS} round trips, ${UPLOAD_MIB} MiB upload, loopback)`);
console.log(`  round trips/s   ours ${o.rps.toFixed(0).padStart(8)}   raw node:http ${p.rps.toFixed(0).padStart(8)}   ratio ${(o.rps / p.rps).toFixed(2)}`);
console.log(`  upload MiB/s    ours ${o.mibps.toFixed(0).padStart(8)}   raw node:http ${p.mibps.toFixed(0).padStart(8)}   ratio ${(o.mibps / p.mibps).toFixed(2)}`);
