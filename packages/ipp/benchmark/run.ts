/**
 * IPP codec benchmark: decode and encode of the main capture (gpa-all-mcd.resp.bin), a
 * Get-Jobs-sized response and a 1 MiB Print-Job, against the npm packages `ipp`, `ipp-encoder`
 * and `@sealsystems/ipp` (installed in benchmark-peers/ only), all measured in this run.
 *
 *   node node_modules/tsx/dist/cli.mjs --conditions=source packages/ipp/benchmark/run.ts   (BENCH_SECONDS=1 by default)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { decodeMessage, encodeHeader, encodeMessage } from '@trustnoone/ipp';
import { getJobsResponse, printJobRequest } from '../test/own-vectors.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const peersRequire = createRequire(new URL('../../../benchmark-peers/package.json', import.meta.url));

interface Codec {
  readonly name: string;
  decode(bytes: Buffer): unknown;
  encode(decoded: unknown): Uint8Array;
}

function loadPeers(): Codec[] {
  const peers: Codec[] = [];
  const tryLoad = (name: string, make: (m: never) => Codec): void => {
    try {
      peers.push(make(peersRequire(name) as never));
    } catch (error) {
      console.log(`(peer ${name} not installed: ${(error as Error).message.split('\n')[0]}; run corepack pnpm install)`);
    }
  };
  tryLoad('ipp', (m: { parse(b: Buffer): unknown; serialize(o: unknown): Buffer }) => ({ name: 'ipp', decode: (b) => m.parse(b), encode: (o) => m.serialize(o) }));
  tryLoad('@sealsystems/ipp', (m: { parse(b: Buffer): unknown; serialize(o: unknown): Buffer }) => ({ name: '@sealsystems/ipp', decode: (b) => m.parse(b), encode: (o) => m.serialize(o) }));
  tryLoad('ipp-encoder', (m: { response: { decode(b: Buffer): unknown; encode(o: unknown): Buffer }; request: { decode(b: Buffer): unknown; encode(o: unknown): Buffer } }) => ({
    name: 'ipp-encoder',
    // It has separate request/response codecs; the header's second word tells which the corpus is.
    decode: (b) => (isRequest(b) ? m.request.decode(b) : m.response.decode(b)),
    encode: (o) => ((o as { operationId?: number }).operationId !== undefined ? m.request.encode(o) : m.response.encode(o)),
  }));
  return peers;
}

let currentIsRequest = false;
function isRequest(_b: Buffer): boolean {
  return currentIsRequest;
}

/**
 * Operations per CPU-second of `fn` (user + system time of this process), after a warm-up. CPU
 * time rather than wall time because the machines are shared: other processes then cost us
 * cache and frequency, not whole time slices. Peers are measured the same way.
 */
function rate(fn: () => unknown): number {
  const warmEnd = performance.now() + 200 * SECONDS;
  while (performance.now() < warmEnd) fn();
  let n = 0;
  const start = process.cpuUsage();
  for (;;) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
    const used = process.cpuUsage(start);
    const micros = used.user + used.system;
    if (micros >= 1e6 * SECONDS) return (n * 1e6) / micros;
  }
}

/** Runs a peer's code with console output muted (`ipp` logs a warning per out-of-band value it serializes). */
function attempt<T>(fn: () => T): T | string {
  const { log, warn, error: err } = console;
  console.log = console.warn = console.error = () => undefined;
  try {
    return fn();
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return `fails: ${text.split('\n')[0]!.slice(0, 50)}`;
  } finally {
    Object.assign(console, { log, warn, error: err });
  }
}

const fmt = (r: number | string): string => (typeof r === 'number' ? `${Math.round(r).toLocaleString('en-US')}/s` : r);
const ratio = (ours: number, peer: number | string): string => (typeof peer === 'number' ? `${(ours / peer).toFixed(1)}×` : '—');

const corpora: { name: string; bytes: Buffer; request: boolean }[] = [
  { name: 'gpa-all-mcd.resp.bin (8,851 B)', bytes: readFileSync(new URL('../../../vectors/ipp/captures/gpa-all-mcd.resp.bin', import.meta.url)), request: false },
  { name: 'Get-Jobs response, 50 jobs', bytes: Buffer.from(encodeMessage(getJobsResponse(50))), request: false },
  { name: 'Print-Job with a 1 MiB document', bytes: Buffer.from(encodeMessage(printJobRequest(1024 * 1024))), request: true },
];

const peers = loadPeers();
console.log(`IPP codec benchmark — node ${process.version}, ${SECONDS} CPU-s per measurement, rates per CPU-second, load average ${loadavg()[0]!.toFixed(1)}\n`);
for (const corpus of corpora) {
  currentIsRequest = corpus.request;
  const { bytes } = corpus;
  const decoded = decodeMessage(bytes);
  const decodeRate = rate(() => decodeMessage(bytes));
  const encodeRate = rate(() => encodeMessage(decoded));
  const headerRate = rate(() => encodeHeader(decoded));
  console.log(`${corpus.name} — ${bytes.length.toLocaleString('en-US')} bytes`);
  const mbps = decoded.data === undefined ? ` (${((decodeRate * bytes.length) / 1e6).toFixed(0)} MB/s)` : '';
  console.log(`  @trustnoone/ipp   decode ${fmt(decodeRate)}${mbps}   encode ${fmt(encodeRate)}   encodeHeader ${fmt(headerRate)}`);
  if (decoded.data !== undefined) {
    const view = decoded.data.buffer === bytes.buffer && decoded.data.byteOffset > bytes.byteOffset;
    console.log(`    document data: ${decoded.data.length.toLocaleString('en-US')} bytes, ${view ? 'a view of the input (not copied)' : 'COPIED'}; encodeHeader never touches it, encodeMessage copies it once into the result`);
  }
  for (const peer of peers) {
    const theirs = attempt(() => peer.decode(bytes));
    const peerDecode = attempt(() => rate(() => peer.decode(bytes)));
    const peerEncode = typeof theirs === 'string' ? theirs : attempt(() => rate(() => peer.encode(theirs)));
    console.log(`  ${peer.name.padEnd(17)} decode ${fmt(peerDecode)}   encode ${fmt(peerEncode)}   → ours ${ratio(decodeRate, peerDecode)} decode, ${ratio(encodeRate, peerEncode)} encode`);
  }
  console.log('');
}
console.log('reference (issue 2, same machines): libcups 2.4.2 decodes gpa-all-mcd at ~8,600/s and encodes at ~129,000/s;');
console.log('targets: decode ≥ 13,000/s (1.5× libcups), encode ≥ ~65,000/s (½ libcups).');
