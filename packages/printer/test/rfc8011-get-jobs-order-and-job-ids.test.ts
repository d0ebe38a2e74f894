/**
 * Get-Jobs order and selection (noticed in issue 15's round): RFC 8011 §4.2.6.2 returns
 * 'completed' jobs newest to oldest by completion time and 'not-completed' ones in the order they
 * will be processed; PWG 5100.11 job-ids (the printer advertises job-ids-supported) names the jobs
 * wanted. Through fastify inject with the printer as built.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrinterHandle } from '@trustnoone/printer';
import { a, JOB, Op, printer, request, send, tempDir, type Answer } from './support/ipp.js';

let dir: { path: string; remove(): Promise<void> };
let p: PrinterHandle;

beforeAll(async () => {
  dir = await tempDir();
  p = await printer(dir.path);
});
afterAll(async () => {
  await p.close();
  await dir.remove();
});

const ids = (r: Answer): number[] => r.groups(JOB).map((g) => (g.attributes.find((x) => x.name === 'job-id')!.values[0] as { value: number }).value);
const create = async (): Promise<number> => (await send(p.app, request(Op.CreateJob))).value(JOB, 'job-id') as number;
const cancel = (id: number) => send(p.app, request(Op.CancelJob, [a.int('job-id', id)]));

describe('Get-Jobs order (RFC 8011 §4.2.6.2) and job-ids (PWG 5100.11)', () => {
  it('which-jobs=completed lists the most recently completed job first, not the highest job-id', async () => {
    const older = await create();
    const newer = await create();
    await cancel(newer);
    await sleep(20);
    await cancel(older); // ends last although created first
    const r = await send(p.app, request(Op.GetJobs, [a.kw('which-jobs', 'completed')]));
    expect(r.status).toBe(0);
    expect(ids(r).slice(0, 2)).toEqual([older, newer]);
  });

  it('which-jobs=not-completed lists jobs in the order they will be processed (oldest first)', async () => {
    const first = await create();
    const second = await create();
    const r = await send(p.app, request(Op.GetJobs, []));
    expect(ids(r)).toEqual([first, second]);
    await cancel(first);
    await cancel(second);
  });

  it('job-ids returns exactly the named jobs, completed ones included when which-jobs is not given', async () => {
    const done = await create();
    await cancel(done);
    const open = await create();
    const other = await create();
    const r = await send(p.app, request(Op.GetJobs, [a.int('job-ids', done, open)]));
    expect(r.status).toBe(0);
    expect(ids(r).sort((x, y) => x - y)).toEqual([done, open]);
    expect(ids(r)).not.toContain(other);
    // With which-jobs too, both select.
    const onlyOpen = await send(p.app, request(Op.GetJobs, [a.int('job-ids', done, open), a.kw('which-jobs', 'not-completed')]));
    expect(ids(onlyOpen)).toEqual([open]);
    // A malformed job-ids is refused, not ignored.
    expect((await send(p.app, request(Op.GetJobs, [a.int('job-ids', 0)]))).status).toBe(0x0400);
    expect((await send(p.app, request(Op.GetJobs, [a.kw('job-ids', 'x')]))).status).toBe(0x0400);
    await cancel(open);
    await cancel(other);
  });
});
