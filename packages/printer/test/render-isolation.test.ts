/**
 * The renderer's isolation (docs/architecture.md "Rendering, isolated"): the worker process gets the
 * sandbox it is meant to have — it can read its input and write its output directory, and nothing
 * else: not a key store next to them, no child processes, no eval — and a worker that overruns its
 * time is killed with a typed error while the caller goes on serving.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDocument, resolveLimits } from '../src/render/index.js';
import { workerInvocation } from '../src/render/sandbox/worker-process.js';
import { expectRenderError, makePdf, readPng, tempDir } from './render-helpers.js';

const dir = tempDir('isolation');
afterAll(() => dir.remove());

describe('the worker sandbox', () => {
  it('reads only its input, writes only its output directory, cannot spawn or eval', () => {
    const state = join(dir.path, 'state');
    mkdirSync(state);
    const keyPath = join(state, 'printer-key.pem');
    writeFileSync(keyPath, '-----BEGIN PRIVATE KEY-----\nnot a real key\n-----END PRIVATE KEY-----\n', { mode: 0o600 });
    const inputPath = join(dir.path, 'doc.txt');
    writeFileSync(inputPath, 'hello');
    const outDir = join(dir.path, 'job-1');
    mkdirSync(outDir);
    const how = workerInvocation({ inputPath, format: 'text/plain', outDir, limits: resolveLimits({}), attributes: {} }, 10_000);
    const probe = `
      import { readFileSync, writeFileSync, readdirSync, symlinkSync, linkSync } from 'node:fs';
      import { spawn, spawnSync } from 'node:child_process';
      const out = {};
      const attempt = (name, fn) => { try { fn(); out[name] = 'allowed'; } catch (e) { out[name] = e.code ?? e.name; } };
      attempt('readInput', () => readFileSync(${JSON.stringify(inputPath)}));
      attempt('readKey', () => readFileSync(${JSON.stringify(keyPath)}));
      attempt('listState', () => readdirSync(${JSON.stringify(state)}));
      attempt('readPasswd', () => readFileSync('/etc/passwd'));
      attempt('writeOutput', () => writeFileSync(${JSON.stringify(join(outDir, 'probe.txt'))}, 'x'));
      attempt('writeState', () => writeFileSync(${JSON.stringify(join(state, 'planted'))}, 'x'));
      attempt('spawn', () => { const r = spawnSync('/bin/true'); if (r.error) throw r.error; });
      attempt('eval', () => new Function('return 1')());
      attempt('symlinkToKey', () => symlinkSync(${JSON.stringify(keyPath)}, ${JSON.stringify(join(outDir, 'link'))}));
      attempt('hardlinkToKey', () => linkSync(${JSON.stringify(keyPath)}, ${JSON.stringify(join(outDir, 'hard'))}));
      process.stdout.write(JSON.stringify(out));
    `;
    const run = spawnSync(how.command, [...how.nodeOptions, '--input-type=module', '-e', probe], { cwd: how.cwd, env: {}, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      readInput: 'allowed',
      readKey: 'ERR_ACCESS_DENIED',
      listState: 'ERR_ACCESS_DENIED',
      readPasswd: 'ERR_ACCESS_DENIED',
      writeOutput: 'allowed',
      writeState: 'ERR_ACCESS_DENIED',
      spawn: 'ERR_ACCESS_DENIED',
      eval: 'EvalError',
      symlinkToKey: 'ERR_ACCESS_DENIED',
      hardlinkToKey: 'ERR_ACCESS_DENIED',
    });
    expect(existsSync(join(state, 'planted'))).toBe(false);
  });

  it('the worker runs under RLIMIT_CPU, RLIMIT_DATA, RLIMIT_FSIZE and a V8 heap cap', () => {
    const how = workerInvocation(
      { inputPath: '/nonexistent', format: 'text/plain', outDir: dir.path, limits: resolveLimits({ memoryMb: 300, cpuSeconds: 7 }), attributes: {} },
      1000,
    );
    expect(how.limits).toMatchObject({ cpuSeconds: 7, dataBytes: (300 + 256) * 1024 * 1024, fileBytes: 128 * 1024 * 1024, timeoutMs: 1000 });
    expect(how.nodeOptions).toContain('--max-old-space-size=150');
  });
});

describe('aborting a render (job canceled while printing)', () => {
  it('kills the worker at once: RENDER_ABORTED, no pages left', async () => {
    const big = join(dir.path, 'abort.txt');
    writeFileSync(big, 'Cancel me. '.repeat(1_500_000));
    const outDir = join(dir.path, 'abort');
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 150);
    await expectRenderError(renderDocument({ inputPath: big, format: 'text/plain', outDir, signal: controller.signal }), 'RENDER_ABORTED');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(existsSync(join(outDir, 'pages'))).toBe(false);
  });

  it('kills poppler too, and an already aborted signal renders nothing', async () => {
    const heavy = Buffer.from('0 0 m 612 792 l 612 0 l 0 792 l S\n'.repeat(2_000_000));
    const pdf = join(dir.path, 'abort.pdf');
    writeFileSync(pdf, makePdf([{ width: 612, height: 792, content: heavy }], { deflate: true }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    await expectRenderError(renderDocument({ inputPath: pdf, format: 'application/pdf', outDir: join(dir.path, 'abort-pdf'), signal: controller.signal }), 'RENDER_ABORTED');
    await expectRenderError(
      renderDocument({ inputPath: pdf, format: 'application/pdf', outDir: join(dir.path, 'abort-pre'), signal: AbortSignal.abort() }),
      'RENDER_ABORTED',
    );
  });
});

describe('a worker whose printer dies', () => {
  it('exits when its IPC channel closes instead of running on to the CPU limit', async () => {
    const big = join(dir.path, 'orphan.txt');
    writeFileSync(big, 'Orphan. '.repeat(2_000_000));
    const outDir = join(dir.path, 'orphan');
    mkdirSync(join(outDir, 'pages'), { recursive: true });
    const how = workerInvocation({ inputPath: big, format: 'text/plain', outDir, limits: resolveLimits({}), attributes: {} }, 60_000);
    const child = spawn(how.command, [...how.nodeOptions, how.script, how.argument], { cwd: how.cwd, env: {}, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let replied = false;
    child.on('message', () => {
      replied = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(replied, 'the worker is still rendering').toBe(false);
    const started = Date.now();
    child.disconnect(); // what the printer's death looks like from the worker's side
    expect(await exited).toBe(71);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('a worker that overruns is killed and the caller keeps serving', () => {
  it('a long text job with a 300 ms budget ends RENDER_TIMEOUT, leaves no pages, and the next job renders', async () => {
    const big = join(dir.path, 'big.txt');
    writeFileSync(big, 'All work and no play makes Jack a dull boy. '.repeat(400_000)); // ~17 MB, ~3,000 pages
    const outDir = join(dir.path, 'big');
    const started = Date.now();
    await expectRenderError(renderDocument({ inputPath: big, format: 'text/plain', outDir, limits: { timeoutMs: 300 } }), 'RENDER_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(existsSync(join(outDir, 'pages'))).toBe(false);

    const small = join(dir.path, 'small.txt');
    writeFileSync(small, 'still serving\n');
    const result = await renderDocument({ inputPath: small, format: 'text/plain', outDir: join(dir.path, 'small') });
    expect(result.pageCount).toBe(1);
    expect(readPng(join(dir.path, 'small', result.pages[0]!.file)).width).toBe(1275);
  });
});
