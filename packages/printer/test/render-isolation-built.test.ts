/**
 * The renderer as it ships: src/render compiled to JavaScript in a dist/ layout inside this package,
 * then used from that JavaScript. Its worker may read only the compiled renderer directory and the
 * jpeg-js package (where node_modules points and where it really is) — not the rest of the
 * installation — and still renders PWG Raster, JPEG and text.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as RenderModule from '../src/render/index.js';
import type * as WorkerProcess from '../src/render/sandbox/worker-process.js';
import { readPng, tempDir } from './render-helpers.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const buildDir = join(packageDir, 'dist', `.render-build-test-${process.pid}`);
const dir = tempDir('built');
let render: typeof RenderModule;
let worker: typeof WorkerProcess;

/** Compiles src/render file by file (as tsc would: same layout, type-only imports erased) with esbuild. */
function build(from: string, to: string): void {
  const require = createRequire(import.meta.url);
  const esbuild = createRequire(require.resolve('tsx/package.json'))('esbuild') as {
    transformSync(code: string, options: Record<string, unknown>): { code: string };
  };
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) build(join(from, entry.name), join(to, entry.name));
    else if (entry.name.endsWith('.ts')) {
      const { code } = esbuild.transformSync(readFileSync(join(from, entry.name), 'utf8'), { loader: 'ts', format: 'esm', target: 'node20' });
      writeFileSync(join(to, entry.name.replace(/\.ts$/, '.js')), code);
    }
  }
}

beforeAll(async () => {
  build(join(packageDir, 'src', 'render'), join(buildDir, 'render'));
  render = (await import(pathToFileURL(join(buildDir, 'render', 'index.js')).href)) as typeof RenderModule;
  worker = (await import(pathToFileURL(join(buildDir, 'render', 'sandbox', 'worker-process.js')).href)) as typeof WorkerProcess;
}, 60_000);

afterAll(() => {
  rmSync(buildDir, { recursive: true, force: true });
  dir.remove();
});

describe('the built renderer', () => {
  it('gives its worker read access to the compiled renderer and jpeg-js only', () => {
    const outDir = join(dir.path, 'probe');
    mkdirSync(outDir);
    const how = worker.workerInvocation({ inputPath: join(dir.path, 'x'), format: 'text/plain', outDir, limits: render.resolveLimits({}), attributes: {} }, 5000);
    expect(how.script).toBe(join(buildDir, 'render', 'worker', 'worker-main.js'));
    const reads = how.nodeOptions.filter((o) => o.startsWith('--allow-fs-read=')).map((o) => o.slice('--allow-fs-read='.length));
    expect(reads[0]).toBe(join(buildDir, 'render'));
    expect(reads.slice(1, -2).every((p) => p.endsWith(join('node_modules', 'jpeg-js')))).toBe(true);
    const probe = `import { readFileSync } from 'node:fs'; try { readFileSync(${JSON.stringify(join(packageDir, 'package.json'))}); process.stdout.write('read'); } catch (e) { process.stdout.write(e.code); }`;
    const out = execFileSync(how.command, [...how.nodeOptions, '--input-type=module', '-e', probe], { cwd: outDir, env: {}, encoding: 'utf8' });
    expect(out).toBe('ERR_ACCESS_DENIED');
  });

  it('renders PWG Raster, JPEG and text from the compiled worker', async () => {
    const pwg = join(dir.path, 'a.pwg');
    writeFileSync(pwg, render.writePwgRaster({ pages: 2, width: 32, height: 16, colorSpace: 'sgray', bitsPerColor: 8, resolution: [150, 150], pixel: () => [200] }));
    const a = await render.renderDocument({ inputPath: pwg, format: 'image/pwg-raster', outDir: join(dir.path, 'pwg') });
    expect(a.pageCount).toBe(2);
    expect(readPng(join(dir.path, 'pwg', a.pages[1]!.file)).rgb(3, 3)).toEqual([200, 200, 200]);

    const jpg = join(dir.path, 'a.jpg');
    writeFileSync(jpg, jpeg.encode({ width: 16, height: 16, data: Buffer.alloc(16 * 16 * 4, 128) }, 90).data);
    const b = await render.renderDocument({ inputPath: jpg, format: 'image/jpeg', outDir: join(dir.path, 'jpg') });
    expect([b.pages[0]!.width, b.pages[0]!.height]).toEqual([16, 16]);

    const txt = join(dir.path, 'a.txt');
    writeFileSync(txt, 'built\n');
    const c = await render.renderDocument({ inputPath: txt, format: 'text/plain', outDir: join(dir.path, 'txt') });
    expect(c.pageCount).toBe(1);
  });
});
