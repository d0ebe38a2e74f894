/**
 * RFC 8011 §5.2.7 page-ranges (noticed in issue 15's round): the printer advertises
 * page-ranges-supported=true, so it prints only the pages asked for, in a clear job and in a
 * sealed one; malformed ranges (descending, overlapping, out of order, from page 0) are refused
 * with client-error-attributes-or-values-not-supported, fidelity or not, rather than printing every
 * page (docs/decisions.md D34).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { print, TrustStore } from '@trustnoone/client';
import type { IppAttribute } from '@trustnoone/ipp';
import { jobPaths, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { JOB, Op, request, send, tempDir, UNSUPPORTED } from './support/ipp.js';

const THREE_PAGES = new TextEncoder().encode('page one\fpage two\fpage three\n');
const ranges = (...r: [number, number][]): IppAttribute => ({ name: 'page-ranges', values: r.map(([lower, upper]) => ({ tag: 'rangeOfInteger', value: { lower, upper } })) });

let dir: { path: string; remove(): Promise<void> };
let p: RunningPrinter;

beforeAll(async () => {
  dir = await tempDir();
  p = await startPrinter({ stateDir: join(dir.path, 'printer'), port: 0, logger: false });
});
afterAll(async () => {
  await p.close();
  await dir.remove();
});

async function pagesOf(id: number): Promise<number> {
  const job = await p.printer.runtime.store.whenFinalized(id);
  expect(job.state).toBe('completed');
  const files = await readdir(jobPaths(p.printer.runtime.layout, id).pages).catch(() => []);
  expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(job.pagesCompleted);
  return job.pagesCompleted;
}

describe('page-ranges (RFC 8011 §5.2.7)', () => {
  it('a clear job prints only the pages in range', async () => {
    const r = await send(p.printer.app, request(Op.PrintJob, [{ name: 'document-format', values: [{ tag: 'mimeMediaType', value: 'text/plain' }] }], [ranges([2, 3])]), THREE_PAGES);
    expect(r.status).toBe(0);
    const id = r.value(JOB, 'job-id') as number;
    expect(await pagesOf(id)).toBe(2);
    const whole = await send(p.printer.app, request(Op.PrintJob, [{ name: 'document-format', values: [{ tag: 'mimeMediaType', value: 'text/plain' }] }]), THREE_PAGES);
    expect(await pagesOf(whole.value(JOB, 'job-id') as number)).toBe(3);
  });

  it('a sealed job prints only the pages in range', async () => {
    const r = await print({
      printer: p.uri,
      documents: [{ data: THREE_PAGES, format: 'text/plain' }],
      attributes: { 'page-ranges': ['1-1', '3-3'] },
      trust: { store: new TrustStore(join(dir.path, 'client')), firstUse: 'accept' },
      wait: false,
    });
    expect(r.encrypted).toBe(true);
    expect(await pagesOf(r.jobId)).toBe(2);
  });

  it.each([
    ['descending', [[3, 2]] as [number, number][], /descending/],
    ['overlapping', [[1, 2], [2, 3]] as [number, number][], /overlap/],
    ['out of order', [[3, 3], [1, 1]] as [number, number][], /overlap or are out of order/],
    ['from page 0', [[0, 2]] as [number, number][], /numbered from 1/],
  ])('%s ranges are refused with client-error-attributes-or-values-not-supported, without fidelity too', async (_what, r, why) => {
    const before = p.printer.runtime.store.list().length;
    const res = await send(p.printer.app, request(Op.PrintJob, [{ name: 'document-format', values: [{ tag: 'mimeMediaType', value: 'text/plain' }] }], [ranges(...r)]), THREE_PAGES);
    expect(res.status).toBe(0x040b);
    expect(res.attr(UNSUPPORTED, 'page-ranges')).toBeDefined();
    const message = res.message.groups[0]!.attributes.find((a) => a.name === 'status-message')?.values[0];
    expect((message as { value: string }).value).toMatch(why);
    expect(p.printer.runtime.store.list().length).toBe(before);
  });
});
