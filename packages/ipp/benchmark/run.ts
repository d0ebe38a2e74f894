/**
 * IPP codec benchmark: decode and encode of the main capture (gpa-all-mcd.resp.bin), a
 * Get-Jobs-sized response and a 1 MiB Print-Job, against the npm packages `ipp`, `ipp-encoder`
 * and `@sealsystems/ipp` (installed in benchmark-peers/ only), all measured in this run; and the
 * main capture against libcups 2.4 (ippReadIO/ippWriteIO in C, benchmark/ipp-libcups.c, compiled
 * here when gcc and libcups2-dev are present), measured the same way in the same run.
 *
 *   node node_modules/tsx/dist/cli.mjs --conditions=source packages/ipp/benchmark/run.ts   (BENCH_SECONDS=1 by default)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMessage, encodeHeader, encodeMessage, freezeAttributes } from '@trustnoone/ipp';
import type { IppMessage } from '@trustnoone/ipp';
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

/**
 * libcups decoding and encoding `file`, rates per CPU-second of its own process (ipp-libcups.c), or
 * a reason it could not be measured.
 */
function libcups(file: string): { decode: number; encode: number } | string {
  const config = spawnSync('cups-config', ['--cflags', '--libs'], { encoding: 'utf8' });
  if (config.status !== 0) return 'cups-config not found (apt-get install libcups2-dev)';
  const dir = mkdtempSync(join(tmpdir(), 'tno-ipp-bench-'));
  try {
    const exe = join(dir, 'ipp-libcups');
    const source = fileURLToPath(new URL('./ipp-libcups.c', import.meta.url));
    const gcc = spawnSync('gcc', ['-O2', '-o', exe, source, ...config.stdout.split(/\s+/).filter(Boolean)], { encoding: 'utf8' });
    if (gcc.status !== 0) return `gcc failed: ${(gcc.stderr || String(gcc.error)).split('\n')[0]}`;
    const run = spawnSync(exe, [file, String(SECONDS)], { encoding: 'utf8' });
    if (run.status !== 0) return `ipp-libcups failed: ${run.stderr.split('\n')[0]}`;
    return JSON.parse(run.stdout) as { decode: number; encode: number };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
// The goals are ratios against libcups on the main capture, both measured now (issue 20).
const mainCapture = fileURLToPath(new URL('../../../vectors/ipp/captures/gpa-all-mcd.resp.bin', import.meta.url));
const cups = libcups(mainCapture);
if (typeof cups === 'string') console.log(`libcups peer not measured: ${cups}`);
else {
  const decoded = decodeMessage(readFileSync(mainCapture));
  const bytes = readFileSync(mainCapture);
  const ours = { decode: rate(() => decodeMessage(bytes)), encode: rate(() => encodeMessage(decoded)) };
  console.log(`gpa-all-mcd against libcups ${spawnSync('cups-config', ['--version'], { encoding: 'utf8' }).stdout.trim()} (C, ippReadIO/ippWriteIO to memory), same run, load average ${loadavg()[0]!.toFixed(1)}:`);
  console.log(`  libcups           decode ${fmt(cups.decode)}   encode ${fmt(cups.encode)}`);
  console.log(`  @trustnoone/ipp   decode ${fmt(ours.decode)}   encode ${fmt(ours.encode)}`);
  console.log(`  ours / libcups:   decode ${(ours.decode / cups.decode).toFixed(2)}× (goal ≥ 1.5×)   encode ${(ours.encode / cups.encode).toFixed(2)}× (goal ≥ 0.5×)`);
  // Not the headline: the same message with its groups from freezeAttributes (docs/decisions.md
  // D36), as a printer answers Get-Printer-Attributes, each attribute's bytes encoded once. The
  // lists are filtered (all kept) as requested-attributes filtering would, so each attribute is
  // copied on its own; two attributes hold octetStrings and are encoded afresh every time.
  const frozen: IppMessage = { ...decoded, groups: decoded.groups.map((g) => ({ tag: g.tag, attributes: freezeAttributes(g.attributes).filter(() => true) })) };
  if (!Buffer.from(encodeMessage(frozen)).equals(bytes)) throw new Error('frozen groups encode differently');
  const frozenRate = rate(() => encodeMessage(frozen));
  console.log(`  pre-encoded attributes (freezeAttributes, D36; not from scratch): encode ${fmt(frozenRate)}, ${(frozenRate / cups.encode).toFixed(2)}× libcups`);
}
