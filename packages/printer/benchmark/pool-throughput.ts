/**
 * Renderer pool throughput (issue 20, "a printer that keeps up"): JOBS concurrent sealed jobs of
 * about 1 MB (a one-page Letter 300 dpi PWG Raster) sealed by @trustnoone/client, uploaded to an
 * intermediary, forwarded to the printer, opened and rendered there. The figure is the printer's
 * completion rate: jobs completed / (last completion − first submission). Three configurations,
 * each with fresh state and the same document, in interleaved rounds:
 *   - serial: one renderer at a time, each worker started when its job reaches the engine (what
 *     the printer did before issue 12 item 9: the issue's 4.5 jobs/s baseline);
 *   - pool: POOL renderers at once, workers started on demand (issue 12 item 9);
 *   - pool+spares: the same with one worker per renderer slot started ahead (docs/decisions.md D38).
 * Jobs are spread over one owner per 50 (the intermediary caps a user's unfinished jobs at 100);
 * uploads the printer aborted and the intermediary resent are listed apart, and the wait ends when
 * every acknowledged job completed or none did for a minute. Each line also gives this process's
 * CPU time (client, intermediary and printer share it; the renderers are other processes) and the
 * load average before it.
 *
 *   cd packages/printer && npx tsx --conditions=source benchmark/pool-throughput.ts [--jobs 200] [--pool N] [--rounds 1] [--only serial,pool,spares]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { print } from '@trustnoone/client';
import { startIntermediary } from '@trustnoone/intermediary';
import { startPrinter } from '../src/index.js';
import { writePwgRaster } from '../src/render/index.js';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '200' }, pool: { type: 'string', default: String(availableParallelism()) }, only: { type: 'string' }, rounds: { type: 'string', default: '1' } },
});
/** `--only spares` (or serial, pool, or a comma list) runs some configurations, e.g. to see why jobs failed. */
const ONLY = values.only?.split(',');
const ROUNDS = Number(values.rounds);
const JOBS = Number(values.jobs);
const POOL = Number(values.pool);
const USERS = Math.max(1, Math.ceil(JOBS / 50));

interface Outcome {
  completed: number;
  failed: number;
  /** Submissions the intermediary acknowledged. */
  accepted: number;
  /** Why jobs did not complete: refused submissions' messages and aborted jobs' reasons, counted. */
  why: Record<string, number>;
  seconds: number;
  rate: number;
  /** CPU time of this process (client + intermediary + printer) per completed job, ms. */
  mainCpuMsPerJob: number;
  /** Median last byte → completed at the printer, from the job manifests' timings. */
  medianRenderMs: number;
}

async function run(concurrency: number, spares: number, doc: Uint8Array): Promise<Outcome> {
  const root = await mkdtemp(join(tmpdir(), 'tno-bench-pool-'));
  // TNO_BENCH_LOG=FILE: the printer's log (why a job ended aborted) goes there.
  const logger = process.env.TNO_BENCH_LOG ? { level: 'info', file: `${process.env.TNO_BENCH_LOG}.${concurrency}` } : false;
  const printer = await startPrinter({ stateDir: join(root, 'printer'), port: 0, logger, renderConcurrency: concurrency, renderSpares: spares });
  const inter = await startIntermediary({
    stateDir: join(root, 'intermediary'),
    upstreams: [{ uri: printer.uri }],
    port: 0,
    announce: () => {},
    handleSignals: false,
    retryInitialMs: 50,
    pollMs: 100,
    // The JOBS clients stand for JOBS users on their own machines; here they share one loopback
    // address, which ipp-http's per-client cap (16 requests in progress) would answer with 503.
    limits: { maxRequestsPerClient: JOBS * 2 },
  });
  try {
    await new Promise((r) => setTimeout(r, 1100)); // RFC 8011 §5.4.29: up-time starts at 1
    const trust = { stateDir: join(root, 'client'), firstUse: 'accept' as const };
    // Pin the key once, so the timed jobs do not race to pin it.
    await print({ printer: inter.uri, userName: 'bench', documents: [{ data: doc, format: 'image/pwg-raster' }], trust, wait: true });
    const store = printer.printer.runtime.store;
    const before = new Set(store.list().map((j) => j.id));
    // Completion times of completed printer jobs. An upload the printer aborted (cut off under
    // load) is resent by the intermediary as a new printer job, so attempts are counted apart.
    const completions = new Map<number, number>();
    const stop = store.onChange((job) => {
      if (!before.has(job.id) && job.state === 'completed' && !completions.has(job.id)) completions.set(job.id, performance.now());
    });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const submitted = await Promise.allSettled(
      // Spread over USERS owners: the intermediary caps unfinished jobs per user (100 by default).
      Array.from({ length: JOBS }, (_, i) =>
        print({ printer: inter.uri, userName: `bench-${i % USERS}`, documents: [{ data: doc, format: 'image/pwg-raster' }], trust }),
      ),
    );
    const accepted = submitted.filter((s) => s.status === 'fulfilled').length;
    // Until every accepted job completed, or nothing completed for a minute (then some were lost).
    let lastChange = Date.now();
    for (let seen = 0; completions.size < accepted && Date.now() - lastChange < 60_000; ) {
      await new Promise((r) => setTimeout(r, 50));
      if (completions.size !== seen) [seen, lastChange] = [completions.size, Date.now()];
    }
    stop();
    const cpu = process.cpuUsage(cpu0);
    const jobs = store.list().filter((j) => !before.has(j.id));
    const completed = completions.size;
    const why: Record<string, number> = {};
    const count = (reason: string): void => void (why[reason] = (why[reason] ?? 0) + 1);
    for (const s of submitted) if (s.status === 'rejected') count(`submission: ${String((s.reason as Error)?.message ?? s.reason).slice(0, 120)}`);
    for (const j of jobs) if (j.state !== 'completed') count(`printer attempt ${j.state} (the intermediary resends): ${[...j.reasons].join(',')}`);
    const last = Math.max(...completions.values());
    const seconds = (last - t0) / 1000;
    const renderTimes = jobs
      .map((j) => (j.timings.lastByteAt !== undefined && j.timings.completedAt !== undefined ? j.timings.completedAt - j.timings.lastByteAt : NaN))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    return {
      completed,
      failed: JOBS - completed,
      accepted,
      why,
      seconds,
      rate: completed / seconds,
      mainCpuMsPerJob: (cpu.user + cpu.system) / 1000 / Math.max(1, completed),
      medianRenderMs: renderTimes[Math.floor(renderTimes.length / 2)] ?? NaN,
    };
  } finally {
    await inter.close();
    await printer.close();
    await rm(root, { recursive: true, force: true });
  }
}

/** One US Letter 300 dpi grey page, noise in its top 400 rows, white below: about 1 MB. */
function oneMegabytePage(): Uint8Array {
  let s = 0x2545f491;
  return writePwgRaster({
    pages: 1,
    width: 2550,
    height: 3300,
    colorSpace: 'sgray',
    bitsPerColor: 8,
    resolution: [300, 300],
    pageSizeName: 'na_letter_8.5x11in',
    row: (y, _page, out) => {
      if (y >= 400) return out.fill(255) && undefined;
      for (let i = 0; i < out.length; i++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        out[i] = s & 0xff;
      }
    },
  });
}

const doc = oneMegabytePage();
console.log(`${JOBS} concurrent sealed jobs of ${(doc.length / 1e6).toFixed(2)} MB (1-page Letter 300 dpi PWG Raster) client → intermediary → printer`);
const configs = [
  { key: 'serial', label: '1 renderer, no spare', concurrency: 1, spares: 0 },
  { key: 'pool', label: `pool of ${POOL}, no spare`, concurrency: POOL, spares: 0 },
  { key: 'spares', label: `pool of ${POOL} + ${POOL} spares`, concurrency: POOL, spares: POOL },
].filter((c) => !ONLY || ONLY.includes(c.key));
const rates = new Map<string, number[]>();
for (let round = 1; round <= ROUNDS; round++) {
  for (const c of configs) {
    const load = loadavg()[0]!.toFixed(1);
    const o = await run(c.concurrency, c.spares, doc);
    rates.set(c.key, [...(rates.get(c.key) ?? []), o.rate]);
    console.log(
      `  round ${round} ${c.label.padEnd(26)} ${o.completed}/${JOBS} completed (${o.accepted} acknowledged) in ${o.seconds.toFixed(1)} s = ${o.rate.toFixed(2)} jobs/s ` +
        `(median last byte → completed ${o.medianRenderMs.toFixed(0)} ms; this process ${o.mainCpuMsPerJob.toFixed(0)} ms CPU/job; load ${load})`,
    );
    for (const [reason, n] of Object.entries(o.why)) console.log(`    not completed ×${n}: ${reason}`);
  }
}
const base = rates.get('serial');
if (base) {
  for (const c of configs.filter((c) => c.key !== 'serial')) {
    const ratios = rates.get(c.key)!.map((r, i) => r / base[i]!);
    console.log(`  ${c.label} / 1 renderer, per round: ${ratios.map((r) => `${r.toFixed(2)}x`).join(' ')}`);
  }
}
