/**
 * Load and pass-through benchmark (issue 5), all on loopback, all measured in the same run:
 *
 * 1. 200 concurrent 1 MiB sealed-shaped uploads from this process to the intermediary (a separate
 *    child process): all must be accepted; the intermediary's peak RSS (VmHWM) is reported.
 * 2. One large job (TNO_BENCH_MB, default 1024 MiB) client → intermediary → upstream printer, timed
 *    until the upstream has every byte, against two named peers of the same size in the same run:
 *    a plain file copy (copyFile + fsync) on the same disk, and a bare node:http upload on loopback
 *    written to a file and fsynced (what any store-and-forward server pays for one hop).
 *
 *   node --conditions=source --import tsx packages/intermediary/benchmark/run.ts
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { startFakePrinter } from '../test/fixtures/fake-printer.js';
import { sealedPrintJob, send } from '../test/fixtures/client.js';
import { spawnIntermediary } from '../test/fixtures/child.js';

const MiB = 1024 * 1024;
const UPLOADS = Number(process.env.TNO_BENCH_UPLOADS ?? 200);
const LARGE_MB = Number(process.env.TNO_BENCH_MB ?? 1024);

async function peakRss(pid: number): Promise<{ hwm: number; rss: number }> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) * 1024;
  return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
}

function pattern(totalBytes: number, chunk: Buffer): Readable {
  let left = totalBytes;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}

const fmt = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

/** Peer: one plain HTTP upload on loopback, streamed to a file and fsynced. Returns seconds. */
async function bareHttpUpload(path: string, total: number, chunk: Buffer): Promise<number> {
  const server = http.createServer(async (req, res) => {
    const fh = await open(path, 'w');
    for await (const c of req) await fh.write(c as Buffer);
    await fh.sync();
    await fh.close();
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST' }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    pattern(total, chunk).pipe(req);
  });
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((r) => server.close(r));
  return seconds;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'tno-bench-'));
  const printer = await startFakePrinter();
  const child = await spawnIntermediary(join(root, 'state'), printer.uri);
  const pid = child.proc.pid!;
  try {
    const idle = await peakRss(pid);
    console.log(`intermediary pid ${pid}, idle RSS ${fmt(idle.rss)}`);

    // 1. concurrent uploads
    const doc = randomBytes(MiB);
    const t0 = performance.now();
    const results = await Promise.allSettled(Array.from({ length: UPLOADS }, () => send(child.uri, sealedPrintJob(child.uri), doc)));
    const t1 = performance.now();
    const ok = results.filter((r) => r.status === 'fulfilled' && r.value.status === 0).length;
    const failed = results.length - ok;
    const after = await peakRss(pid);
    console.log(
      `concurrent uploads: ${ok}/${UPLOADS} accepted, ${failed} refused or failed, ${((t1 - t0) / 1000).toFixed(2)} s, ` +
        `${((UPLOADS * MiB) / MiB / ((t1 - t0) / 1000)).toFixed(0)} MiB/s in; intermediary peak RSS ${fmt(after.hwm)} (idle ${fmt(idle.rss)})`,
    );
    // Let the relay drain before the throughput run.
    const until = Date.now() + 120_000;
    while (printer.deliveries.length < ok && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    console.log(`  delivered upstream: ${printer.deliveries.length}/${ok}`);

    // 2. pass-through of one large job vs a plain file copy. Linux: writing 5 to clear_refs resets
    // VmHWM, so the peak below belongs to this phase alone.
    const reset = await writeFile(`/proc/${pid}/clear_refs`, '5').then(
      () => true,
      () => false,
    );
    console.log(`peak RSS ${reset ? 'reset' : 'NOT reset (no clear_refs)'}: now ${fmt((await peakRss(pid)).hwm)}`);
    const total = LARGE_MB * MiB;
    const chunk = randomBytes(MiB);
    const expected = createHash('sha256');
    for (let left = total; left > 0; left -= chunk.length) expected.update(left >= chunk.length ? chunk : chunk.subarray(0, left));
    const digest = expected.digest('hex');
    const before = printer.deliveries.length;
    const p0 = performance.now();
    const answer = await send(child.uri, sealedPrintJob(child.uri), pattern(total, chunk));
    const pAck = performance.now();
    if (answer.status !== 0) throw new Error(`large job refused: ${answer.statusMessage}`);
    while (!printer.deliveries.slice(before).some((d) => d.sha256 === digest)) await new Promise((r) => setTimeout(r, 20));
    const p1 = performance.now();
    const relayPeak = await peakRss(pid);

    const src = join(root, 'copy-src.bin');
    const fh = await open(src, 'w');
    for (let left = total; left > 0; left -= chunk.length) await fh.write(chunk);
    await fh.sync();
    await fh.close();
    const c0 = performance.now();
    await copyFile(src, join(root, 'copy-dst.bin'));
    const dst = await open(join(root, 'copy-dst.bin'), 'r+');
    await dst.sync();
    await dst.close();
    const c1 = performance.now();

    const httpSeconds = await bareHttpUpload(join(root, 'http-dst.bin'), total, chunk);

    const relayMBs = total / MiB / ((p1 - p0) / 1000);
    const copyMBs = total / MiB / ((c1 - c0) / 1000);
    const httpMBs = total / MiB / httpSeconds;
    console.log(`pass-through ${fmt(total)}: acknowledged after ${((pAck - p0) / 1000).toFixed(2)} s, at the printer after ${((p1 - p0) / 1000).toFixed(2)} s = ${relayMBs.toFixed(0)} MiB/s`);
    console.log(`plain file copy (copyFile + fsync) ${fmt(total)}: ${((c1 - c0) / 1000).toFixed(2)} s = ${copyMBs.toFixed(0)} MiB/s`);
    console.log(`bare node:http upload to a file + fsync ${fmt(total)}: ${httpSeconds.toFixed(2)} s = ${httpMBs.toFixed(0)} MiB/s`);
    console.log(`ratio relay/http-upload: ${(relayMBs / httpMBs).toFixed(2)}x (two hops + spool vs one hop)`);
    console.log(`ratio relay/copy: ${(relayMBs / copyMBs).toFixed(2)}x; intermediary peak RSS while relaying ${fmt(total)}: ${fmt(relayPeak.hwm)}`);
  } finally {
    child.proc.kill('SIGTERM');
    await child.exited;
    await printer.close();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
