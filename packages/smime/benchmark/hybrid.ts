// Benchmark (issue 18): a 1 MiB job sealed and opened to a composite ML-KEM-768 + X25519 printer
// against the same job to an X25519-only printer, measured in the same run, interleaved, median of
// N rounds (default 21) after a warm-up. Goal: hybrid ≤ 1.2 × X25519-only. CPU time (user +
// system of this process) is reported beside wall time: on the shared build machine other
// processes' load inflates wall time far more than it does the CPU we spend.
// Then where the hybrid's extra time goes: the fixed cost of each printer's envelope (an empty
// job: recipient info written and read, no content), and ML-KEM-768's operations alone.
//   tsx benchmark/hybrid.ts [--rounds N] [--kib K]
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { ML_KEM } from '../src/crypto/ml-kem.js';
import { mlKemEncapsulate } from '../src/crypto/ml-kem-encapsulators.js';
import { createCertificateAuthority, createIdentity, createKemIdentity, open, sealToBytes, type Certificate } from '../src/index.js';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] ?? 21) || 21;
const kib = Number(args[args.indexOf('--kib') + 1] ?? 1024) || 1024;
const job = new Uint8Array(randomBytes(kib * 1024));
const ca = createCertificateAuthority({ commonName: 'bench CA' });
const classic = createIdentity({ commonName: 'x25519 printer', algorithm: 'x25519', ca });
const hybrid = createKemIdentity({ commonName: 'hybrid printer', algorithm: 'mlkem768-x25519', ca });

async function sealAndOpen(cert: Certificate, privateKey: Parameters<typeof open>[1]['privateKey'], content = job): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const der = await sealToBytes(content, { recipients: [cert] });
  const { plaintext } = await open(der, { privateKey, certificate: cert });
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  if (plaintext.length !== content.length) throw new Error('round trip lost bytes');
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

// The fixed part: an empty job, same interleaving.
const empty = new Uint8Array(0);
const fixed = { x25519: [] as { wall: number; cpu: number }[], hybrid: [] as { wall: number; cpu: number }[] };
for (let i = 0; i < rounds * 5; i++) {
  fixed.x25519.push(await sealAndOpen(classic.certificate, classic.privateKey, empty));
  fixed.hybrid.push(await sealAndOpen(hybrid.certificate, hybrid.privateKey, empty));
}
console.log(`empty job (the per-envelope fixed cost), median of ${rounds * 5}: wall ms (cpu ms)`);
console.log(`  X25519-only                           ${m(fixed.x25519, 'wall').toFixed(2)} (${m(fixed.x25519, 'cpu').toFixed(2)})`);
console.log(`  ML-KEM-768 + X25519                   ${m(fixed.hybrid, 'wall').toFixed(2)} (${m(fixed.hybrid, 'cpu').toFixed(2)})`);

// ML-KEM-768 alone (@noble/post-quantum), CPU time, median of 101 batches of 10.
const perOp = (f: () => void): number => {
  const xs: number[] = [];
  for (let i = 0; i < 101; i++) {
    const c0 = process.cpuUsage();
    for (let j = 0; j < 10; j++) f();
    const c = process.cpuUsage(c0);
    xs.push((c.user + c.system) / 1000 / 10);
  }
  return median(xs);
};
const p768 = ML_KEM['ml-kem-768'];
const { publicKey: ek, secretKey: dk } = ml_kem768.keygen(new Uint8Array(randomBytes(64)));
const prepared = ml_kem768.prepare(ek);
const { cipherText: ct } = ml_kem768.encapsulate(ek);
const enc = perOp(() => ml_kem768.encapsulate(ek));
const encCached = perOp(() => mlKemEncapsulate(p768, ek));
const dec = perOp(() => ml_kem768.decapsulate(ct, dk));
const decPrepared = perOp(() => prepared.decapsulate(ct, dk));
const keygen = perOp(() => ml_kem768.keygen(new Uint8Array(64)));
console.log('ML-KEM-768 alone, cpu ms per operation');
console.log(`  keygen from seed (a printer loading its key)   ${keygen.toFixed(3)}`);
console.log(`  encapsulate, public key expanded per call      ${enc.toFixed(3)}`);
console.log(`  encapsulate, expanded key kept (what we do)    ${encCached.toFixed(3)}`);
console.log(`  decapsulate, public matrix expanded per call   ${dec.toFixed(3)}`);
console.log(`  decapsulate, public matrix kept (what we do)   ${decPrepared.toFixed(3)}`);
console.log(`  encapsulate + decapsulate as sealed and opened ${(encCached + decPrepared).toFixed(3)} = ${((encCached + decPrepared) / xc).toFixed(3)} of the X25519-only job's cpu`);
