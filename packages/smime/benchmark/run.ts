// Benchmark: file-to-file seal/open against `openssl cms` (same run, same files), raw node:crypto
// AES-256-GCM as the ceiling, peak RSS per process, and public-key work per envelope.
//   tsx benchmark/run.ts            256 MiB
//   tsx benchmark/run.ts --gib      1 GiB (the figure)
//   tsx benchmark/run.ts --mib 64   any size;  --runs N  median of N interleaved rounds (default 3)
// Our side runs the built dist/ (built here first) in its own process, timed by GNU time like
// openssl, so node start-up is included and tsx is not.
import { spawnSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateToPem, createCertificateAuthority, createIdentity, open, privateKeyToPem, sealToBytes } from '../src/index.js';

const args = process.argv.slice(2);
const mib = args.includes('--gib') ? 1024 : Number(args[args.indexOf('--mib') + 1] ?? 256) || 256;
const size = mib * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'tno-smime-bench-'));
const here = import.meta.dirname;
const runs = Number(args[args.indexOf('--runs') + 1] ?? 3) || 3;

function makeInput(path: string): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(8 * 1024 * 1024);
  for (let left = size; left > 0; left -= block.length) {
    randomFillSync(block);
    writeSync(fd, block, 0, Math.min(block.length, left));
  }
  closeSync(fd);
}

/**
 * Runs a command under GNU time: wall seconds, CPU seconds (user + system: less sensitive to
 * other load on a shared machine) and peak RSS (KiB) of the process.
 */
function timed(cmd: string, argv: readonly string[]): { s: number; cpu: number; rssKiB: number; stdout: string } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', cmd, ...argv], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  const last = r.stderr.trim().split('\n').pop()!.split(' ');
  return { s: Number(last[0]), cpu: Number(last[2]) + Number(last[3]), rssKiB: Number(last[1]), stdout: r.stdout };
}

interface Measure {
  s: number;
  cpu: number;
  rssKiB: number;
}

const median = (xs: number[]): number => {
  const v = [...xs].sort((x, y) => x - y);
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};

/**
 * Runs every operation once per round, `runs` rounds, so that other load on the shared machine
 * falls on all of them alike (interleaved A/B); reports the median wall and CPU time of each and
 * the largest RSS seen.
 */
function interleaved<K extends string>(ops: Record<K, () => Measure>): Record<K, Measure> {
  const seen = {} as Record<K, Measure[]>;
  for (let i = 0; i < runs; i++) for (const k of Object.keys(ops) as K[]) (seen[k] ??= []).push(ops[k]());
  const out = {} as Record<K, Measure>;
  for (const k of Object.keys(ops) as K[]) {
    const m = seen[k];
    out[k] = { s: median(m.map((r) => r.s)), cpu: median(m.map((r) => r.cpu)), rssKiB: Math.max(...m.map((r) => r.rssKiB)) };
  }
  return out;
}

function worker(mode: string, input: string, output: string, keyOrCert = ''): Measure {
  return timed(process.execPath, [join(here, 'worker.mjs'), mode, input, output, keyOrCert]);
}

function rawGcm(): { enc: number; dec: number } {
  const buf = Buffer.alloc(Math.min(size, 256 * 1024 * 1024));
  randomFillSync(buf);
  const key = Buffer.alloc(32, 7);
  const iv = Buffer.alloc(12, 9);
  const step = 1024 * 1024;
  let t = process.hrtime.bigint();
  const c = createCipheriv('aes-256-gcm', key, iv);
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += step) parts.push(c.update(buf.subarray(i, i + step)));
  c.final();
  const tag = c.getAuthTag();
  const enc = Number(process.hrtime.bigint() - t) / 1e9;
  t = process.hrtime.bigint();
  const d = createDecipheriv('aes-256-gcm', key, iv);
  d.setAuthTag(tag);
  for (const p of parts) d.update(p);
  d.final();
  const dec = Number(process.hrtime.bigint() - t) / 1e9;
  return { enc: (buf.length / enc) / 1e9, dec: (buf.length / dec) / 1e9 };
}

async function publicKeyWork(): Promise<Record<string, { seal: number; open: number }>> {
  const ca = createCertificateAuthority({ commonName: 'bench CA' });
  const out: Record<string, { seal: number; open: number }> = {};
  for (const alg of ['p256', 'x25519', 'rsa2048'] as const) {
    const id = createIdentity({ commonName: alg, algorithm: alg, ca });
    const n = alg === 'rsa2048' ? 100 : 400;
    let env: Uint8Array = new Uint8Array(0);
    let t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) env = await sealToBytes(new Uint8Array(0), { recipients: [id.certificate] });
    const sealUs = Number(process.hrtime.bigint() - t) / 1e3 / n;
    t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await open(env, { privateKey: id.privateKey, certificate: id.certificate });
    const openUs = Number(process.hrtime.bigint() - t) / 1e3 / n;
    out[alg] = { seal: sealUs, open: openUs };
  }
  return out;
}

const id = createIdentity({ commonName: 'bench printer', algorithm: 'p256', ca: createCertificateAuthority({ commonName: 'bench CA' }) });
const cert = join(dir, 'printer.crt');
const key = join(dir, 'printer.key');
writeFileSync(cert, certificateToPem(id.certificate));
writeFileSync(key, privateKeyToPem(id.privateKey));
const plain = join(dir, 'plain.bin');
makeInput(plain);

console.log(`# @trustnoone/smime benchmark: ${mib} MiB file to file, AES-256-GCM, P-256 recipient (node ${process.version}, ${spawnSync('openssl', ['version']).stdout.toString().trim()})`);
const raw = rawGcm();
console.log(`raw node:crypto AES-256-GCM in memory (up to 256 MiB): encrypt ${raw.enc.toFixed(2)} GB/s, decrypt ${raw.dec.toFixed(2)} GB/s`);

const build = spawnSync(process.execPath, [join(here, '..', '..', '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(here, '..')], { encoding: 'utf8' });
if (build.status !== 0) throw new Error(`tsc -b failed: ${build.stdout}${build.stderr}`);
const f = (n: string): string => join(dir, n);
const m = interleaved({
  idle: () => worker('idle', plain, f('idle.out')),
  copy: () => worker('copy', plain, f('copy.out')),
  rawSeal: () => worker('raw-seal', plain, f('raw.out')),
  // The peer: `openssl cms -encrypt -aes-256-gcm -stream` writes S/MIME (base64 in MIME) by
  // default; -binary keeps it from reading the input as text (without it, random data is cut short
  // at the first NUL of a line and LF becomes CRLF). Also its DER form, the cheaper one to write.
  sslEncSmime: () => timed('openssl', ['cms', '-encrypt', '-binary', '-stream', '-aes-256-gcm', '-in', plain, '-out', f('openssl.smime'), cert]),
  sslEnc: () => timed('openssl', ['cms', '-encrypt', '-binary', '-stream', '-aes-256-gcm', '-outform', 'DER', '-in', plain, '-out', f('openssl.p7m'), cert]),
  ourSeal: () => worker('seal', plain, f('ours.p7m'), cert),
  ourSealStream: () => worker('seal-stream', plain, f('ours-stream.p7m'), cert),
  sslDec: () => timed('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', f('ours.p7m'), '-inkey', key, '-out', f('openssl.out')]),
  ourOpen: () => worker('open', f('ours.p7m'), f('ours.out'), key),
  ourOpenStream: () => worker('open-stream', f('ours.p7m'), f('ours3.out'), key),
  ourOpenOfOpenssl: () => worker('open-openssl', f('openssl.p7m'), f('ours2.out'), key),
});
const { idle, copy, rawSeal, sslEncSmime, sslEnc, ourSeal, ourSealStream, sslDec, ourOpen, ourOpenStream, ourOpenOfOpenssl } = m;
const same = statSync(f('ours.out')).size === size && readFileSync(f('ours.out')).equals(readFileSync(plain)) && readFileSync(f('openssl.out')).equals(readFileSync(plain)) && readFileSync(f('ours2.out')).equals(readFileSync(plain)) && readFileSync(f('ours3.out')).equals(readFileSync(plain));
const gbps = (s: number): string => `${(size / s / 1e9).toFixed(2)} GB/s`;
const row = (name: string, r: Measure): string => `${name.padEnd(50)} ${r.s.toFixed(2).padStart(7)} s  ${gbps(r.s).padStart(10)}  cpu ${r.cpu.toFixed(2).padStart(6)} s  peak RSS ${(r.rssKiB / 1024).toFixed(1).padStart(7)} MiB`;
console.log(`file to file, median of ${runs} interleaved rounds, wall time including process start (RSS: largest seen):`);
console.log(row('node + @trustnoone/smime loaded, idle (baseline)', idle));
console.log(row('node: read+write only (floor)', copy));
console.log(row('node: raw AES-256-GCM stream, no CMS', rawSeal));
console.log(row('openssl cms -encrypt -stream -binary (S/MIME)', sslEncSmime));
console.log(row('openssl cms -encrypt -stream -binary -outform DER', sslEnc));
console.log(row('tno sealFile (AuthEnvelopedData, BER streamed)', ourSeal));
console.log(row('tno seal() Readable -> WriteStream (generic)', ourSealStream));
console.log(row('openssl cms -decrypt (of our envelope)', sslDec));
console.log(row('tno openFile (tag verified before rename)', ourOpen));
console.log(row('tno openToFile(ReadStream) (generic)', ourOpenStream));
console.log(row('tno openFile (of the openssl envelope)', ourOpenOfOpenssl));
console.log(`wall: sealFile ${(sslEncSmime.s / ourSeal.s).toFixed(2)}x openssl S/MIME (target >= 2x), ${(sslEnc.s / ourSeal.s).toFixed(2)}x openssl DER, seal() ${(sslEnc.s / ourSealStream.s).toFixed(2)}x, ${(rawSeal.s / ourSeal.s).toFixed(2)}x raw node; openFile ${(sslDec.s / ourOpen.s).toFixed(2)}x openssl (target >= 5x), openToFile ${(sslDec.s / ourOpenStream.s).toFixed(2)}x`);
console.log(`cpu:  sealFile ${(sslEnc.cpu / ourSeal.cpu).toFixed(2)}x openssl, seal() ${(sslEnc.cpu / ourSealStream.cpu).toFixed(2)}x, ${(rawSeal.cpu / ourSeal.cpu).toFixed(2)}x raw node; open ${(sslDec.cpu / ourOpen.cpu).toFixed(2)}x openssl; plaintext identical: ${same}`);
const pk = await publicKeyWork();
for (const [alg, t] of Object.entries(pk)) console.log(`public-key work per envelope, ${alg.padEnd(7)}: seal ${t.seal.toFixed(0)} µs, open ${t.open.toFixed(0)} µs (empty content, includes parsing)`);
rmSync(dir, { recursive: true, force: true });
