/**
 * Issue 13.6: a Create-Job canceled, or timed out (multiple-operation-time-out), before any
 * document arrived logged "printer: cannot write manifest" (ENOENT) at error level — 411 lines
 * under fuzzing — because the job's directory is only made when a document arrives. The manifest
 * of such a job is now written like any other (its directory made first), nothing is logged at
 * error level, and the job is still listed after a restart (job history reads the manifests).
 */
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { jobPaths, type PrinterHandle } from '@trustnoone/printer';
import { a, JOB, Op, printer, request, send, tempDir } from './support/ipp.js';

/** A printer whose log lines (pino JSON) are collected. */
async function loggingPrinter(stateDir: string, extra: Parameters<typeof printer>[1] = {}): Promise<{ p: PrinterHandle; lines: { level: number; msg: string }[] }> {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { level: number; msg: string });
      cb();
    },
  });
  return { p: await printer(stateDir, { logger: { level: 'info', stream }, ...extra }), lines };
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const PINO_ERROR = 50;

describe('issue 13.6: a job ended before any document has its manifest, and no error is logged', () => {
  it('Create-Job then Cancel-Job', async () => {
    const dir = await tempDir();
    const { p, lines } = await loggingPrinter(dir.path);
    cleanup.push(() => dir.remove(), () => p.close());
    const created = await send(p.app, request(Op.CreateJob, [a.name('job-name', 'never sent')]));
    const id = created.value(JOB, 'job-id') as number;
    expect((await send(p.app, request(Op.CancelJob, [a.int('job-id', id)]))).status).toBe(0);
    const job = await p.runtime.store.whenFinalized(id);
    expect(job.state).toBe('canceled');
    const manifest = JSON.parse(await readFile(jobPaths(p.runtime.layout, id).manifest, 'utf8')) as { state?: string };
    expect(manifest.state).toBe('canceled');
    expect(lines.filter((l) => l.level >= PINO_ERROR).map((l) => l.msg)).toEqual([]);
  });

  it('Create-Job then silence past multiple-operation-time-out', async () => {
    const dir = await tempDir();
    const { p, lines } = await loggingPrinter(dir.path, { multipleOperationTimeoutMs: 200 });
    cleanup.push(() => dir.remove(), () => p.close());
    const id = (await send(p.app, request(Op.CreateJob))).value(JOB, 'job-id') as number;
    const job = await p.runtime.store.whenFinalized(id);
    expect(job.state).toBe('aborted');
    await expect(readFile(jobPaths(p.runtime.layout, id).manifest, 'utf8')).resolves.toContain('"aborted"');
    expect(lines.filter((l) => l.level >= PINO_ERROR).map((l) => l.msg)).toEqual([]);
  });
});
