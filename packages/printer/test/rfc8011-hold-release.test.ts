/**
 * Issue 13.12: Hold-Job, Release-Job (RFC 8011 §4.3.5, §4.3.6) and job-hold-until (§5.2.2,
 * 'no-hold' and 'indefinite'). Phones ask printers to hold jobs; CUPS' print-job-hold.test prints
 * with job-hold-until=indefinite then releases. Here through fastify inject; the ipptool files run
 * against the printer and the intermediary in packages/cli/test/cups-ipptool-files.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrinterHandle } from '@trustnoone/printer';
import { pwgRaster } from './support/documents.js';
import { a, JOB, Op, PRINTER, printer, request, send, tempDir } from './support/ipp.js';

const HoldJob = 0x000c;
const ReleaseJob = 0x000d;

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

const raster = () => [a.mime('document-format', 'image/pwg-raster')];
const state = async (id: number) => {
  const r = await send(p.app, request(Op.GetJobAttributes, [a.int('job-id', id), a.kw('requested-attributes', 'job-state', 'job-state-reasons', 'job-hold-until')]));
  return { state: r.value(JOB, 'job-state') as number, reasons: r.values(JOB, 'job-state-reasons') as string[] };
};

describe('issue 13.12: Hold-Job, Release-Job, job-hold-until on the printer', () => {
  it('advertises the operations and job-hold-until', async () => {
    const r = await send(p.app, request(Op.GetPrinterAttributes));
    expect(r.values(PRINTER, 'operations-supported')).toEqual(expect.arrayContaining([0x000c, 0x000d]));
    expect(r.value(PRINTER, 'job-hold-until-default')).toBe('no-hold');
    expect(r.values(PRINTER, 'job-hold-until-supported')).toEqual(['no-hold', 'indefinite']);
    expect(r.values(PRINTER, 'job-creation-attributes-supported')).toContain('job-hold-until');
  });

  it('Print-Job with job-hold-until=indefinite waits in pending-held until Release-Job, then prints', async () => {
    const r = await send(p.app, request(Op.PrintJob, raster(), [a.kw('job-hold-until', 'indefinite')]), pwgRaster());
    expect(r.status).toBe(0);
    const id = r.value(JOB, 'job-id') as number;
    await p.runtime.store.waitFor(id, (j) => j.state === 'pending-held');
    await new Promise((res) => setTimeout(res, 300));
    expect(await state(id)).toMatchObject({ state: 4, reasons: expect.arrayContaining(['job-hold-until-specified']) });
    expect((await send(p.app, request(ReleaseJob, [a.int('job-id', id)]))).status).toBe(0);
    expect((await p.runtime.store.whenFinalized(id)).state).toBe('completed');
  });

  it('Hold-Job on a job still waiting for its document holds it once the document is in', async () => {
    const id = (await send(p.app, request(Op.CreateJob))).value(JOB, 'job-id') as number;
    expect((await send(p.app, request(HoldJob, [a.int('job-id', id)]))).status).toBe(0);
    const sent = await send(p.app, request(Op.SendDocument, [a.int('job-id', id), ...raster(), a.bool('last-document', true)]), pwgRaster());
    expect(sent.status).toBe(0);
    await p.runtime.store.waitFor(id, (j) => j.state === 'pending-held');
    expect((await send(p.app, request(ReleaseJob, [a.int('job-id', id)]))).status).toBe(0);
    expect((await p.runtime.store.whenFinalized(id)).state).toBe('completed');
  });

  it('Release-Job before the document of a Create-Job with job-hold-until=indefinite lets it print (as a relay forwards it)', async () => {
    const id = (await send(p.app, request(Op.CreateJob, [], [a.kw('job-hold-until', 'indefinite')]))).value(JOB, 'job-id') as number;
    expect((await send(p.app, request(ReleaseJob, [a.int('job-id', id)]))).status).toBe(0);
    await send(p.app, request(Op.SendDocument, [a.int('job-id', id), ...raster(), a.bool('last-document', true)]), pwgRaster());
    expect((await p.runtime.store.whenFinalized(id)).state).toBe('completed');
  });

  it('only the owner may hold or release; a job that is not held cannot be released; a held job can be canceled', async () => {
    const id = (await send(p.app, request(Op.PrintJob, raster(), [a.kw('job-hold-until', 'indefinite')]), pwgRaster())).value(JOB, 'job-id') as number;
    await p.runtime.store.waitFor(id, (j) => j.state === 'pending-held');
    expect((await send(p.app, request(ReleaseJob, [a.int('job-id', id)], [], 'mallory'))).status).toBe(0x0403); // not-authorized
    expect((await send(p.app, request(HoldJob, [a.int('job-id', id)], [], 'mallory'))).status).toBe(0x0403);
    expect((await send(p.app, request(Op.CancelJob, [a.int('job-id', id)]))).status).toBe(0);
    expect((await p.runtime.store.whenFinalized(id)).state).toBe('canceled');
    expect((await send(p.app, request(ReleaseJob, [a.int('job-id', id)]))).status).toBe(0x0404); // not-possible
    expect((await send(p.app, request(HoldJob, [a.int('job-id', id)]))).status).toBe(0x0404);
  });

  it('job-hold-until=no-hold prints at once; an unsupported value is ignored and returned', async () => {
    const plain = await send(p.app, request(Op.PrintJob, raster(), [a.kw('job-hold-until', 'no-hold')]), pwgRaster());
    expect(plain.status).toBe(0);
    expect((await p.runtime.store.whenFinalized(plain.value(JOB, 'job-id') as number)).state).toBe('completed');
    const evening = await send(p.app, request(Op.PrintJob, raster(), [a.kw('job-hold-until', 'evening')]), pwgRaster());
    expect(evening.status).toBe(0x0001);
    expect((await p.runtime.store.whenFinalized(evening.value(JOB, 'job-id') as number)).state).toBe('completed');
  });
});
