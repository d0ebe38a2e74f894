/**
 * Flat memory with the PostgreSQL store (issue 17), measured rather than tested (too slow for the
 * suite): one sealed-shaped job of TNO_BENCH_MIB MiB (default 1024) through `tno intermediary
 * --store` in a child process, to a fake printer; reports the instance's peak RSS (VmHWM) after a
 * 2 MiB warm-up job and after the big job is at the printer, and the time each way.
 *
 *   node --conditions=source --import tsx packages/intermediary/benchmark/big-job-rss.ts
 *
 * It needs about twice the job's size free on the temporary directory's disk (chunk rows and WAL).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { startPrivatePostgres } from '../../../testing/postgres.js';
import { migrateStore } from '../src/index.js';
import { startFakePrinter } from '../test/fixtures/fake-printer.js';
import { envelopeShaped, sealedPrintJob, send } from '../test/fixtures/client.js';

const MIB = Number(process.env.TNO_BENCH_MIB ?? 1024);
const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const launcher = join(root, 'packages/printer/test/support/tno-source.mts');

async function until(ok: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const [db, printer] = await Promise.all([startPrivatePostgres(), startFakePrinter()]);
const state = await mkdtemp(join(tmpdir(), 'tno-bench-rss-'));
const url = await db.createDatabase('rss');
await migrateStore(url);
const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, 'intermediary', '--upstream', printer.uri, '--anonymous', '--port', '0', '--state', state, '--store', url], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const mib = (n: number): string => (n / 1024 ** 2).toFixed(1);
try {
  const uri = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout! }).once('line', res);
    child.once('exit', (code) => rej(new Error(`tno intermediary exited ${code}`)));
  });
  const hwm = async (): Promise<number> => Number(/VmHWM:\s+(\d+)/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024;
  const warm = envelopeShaped(2 * 1024 * 1024);
  const warmSha = createHash('sha256').update(warm).digest('hex');
  if ((await send(uri, sealedPrintJob(uri), warm)).status !== 0) throw new Error('warm-up refused');
  await until(() => printer.deliveries.some((d) => d.sha256 === warmSha), 60_000, 'warm-up delivered');
  const before = await hwm();

  const block = Buffer.alloc(1024 * 1024, 7);
  const head = envelopeShaped(1024);
  const hash = createHash('sha256').update(head);
  for (let i = 0; i < MIB; i++) hash.update(block);
  const digest = hash.digest('hex');
  const body = Readable.from(
    (function* () {
      yield head;
      for (let i = 0; i < MIB; i++) yield block;
    })(),
  );
  const t0 = performance.now();
  const r = await send(uri, sealedPrintJob(uri), body);
  if (r.status !== 0) throw new Error(`refused: 0x${r.status.toString(16)} ${r.statusMessage}`);
  const stored = performance.now();
  await until(() => printer.deliveries.some((d) => d.sha256 === digest), 30 * 60_000, 'big job delivered');
  const done = performance.now();
  const after = await hwm();
  console.log(
    `${MIB} MiB through tno intermediary --store: acknowledged after ${((stored - t0) / 1000).toFixed(1)} s, at the printer after ${((done - t0) / 1000).toFixed(1)} s; ` +
      `peak RSS (VmHWM) ${mib(before)} MiB after the warm-up, ${mib(after)} MiB after the job (+${mib(after - before)} MiB)`,
  );
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await printer.close();
  await db.stop();
  await rm(state, { recursive: true, force: true });
}
