// Benchmark (issue 18): a 1 MiB job sealed and opened to a composite ML-KEM-768 + X25519 printer
// against the same job to an X25519-only printer, measured in the same run, interleaved, median of
// N rounds (default 21) after a warm-up. Goal: hybrid ≤ 1.2 × X25519-only. CPU time (user +
// system of this process) is reported beside wall time: on the shared build machine other
// processes' load inflates wall time far more than it does the CPU we spend.
//   tsx benchmark/hybrid.ts [--rounds N] [--kib K]
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { createCertificateAuthority, createIdentity, createKemIdentity, open, sealToBytes, type Certificate } from '../src/index.js';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 21) || 21;
const kib = Number(args[args.indexOf('--kib') + 1] ?? 1024) || 1024;
const job = new Uint8Array(randomBytes(kib * 1024));
const ca = createCertificateAuthority({ commonName: 'bench CA' });
const classic = createIdentity({ commonName: 'x25519 printer', algorithm: 'x25519', ca });
const hybrid = createKemIdentity({ commonName: 'hybrid printer', algorithm: 'mlkem768-x25519', ca });

async function sealAndOpen(cert: Certificate, privateKey: Parameters<typeof open>[1]['privateKey']): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const der = await sealToBytes(job, { recipients: [cert] });
  const { plaintext } = await open(der, { privateKey, certificate: cert });
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  if (plaintext.length !== job.length) throw new Error('round trip lost bytes');
  return { wall, cpu: (c.user + c.system) / 1000 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const times = { x25519: [] as { wall: number; cpu: number }[], hybrid: [] as { wall: number; cpu: number }[] };
for (let i = 0; i < 3; i++) {
  await sealAndOpen(classic.certificate, classic.privateKey);
  await sealAndOpen(hybrid.certificate, hybrid.privateKey);
}
for (let i = 0; i < rounds; i++) {
  times.x25519.push(await sealAndOpen(classic.certificate, classic.privateKey));
  times.hybrid.push(await sealAndOpen(hybrid.certificate, hybrid.privateKey));
}
const m = (xs: { wall: number; cpu: number }[], k: 'wall' | 'cpu'): number => median(xs.map((t) => t[k]));
const [xw, xc, hw, hc] = [m(times.x25519, 'wall'), m(times.x25519, 'cpu'), m(times.hybrid, 'wall'), m(times.hybrid, 'cpu')];
console.log(`${kib} KiB job, seal + open, median of ${rounds} interleaved rounds: wall ms (cpu ms)`);
console.log(`  X25519-only (kari, HKDF)              ${xw.toFixed(2)} (${xc.toFixed(2)})`);
console.log(`  ML-KEM-768 + X25519 (composite kemri) ${hw.toFixed(2)} (${hc.toFixed(2)})`);
console.log(`  ratio hybrid / X25519-only            ${(hw / xw).toFixed(3)} (${(hc / xc).toFixed(3)})  goal ≤ 1.2`);
