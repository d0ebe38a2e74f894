/**
 * Pull-mode benchmark (issue 8): small sealed jobs printed through the intermediary as an
 * Infrastructure Printer with this printer as its Proxy (pull), against the same jobs through the
 * same intermediary code relaying to the same printer (push), measured in one run on loopback.
 * Latency is submit → completed as the client library sees it (it polls every 20 ms); throughput
 * is jobs/s with 4 clients at once. The peer of every ratio is push mode.
 *
 *   cd packages/printer && npx tsx --conditions=source benchmark/pull-mode.ts [--jobs N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { print, TrustStore } from '@trustnoone/client';
import { startIntermediary } from '@trustnoone/intermediary';
import { startPrinter, startProxy } from '../src/index.js';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '30' } } });
const JOBS = Number(values.jobs);
const DOC = new TextEncoder().encode('pull-mode benchmark page\n'.repeat(20));

async function measure(uri: string, store: TrustStore): Promise<{ medianMs: number; p90Ms: number; jobsPerS: number }> {
  const one = async (): Promise<number> => {
    const t = performance.now();
    const r = await print({ printer: uri, userName: 'bench', documents: [{ data: DOC, format: 'text/plain' }], trust: { store, firstUse: 'accept' }, follow: { intervalMs: 20, timeoutMs: 60_000 } });
    if (r.status?.state !== 'completed') throw new Error(`job ended ${r.status?.state}`);
    return performance.now() - t;
  };
  await one(); // warm-up (and trust on first use)
  const lat: number[] = [];
  for (let i = 0; i < JOBS; i++) lat.push(await one());
  lat.sort((a, b) => a - b);
  const t = performance.now();
  let left = JOBS;
  await Promise.all(
    [0, 1, 2, 3].map(async () => {
      while (left-- > 0) await one();
    }),
  );
  return { medianMs: lat[Math.floor(lat.length / 2)]!, p90Ms: lat[Math.floor(lat.length * 0.9)]!, jobsPerS: JOBS / ((performance.now() - t) / 1000) };
}

const dir = await mkdtemp(join(tmpdir(), 'tno-bench-pull-'));
const quiet = { logger: false as const };
try {
  const printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, ...quiet });
  const push = await startIntermediary({ stateDir: join(dir, 'push'), upstreams: [{ uri: printer.uri }], port: 0, announce: () => {}, handleSignals: false, pollMs: 20 });
  const pull = await startIntermediary({ stateDir: join(dir, 'pull'), upstreams: [], infra: { allowAnonymousDevices: true }, port: 0, announce: () => {}, handleSignals: false });
  const proxy = await startProxy(printer.printer, { url: pull.uri });
  while (!proxy.connected) await new Promise((r) => setTimeout(r, 20));
  const store = new TrustStore(join(dir, 'client'));
  const pushed = await measure(push.uri, store);
  const pulled = await measure(pull.uri, store);
  const row = (name: string, m: typeof pushed): string => `${name.padEnd(22)} median ${m.medianMs.toFixed(1).padStart(7)} ms   p90 ${m.p90Ms.toFixed(1).padStart(7)} ms   ${m.jobsPerS.toFixed(1).padStart(6)} jobs/s (4 clients)`;
  console.log(`small sealed text jobs, ${JOBS} per series, node ${process.version}`);
  console.log(row('push (peer)', pushed));
  console.log(row('pull (INFRA proxy)', pulled));
  console.log(`pull/push: median latency ×${(pulled.medianMs / pushed.medianMs).toFixed(2)}, throughput ×${(pulled.jobsPerS / pushed.jobsPerS).toFixed(2)}`);
  await proxy.stop();
  await pull.close();
  await push.close();
  await printer.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
