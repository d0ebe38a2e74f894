/**
 * Store benchmark (issue 17), all on loopback, all in the same run: sealed-shaped jobs submitted by
 * concurrent clients, timed until the upstream (a fake printer in this process) has every one, for
 *   1. the file-system store, one instance (the reference);
 *   2. the PostgreSQL store, one instance;
 *   3. the PostgreSQL store, three instances, clients spread round robin across them.
 * Each instance is `tno intermediary` in a child process; PostgreSQL is a private server in a
 * temporary directory (testing/postgres.ts). Reports jobs/s and MB/s (acknowledged and delivered).
 *
 *   node --conditions=source --import tsx packages/intermediary/benchmark/store.ts
 *   (TNO_BENCH_JOBS, default 300; TNO_BENCH_KIB per job, default 256; TNO_BENCH_CLIENTS, default 12)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startPrivatePostgres } from '../../../testing/postgres.js';
import { migrateStore } from '../src/index.js';
import { startFakePrinter, type FakePrinter } from '../test/fixtures/fake-printer.js';
import { envelopeShaped, sealedPrintJob, send } from '../test/fixtures/client.js';

const JOBS = Number(process.env.TNO_BENCH_JOBS ?? 300);
const KIB = Number(process.env.TNO_BENCH_KIB ?? 256);
// At most 16 requests in progress per client address (ipp-http's limit): all clients here are 127.0.0.1.
const CLIENTS = Math.min(16, Number(process.env.TNO_BENCH_CLIENTS ?? 12));
const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const launcher = join(root, 'packages/printer/test/support/tno-source.mts');

interface Instance {
  readonly uri: string;
  readonly proc: ChildProcess;
}

async function tnoIntermediary(state: string, upstream: string, store?: string): Promise<Instance> {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, 'intermediary', '--upstream', upstream, '--anonymous', '--port', '0', '--state', state, ...(store ? ['--store', store] : [])], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const uri = await new Promise<string>((res, rej) => {
    createInterface({ input: proc.stdout! }).once('line', res);
    proc.once('exit', (c) => rej(new Error(`tno intermediary exited ${c}`)));
  });
  return { uri, proc };
}

async function stop(list: readonly Instance[]): Promise<void> {
  await Promise.all(list.map((i) => new Promise<void>((r) => (i.proc.exitCode !== null ? r() : (i.proc.once('exit', () => r()), i.proc.kill('SIGTERM'))))));
}

async function measure(name: string, printer: FakePrinter, instances: readonly Instance[]): Promise<string> {
  const docs = Array.from({ length: JOBS }, () => envelopeShaped(KIB * 1024 - 15));
  const digests = new Set(docs.map((d) => createHash('sha256').update(d).digest('hex')));
  const delivered = () => printer.deliveries.filter((d) => digests.has(d.sha256)).length;
  let next = 0;
  let refused = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < JOBS) {
        const i = next++;
        const at = instances[i % instances.length]!;
        const r = await send(at.uri, sealedPrintJob(at.uri, `user${i % 30}`), docs[i]!).catch(() => undefined);
        if (r?.status !== 0) refused++;
      }
    }),
  );
  const acked = (performance.now() - t0) / 1000;
  while (delivered() < JOBS - refused) await new Promise((r) => setTimeout(r, 20));
  const done = (performance.now() - t0) / 1000;
  const mb = (JOBS * KIB) / 1024;
  return `| ${name} | ${JOBS - refused}/${JOBS} | ${acked.toFixed(2)} s = ${(JOBS / acked).toFixed(0)} jobs/s, ${(mb / acked).toFixed(1)} MB/s | ${done.toFixed(2)} s = ${(JOBS / done).toFixed(0)} jobs/s, ${(mb / done).toFixed(1)} MB/s |`;
}

const dir = await mkdtemp(join(tmpdir(), 'tno-bench-store-'));
const printer = await startFakePrinter();
const db = await startPrivatePostgres();
const rows: string[] = [];
const all: Instance[] = [];
const started = async (list: Promise<Instance>[]): Promise<Instance[]> => {
  const out = await Promise.all(list);
  all.push(...out);
  return out;
};
try {
  const fs = await started([tnoIntermediary(join(dir, 'fs'), printer.uri)]);
  rows.push(await measure('file-system store, 1 instance', printer, fs));
  await stop(fs);

  const one = await db.createDatabase('bench_one');
  await migrateStore(one);
  const pg1 = await started([tnoIntermediary(join(dir, 'pg1'), printer.uri, one)]);
  rows.push(await measure('PostgreSQL store, 1 instance', printer, pg1));
  await stop(pg1);

  const three = await db.createDatabase('bench_three');
  await migrateStore(three);
  const pg3 = await started([0, 1, 2].map((n) => tnoIntermediary(join(dir, `pg3-${n}`), printer.uri, three)));
  rows.push(await measure('PostgreSQL store, 3 instances', printer, pg3));
  await stop(pg3);
} finally {
  await stop(all);
  await printer.close();
  await db.stop();
  await rm(dir, { recursive: true, force: true });
}
console.log(`${JOBS} jobs × ${KIB} KiB, ${CLIENTS} concurrent clients\n`);
console.log('| store | accepted | all acknowledged | all at the upstream |\n|---|---|---|---|');
for (const r of rows) console.log(r);
