/**
 * Issue 20 "a printer that keeps up" (docs/decisions.md D38): renderer processes started ahead of
 * their job (warm spares). What must hold: a spare renders one job and is gone (never reused), a
 * job's pages are its own (a slot is never used twice), the spare's sandbox shows the job's
 * document and nothing else of the printer, its wall-clock budget starts with its job, and a printer
 * keeps spares only while jobs wait, leaving no process or plaintext behind when it stops or after
 * a crash. Sandbox and render user as the CLI ships them (`auto`: bubblewrap, nobody under root).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDocument, resolveLimits, resolveRenderSandbox, WarmWorkers, type WarmSpare } from '../src/render/index.js';
import { slotSandbox } from '../src/render/sandbox/render-sandbox.js';
import { startPrinter } from '../src/index.js';
import { expectRenderError, readPng, tempDir } from './render-helpers.js';

const dir = tempDir('warm-spares');
afterAll(() => dir.remove());
const sandbox = resolveRenderSandbox();

function running(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return false;
  }
}

function processesNaming(path: string): string[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path) && running(Number(pid));
      } catch {
        return false;
      }
    });
}

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A pool with `n` spares started (a job with `n` waiting behind it asks for them). */
async function warmPool(name: string, n: number, limits = resolveLimits({})): Promise<WarmWorkers> {
  const warm = new WarmWorkers({ sandbox, limits, dir: join(dir.path, name, 'render-slots'), spares: n });
  expect(warm.take(limits, n)).toBeUndefined(); // none started before anyone asked
  await until('the spares to start', () => warm.idle === n);
  return warm;
}

function job(name: string, text: string): { inputPath: string; outDir: string } {
  const outDir = join(dir.path, name);
  mkdirSync(join(outDir, 'pages'), { recursive: true });
  const inputPath = join(outDir, 'document.txt');
  writeFileSync(inputPath, text, { mode: 0o600 });
  return { inputPath, outDir };
}

describe('issue 20 (D38): a warm spare renderer serves exactly one job', () => {
  it('a warm spare is not reused for a second job: its process has exited after the first, the second job gets another process', async () => {
    const limits = resolveLimits({});
    const warm = await warmPool('one-job', 2, limits);
    try {
      const first = warm.take(limits, 0) as WarmSpare;
      const second = warm.take(limits, 0) as WarmSpare;
      expect(first).toBeDefined();
      expect(second).toBeDefined();
      expect(first.pid).not.toBe(second.pid);
      const a = job('one-job-a', 'first job\n');
      const reply = await first.render({ ...a, format: 'text/plain', limits, attributes: {} }, limits.timeoutMs);
      expect(reply.pages.map((p) => p.file)).toEqual(['pages/001.png']);
      await until('the first spare to exit', () => !running(first.pid));
      const b = job('one-job-b', 'second job\n');
      await expect(first.render({ ...b, format: 'text/plain', limits, attributes: {} }, limits.timeoutMs)).rejects.toThrow(/one job only/);
      await second.render({ ...b, format: 'text/plain', limits, attributes: {} }, limits.timeoutMs);
      expect(readdirSync(join(b.outDir, 'pages'))).toEqual(['001.png']);
      expect(readPng(join(b.outDir, 'pages', '001.png')).width).toBeGreaterThan(0);
      // Nothing was waiting behind these jobs: no spare was started for them.
      expect(warm.started).toBe(2);
      expect(warm.idle).toBe(0);
    } finally {
      await warm.close();
    }
  }, 60_000);

  it("a job's pages are its own: a three-page job then a one-page job through spares leave three and one pages, and no slot behind", async () => {
    const limits = resolveLimits({});
    const warm = await warmPool('own-pages', 1, limits);
    try {
      const long = job('own-pages-long', 'page one\fpage two\fpage three\n');
      const result = await renderDocument({ ...long, format: 'text/plain', waiting: 1 }, warm);
      expect(result.pages.map((p) => p.file)).toEqual(['pages/001.png', 'pages/002.png', 'pages/003.png']);
      await until('the next spare', () => warm.idle === 1);
      const short = job('own-pages-short', 'one page\n');
      const second = await renderDocument({ ...short, format: 'text/plain', waiting: 0 }, warm);
      expect(second.pages.map((p) => p.file)).toEqual(['pages/001.png']);
      expect(readdirSync(join(short.outDir, 'pages'))).toEqual(['001.png']);
      expect(warm.started).toBe(2);
      // The job's own document stays where it was; the slots the two jobs used are gone.
      expect(existsSync(short.inputPath)).toBe(true);
      expect(readdirSync(join(dir.path, 'own-pages', 'render-slots'))).toEqual([]);
    } finally {
      await warm.close();
    }
  }, 60_000);

  it('its wall-clock budget starts with its job, not when it was started: a spare idle past the timeout still renders', async () => {
    const limits = resolveLimits({ timeoutMs: 1500 });
    const warm = await warmPool('clock', 1, limits);
    try {
      await new Promise((r) => setTimeout(r, 2500));
      const spare = warm.take(limits, 0)!;
      expect(spare.alive).toBe(true);
      const a = job('clock-a', 'late but fine\n');
      const reply = await spare.render({ ...a, format: 'text/plain', limits, attributes: {} }, limits.timeoutMs);
      expect(reply.pages).toHaveLength(1);
    } finally {
      await warm.close();
    }
  }, 60_000);

  it('canceling a job in a spare kills that process (RENDER_ABORTED) and removes its slot', async () => {
    const limits = resolveLimits({});
    const warm = await warmPool('cancel', 1, limits);
    try {
      const a = job('cancel-a', 'Cancel me. '.repeat(1_500_000));
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 150);
      const spare = warm.take(limits, 0)!;
      await expectRenderError(spare.render({ ...a, format: 'text/plain', limits, attributes: {} }, limits.timeoutMs, controller.signal), 'RENDER_ABORTED');
      await until('the spare to exit', () => !running(spare.pid));
      expect(readdirSync(join(dir.path, 'cancel', 'render-slots'))).toEqual([]);
    } finally {
      await warm.close();
    }
  }, 60_000);

  it('a job under other process limits (memory, CPU) is not handed a spare started under the printer\'s', async () => {
    const limits = resolveLimits({});
    const warm = await warmPool('limits', 1, limits);
    try {
      expect(warm.take(resolveLimits({ memoryMb: limits.memoryMb * 2 }), 1)).toBeUndefined();
      expect(warm.take(resolveLimits({ cpuSeconds: limits.cpuSeconds + 1 }), 1)).toBeUndefined();
      expect(warm.idle).toBe(1);
      const other = job('limits-other', 'other limits\n');
      const result = await renderDocument({ ...other, format: 'text/plain', limits: { memoryMb: limits.memoryMb * 2 }, waiting: 0 }, warm);
      expect(result.pages).toHaveLength(1);
      expect(warm.idle).toBe(1); // rendered by a worker started for it; the spare still waits
    } finally {
      await warm.close();
    }
  }, 60_000);

  it('closing the pool kills idle spares and removes the slots', async () => {
    const warm = await warmPool('close', 2);
    const slots = join(dir.path, 'close', 'render-slots');
    // Each spare's command line names its slot (bwrap's binds, or node's permission flags).
    expect(processesNaming(slots).length).toBeGreaterThanOrEqual(2);
    await warm.close();
    await until('no spare process left', () => processesNaming(slots).length === 0);
    expect(existsSync(slots)).toBe(false);
  }, 60_000);
});

describe('issue 20 (D38): the sandbox of a spare', () => {
  it.runIf(sandbox.box !== null)('shows the document linked into its slot read-only and its pages directory, not the job directory, the key store or the other slots', () => {
    const root = join(dir.path, 'slot-sandbox');
    const state = join(root, 'state');
    mkdirSync(join(state, 'keys'), { recursive: true });
    writeFileSync(join(state, 'keys', 'printer-key.pem'), 'not a real key\n', { mode: 0o600 });
    const slot = { inputDir: join(root, 'slot', 'in'), input: join(root, 'slot', 'in', 'document'), outDir: join(root, 'slot', 'out') };
    mkdirSync(slot.inputDir, { recursive: true, mode: 0o711 });
    mkdirSync(join(slot.outDir, 'pages'), { recursive: true, mode: 0o700 });
    writeFileSync(slot.input, 'the document\n', { mode: 0o644 });
    const seen = slotSandbox(sandbox, slot);
    expect(seen).toMatchObject({ inputPath: '/job/in/document', outDir: '/job/out' });
    const how = seen.command('/bin/sh', [
      '-c',
      `cat ${seen.inputPath}; ls /job/in 2>/dev/null || echo in-not-listable; ls ${JSON.stringify(state)} 2>&1 || echo no-state; echo x > /job/in/planted 2>/dev/null || echo in-read-only; echo png > pages/001.png && echo pages-writable`,
    ]);
    const run = spawnSync(how.command, how.args, { cwd: slot.outDir, env: {}, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual(['the document', expect.stringMatching(/^(document|in-not-listable)$/), expect.stringMatching(/No such file/), 'no-state', 'in-read-only', 'pages-writable']);
    expect(readdirSync(join(slot.outDir, 'pages'))).toEqual(['001.png']);
  });
});

describe('issue 20 (D38): a printer with spares', () => {
  it('renders a burst of sealed jobs through spares started while they waited, and leaves no spare process and no slot when closed', async () => {
    const stateDir = join(dir.path, 'printer-state');
    const printer = await startPrinter({ stateDir, port: 0, logger: false, renderConcurrency: 1, renderSpares: 1 });
    const slots = join(stateDir, 'render-slots');
    let slotSeen = false;
    try {
      const { print } = await import('@trustnoone/client');
      const trust = { stateDir: join(dir.path, 'client'), firstUse: 'accept' as const };
      const send = (i: number) => print({ printer: printer.uri, userName: 'spares', documents: [{ data: new TextEncoder().encode(`job ${i}\n`), format: 'text/plain' }], trust, wait: false });
      const first = await send(0); // pins the key
      const ids = [first.jobId, ...(await Promise.all([1, 2, 3, 4].map(async (i) => (await send(i)).jobId)))];
      const store = printer.printer.runtime.store;
      await until(
        'all five jobs to complete',
        () => {
          slotSeen ||= existsSync(slots) && readdirSync(slots).length > 0;
          return ids.every((id) => ['completed', 'aborted'].includes(store.get(id)?.state ?? ''));
        },
        60_000,
      );
      expect(ids.map((id) => store.get(id)?.state)).toEqual(ids.map(() => 'completed'));
      for (const id of ids) expect(readdirSync(join(stateDir, 'jobs', String(id), 'pages'))).toEqual(['001.png']);
      expect(slotSeen).toBe(true);
    } finally {
      await printer.close();
    }
    expect(existsSync(slots)).toBe(false);
  }, 90_000);

  it('a document left in a slot by a crash is removed when the printer starts', async () => {
    const stateDir = join(dir.path, 'crashed-state');
    const leftover = join(stateDir, 'render-slots', 'slot-abc', 'in');
    mkdirSync(leftover, { recursive: true });
    writeFileSync(join(leftover, 'document'), 'plaintext of an acknowledged job\n');
    const printer = await startPrinter({ stateDir, port: 0, logger: false, renderSpares: 1 });
    try {
      expect(existsSync(join(leftover, 'document'))).toBe(false);
    } finally {
      await printer.close();
    }
  }, 30_000);
});
