/**
 * The slow, denial-of-service side of the renderer's limits, kept apart from the fast files (each
 * case burns CPU on purpose until a limit stops it; bounded at a few seconds each): prlimit's CPU,
 * data and file-size limits really bite, and a PDF content stream that would take long is stopped
 * by the wall clock and by RLIMIT_CPU with RENDER_TIMEOUT.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDocument } from '../src/render/index.js';
import { collect, spawnLimited } from '../src/render/sandbox/limited-process.js';
import { expectRenderError, makePdf, tempDir } from './render-helpers.js';

const dir = tempDir('dos');
afterAll(() => dir.remove());

const LETTER = { width: 612, height: 792 };
const render = (name: string, bytes: Uint8Array, extra: Partial<Parameters<typeof renderDocument>[0]> = {}) => {
  const input = join(dir.path, `${name}.pdf`);
  writeFileSync(input, bytes);
  return renderDocument({ inputPath: input, format: 'application/pdf', outDir: join(dir.path, name), ...extra });
};

describe('the OS limits are really applied (prlimit)', () => {
  it('RLIMIT_FSIZE stops a process writing past fileBytes', async () => {
    const target = join(dir.path, 'big.bin');
    const run = spawnLimited(
      process.execPath,
      ['-e', `try { require('fs').writeFileSync(${JSON.stringify(target)}, Buffer.alloc(2 * 1024 * 1024)); } catch (e) { process.stderr.write(e.code); process.exit(3); }`],
      { cpuSeconds: 10, fileBytes: 1024 * 1024, timeoutMs: 10_000 },
      { cwd: dir.path, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const stderr = collect(run.child.stderr, 1000);
    const { code, signal } = await run.exited;
    // Node ignores SIGXFSZ, so the write fails with EFBIG; a C program such as poppler gets the signal.
    expect([code, signal, stderr()]).toEqual([3, null, 'EFBIG']);
  });

  it('RLIMIT_DATA stops a process allocating past dataBytes', async () => {
    const run = spawnLimited(
      process.execPath,
      ['-e', 'const keep = []; try { for (let i = 0; i < 64; i++) keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); process.exit(0); } catch (e) { process.stderr.write(e.name); process.exit(3); }'],
      { cpuSeconds: 10, dataBytes: 384 * 1024 * 1024, timeoutMs: 10_000 },
      { cwd: dir.path, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const stderr = collect(run.child.stderr, 4000);
    const { code, signal } = await run.exited;
    expect(code === 0 && signal === null, `1 GiB allocated under a 384 MiB RLIMIT_DATA (${stderr()})`).toBe(false);
  });

  it('RLIMIT_CPU stops a busy process with SIGXCPU', async () => {
    const run = spawnLimited(process.execPath, ['-e', 'for(;;){}'], { cpuSeconds: 1, timeoutMs: 20_000 }, { cwd: dir.path, stdio: 'ignore' });
    const started = Date.now();
    const { signal, timedOut } = await run.exited;
    expect([signal, timedOut]).toEqual(['SIGXCPU', false]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('a PDF that burns CPU', () => {
  it('a content stream that would take long is killed at the wall-clock limit: RENDER_TIMEOUT', async () => {
    const heavy = Buffer.from('0 0 m 612 792 l 612 0 l 0 792 l S\n'.repeat(2_000_000));
    const pdf = makePdf([{ ...LETTER, content: heavy }], { deflate: true });
    const started = Date.now();
    await expectRenderError(render('slow', pdf, { limits: { timeoutMs: 1500 } }), 'RENDER_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('the same content under a 1-second CPU budget is stopped by RLIMIT_CPU: RENDER_TIMEOUT', async () => {
    const heavy = Buffer.from('0 0 m 612 792 l 612 0 l 0 792 l S\n'.repeat(4_000_000));
    const pdf = makePdf([{ ...LETTER, content: heavy }], { deflate: true });
    const error = await expectRenderError(render('cpu', pdf, { limits: { cpuSeconds: 1, timeoutMs: 30_000 } }), 'RENDER_TIMEOUT');
    expect(error.message).toMatch(/CPU/);
  });
});
