/**
 * End-to-end: sealed vs clear on the whole path (issue 20). A 10-page US Letter 300 dpi 8-bit grey
 * PWG Raster of about 85 MB (noise, so PWG's run-length coding leaves it full size) goes through a
 * `tno intermediary` to a `tno printer`, each its own process started from the built CLI:
 *
 * - clear: `ipptool -f doc.pwg` Print-Job (CUPS's test client, the peer);
 * - sealed: `tno print doc.pwg --no-wait` (client seal, upload, spool, forward, printer open).
 *
 * Each round times submission → the printer's job `completed` (its manifest's endedAt), clear and
 * sealed interleaved, order alternating; medians of ROUNDS. The breakdown splits each path at the
 * points both share — the client's exit (job acknowledged by the intermediary), the printer
 * creating the forwarded job, the printer's last byte received, opened (sealed), rendered — and
 * shows where the sealed path's extra time goes. Needs `pnpm build` first (it runs dist/).
 *
 *   pnpm bench:e2e                    (= npx tsx packages/printer/benchmark/e2e.ts [--rounds 3])
 *   ... e2e.ts --rounds 1 --profile DIR (CPU profiles of every tno process, for where time goes)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writePwgRaster } from '../src/render/index.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, pages: { type: 'string', default: '10' }, profile: { type: 'string' } } });
const ROUNDS = Number(values.rounds);
const PAGES = Number(values.pages);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TNO = join(repo, 'packages', 'cli', 'bin', 'tno.js');
/** `--profile DIR`: every tno process (servers and `tno print`) writes a V8 CPU profile there. */
const NODE_ARGS = values.profile ? ['--cpu-prof', '--cpu-prof-dir', resolve(values.profile)] : [];

function noisePwg(pages: number): Uint8Array {
  let s = 0x9e3779b9;
  return writePwgRaster({
    pages,
    width: 2550,
    height: 3300,
    colorSpace: 'sgray',
    bitsPerColor: 8,
    resolution: [300, 300],
    pageSizeName: 'na_letter_8.5x11in',
    row: (_y, _page, out) => {
      // xorshift32: incompressible for PWG's run-length coding, cheap to make.
      for (let i = 0; i < out.length; i++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        out[i] = s & 0xff;
      }
    },
  });
}

async function server(args: string[]): Promise<{ proc: ChildProcess; uri: string }> {
  const proc = spawn(process.execPath, [...NODE_ARGS, TNO, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TNO_PASSWORD: '' } });
  const line = await new Promise<string>((ok, fail) => {
    createInterface({ input: proc.stdout! }).once('line', ok);
    proc.once('exit', (code) => fail(new Error(`tno ${args[0]} exited with ${code}`)));
  });
  return { proc, uri: line.trim() };
}

const GNU_TIME = '/usr/bin/time';
const CPU_MARK = 'tno-bench-cpu';

/**
 * Runs a client to completion: its wall time, when it ended, and its CPU seconds (user + system,
 * by GNU time when installed): on a shared machine the CPU a path costs is the steadier figure.
 */
function run(command: string, args: string[]): { ms: number; ended: number; cpu: number } {
  const timed = existsSync(GNU_TIME);
  const t = performance.now();
  const r = timed
    ? spawnSync(GNU_TIME, ['-f', `${CPU_MARK} %U %S`, command, ...args], { encoding: 'utf8', env: { ...process.env, TNO_PASSWORD: '' } })
    : spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, TNO_PASSWORD: '' } });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`.slice(0, 2000));
  const line = r.stderr.split('\n').find((l) => l.startsWith(CPU_MARK));
  const cpu = line ? line.split(' ').slice(1, 3).map(Number).reduce((a, b) => a + b, 0) : NaN;
  return { ms: performance.now() - t, ended: Date.now(), cpu };
}

interface Manifest {
  state: string;
  timings: { createdAt: string; endedAt: string | null; openMs: number | null; renderMs: number | null; lastByteToEndMs: number | null };
}

async function manifestOf(stateDir: string, jobId: number): Promise<Manifest> {
  const file = join(stateDir, 'jobs', String(jobId), 'manifest.json');
  const until = Date.now() + 300_000;
  for (;;) {
    if (existsSync(file)) {
      try {
        const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
        if (m.timings.endedAt) return m;
      } catch {
        // renamed into place meanwhile
      }
    }
    if (Date.now() > until) throw new Error(`printer job ${jobId} did not end`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Split {
  total: number;
  /** Submission → the client exits (job acknowledged by the intermediary). */
  client: number;
  /** Client exit → the printer creates the forwarded job. */
  toPrinter: number;
  /** Printer job created → its last byte received (the forward's transfer; decryption streams along). */
  transfer: number;
  /** Last byte → opened and verified (sealed: tag, signature policy, binding, replay cache). */
  open: number;
  render: number;
  /** Whatever else until the job ended (queueing, manifest). */
  rest: number;
}

function split(start: number, clientEnded: number, m: Manifest): Split {
  const created = Date.parse(m.timings.createdAt);
  const ended = Date.parse(m.timings.endedAt!);
  const lastByte = ended - (m.timings.lastByteToEndMs ?? 0);
  const open = m.timings.openMs ?? 0;
  const render = m.timings.renderMs ?? 0;
  return {
    total: ended - start,
    client: clientEnded - start,
    toPrinter: created - clientEnded,
    transfer: lastByte - created,
    open,
    render,
    rest: ended - lastByte - open - render,
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'tno-bench-e2e-'));
  const printerState = join(root, 'printer');
  const servers: ChildProcess[] = [];
  try {
    const doc = join(root, 'doc.pwg');
    writeFileSync(doc, noisePwg(PAGES));
    const bytes = readFileSync(doc).length;
    const printer = await server(['printer', '--state', printerState, '--port', '0']);
    servers.push(printer.proc);
    const inter = await server(['intermediary', '--state', join(root, 'intermediary'), '--port', '0', '--upstream', printer.uri, '--allow-cleartext']);
    servers.push(inter.proc);
    const test = join(root, 'print-job.test');
    writeFileSync(
      test,
      `{ NAME "Print-Job" OPERATION Print-Job GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8 ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri ATTR name requesting-user-name bench
  ATTR mimeMediaType document-format image/pwg-raster FILE $filename STATUS successful-ok }\n`,
    );
    const client = ['--state', join(root, 'client'), '-U', 'bench', '--printer', inter.uri];
    await new Promise((r) => setTimeout(r, 1100));
    // Warm-up (and pin the printer's key): one small sealed job, one small clear job.
    const small = join(root, 'small.txt');
    writeFileSync(small, 'warm-up\n');
    let jobId = 0;
    run(process.execPath, [TNO, 'print', small, ...client, '--trust-on-first-use', '--no-wait']);
    await manifestOf(printerState, ++jobId);
    const startup = run(process.execPath, [TNO, '--help']).ms;

    const results: Record<'clear' | 'sealed', Split[]> = { clear: [], sealed: [] };
    const clientCpu: Record<'clear' | 'sealed', number[]> = { clear: [], sealed: [] };
    console.log(`${PAGES}-page Letter 300 dpi PWG Raster, ${(bytes / 1e6).toFixed(1)} MB, ${ROUNDS} rounds, client → tno intermediary → tno printer`);
    for (let round = 0; round < ROUNDS; round++) {
      const order: ('clear' | 'sealed')[] = round % 2 === 0 ? ['clear', 'sealed'] : ['sealed', 'clear'];
      for (const kind of order) {
        const start = Date.now();
        const done =
          kind === 'clear'
            ? run('ipptool', ['-f', doc, inter.uri, test])
            : run(process.execPath, [...NODE_ARGS, TNO, 'print', doc, ...client, '--strict', '--no-wait', '-o', 'document-format=image/pwg-raster']);
        const m = await manifestOf(printerState, ++jobId);
        if (m.state !== 'completed') throw new Error(`${kind} job ${jobId} ended ${m.state}`);
        const s = split(start, done.ended, m);
        clientCpu[kind].push(done.cpu);
        results[kind].push(s);
        console.log(`  round ${round + 1} ${kind.padEnd(6)} ${(s.total / 1000).toFixed(2)} s`);
      }
    }
    const rows = Object.keys(results.clear[0]!) as (keyof Split)[];
    const med = (kind: 'clear' | 'sealed', key: keyof Split): number => median(results[kind].map((s) => s[key]));
    console.log('\nmedian ms            clear   sealed   sealed − clear');
    for (const key of rows) {
      const c = med('clear', key);
      const s = med('sealed', key);
      console.log(`  ${key.padEnd(16)} ${c.toFixed(0).padStart(7)} ${s.toFixed(0).padStart(8)} ${(s - c).toFixed(0).padStart(10)}`);
    }
    console.log(`  (of the sealed client time: Node + tno start-up alone, \`tno --help\`: ${startup.toFixed(0)} ms)`);
    console.log(`  client CPU (user + system): ipptool ${(median(clientCpu.clear) * 1000).toFixed(0)} ms, tno print ${(median(clientCpu.sealed) * 1000).toFixed(0)} ms; load average ${loadavg()[0]!.toFixed(1)}`);
    const ratio = median(results.sealed.map((s) => s.total)) / median(results.clear.map((s) => s.total));
    console.log(`\nsealed / clear, submission → completed: ${ratio.toFixed(3)}x (goal ≤ 1.10x)`);
  } finally {
    for (const p of servers) p.kill('SIGTERM');
    await Promise.all(servers.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
