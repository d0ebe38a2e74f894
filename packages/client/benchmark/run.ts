/**
 * Client throughput: a 64 MiB document printed sealed (AES-256-GCM to a P-256 printer key, inner
 * IPP request, streamed) and in clear, to a loopback IPP sink that discards the body; the peer is
 * `openssl cms -encrypt -aes-256-gcm` of the same file to /dev/null (encryption alone, no
 * network), measured in the same run. Also reports the peak RSS while sealing (streaming check).
 *
 *   pnpm -C packages/client bench        (or: node_modules/.bin/tsx --conditions source packages/client/benchmark/run.ts)
 */
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMessage, encodeMessage, GroupTag, type IppAttribute, type IppValue } from '@trustnoone/ipp';
import { print, TrustStore } from '@trustnoone/client';
import { certificateToPem, createIdentity } from '@trustnoone/smime';

const SIZE = Number(process.env.TNO_BENCH_MIB ?? 64) * 1024 * 1024;
const RUNS = 3;
const uuid = '0b7e5f6a-1c2d-4e3f-8a9b-0c1d2e3f4a5b';
const printer = createIdentity({ commonName: 'bench printer', algorithm: 'p256', printerUuid: uuid });
const certPem = certificateToPem(printer.certificate);

const a = (name: string, ...values: IppValue[]): IppAttribute => ({ name, values });

/** A loopback IPP sink: answers what print() asks and reads (and drops) document bytes. */
async function sink(trustnoone: boolean): Promise<{ uri: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const head: Buffer[] = [];
    let headBytes = 0;
    req.on('data', (c: Buffer) => {
      if (headBytes < 4096) {
        head.push(c);
        headBytes += c.length;
      }
    });
    req.on('end', () => {
      const msg = decodeMessage(Buffer.concat(head).subarray(0, Math.min(headBytes, 4096)), {});
      const ops = { tag: GroupTag.operation, attributes: [a('attributes-charset', { tag: 'charset', value: 'utf-8' }), a('attributes-natural-language', { tag: 'naturalLanguage', value: 'en' })] };
      const groups =
        msg.code === 0x000b
          ? [
              ops,
              {
                tag: GroupTag.printer,
                attributes: [
                  a('printer-uuid', { tag: 'uri', value: `urn:uuid:${uuid}` }),
                  ...(trustnoone ? [a('printer-pkcs7-public-key', ...certPem.split('\n').filter(Boolean).map((value): IppValue => ({ tag: 'textWithoutLanguage', value })))] : []),
                  a('document-format-supported', { tag: 'mimeMediaType', value: 'application/pdf' }, ...(trustnoone ? [{ tag: 'mimeMediaType', value: 'application/pkcs7-mime' } as IppValue] : [])),
                  a('operations-supported', ...[2, 9, 11].map((value): IppValue => ({ tag: 'enum', value }))),
                ],
              },
            ]
          : [ops, { tag: GroupTag.job, attributes: [a('job-id', { tag: 'integer', value: 1 }), a('job-state', { tag: 'enum', value: 9 })] }];
      const body = Buffer.from(encodeMessage({ version: { major: 2, minor: 0 }, code: 0, requestId: msg.requestId, groups }));
      res.writeHead(200, { 'content-type': 'application/ipp', 'content-length': body.length });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { uri: `ipp://127.0.0.1:${(server.address() as { port: number }).port}/ipp/print`, close: () => new Promise((r) => server.close(() => r())) };
}

function best(times: number[]): number {
  return Math.min(...times);
}

const dir = await mkdtemp(join(tmpdir(), 'tno-client-bench-'));
const doc = join(dir, 'doc.pdf');
const data = Buffer.alloc(SIZE);
randomFillSync(data);
data.write('%PDF-1.7\n', 0);
await writeFile(doc, data);
const certPath = join(dir, 'printer.crt');
await writeFile(certPath, certPem);
const store = new TrustStore(join(dir, 'state'));

const sealedSink = await sink(true);
const plainSink = await sink(false);
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const rssBefore = process.memoryUsage().rss;

const sealed: number[] = [];
const plain: number[] = [];
const openssl: number[] = [];
for (let i = 0; i < RUNS; i++) {
  let t = performance.now();
  await print({ printer: sealedSink.uri, documents: [{ path: doc }], trust: { store, firstUse: 'accept' }, follow: { intervalMs: 1 } });
  sealed.push(performance.now() - t);
  t = performance.now();
  await print({ printer: plainSink.uri, documents: [{ path: doc }], allowPlaintext: true, follow: { intervalMs: 1 } });
  plain.push(performance.now() - t);
  t = performance.now();
  execFileSync('openssl', ['cms', '-encrypt', '-aes-256-gcm', '-binary', '-in', doc, '-outform', 'DER', '-out', '/dev/null', certPath]);
  openssl.push(performance.now() - t);
}
clearInterval(sampler);
await sealedSink.close();
await plainSink.close();
await rm(dir, { recursive: true, force: true });

const mbps = (ms: number) => (SIZE / (1024 * 1024) / (ms / 1000)).toFixed(0);
console.log(`document: ${SIZE / (1024 * 1024)} MiB, best of ${RUNS}`);
console.log(`tno print, sealed (AES-256-GCM, P-256), loopback sink   ${best(sealed).toFixed(0)} ms  ${mbps(best(sealed))} MiB/s`);
console.log(`tno print, in clear, loopback sink                       ${best(plain).toFixed(0)} ms  ${mbps(best(plain))} MiB/s`);
console.log(`peer: openssl cms -encrypt -aes-256-gcm to /dev/null     ${best(openssl).toFixed(0)} ms  ${mbps(best(openssl))} MiB/s`);
console.log(`ratio sealed / clear upload time:        ${(best(sealed) / best(plain)).toFixed(2)}`);
console.log(`ratio sealed print / openssl encrypt:     ${(best(sealed) / best(openssl)).toFixed(2)}`);
console.log(`peak RSS growth while printing: ${((peakRss - rssBefore) / (1024 * 1024)).toFixed(0)} MiB (document ${SIZE / (1024 * 1024)} MiB, held once in the benchmark itself)`);
