/**
 * Secure PIN release at the printer (docs/profile.md §5), through its IPP interface and its panel
 * API: a sealed job whose document is enveloped to a release code is held (pending-held,
 * job-password-wait, visible through Get-Job-Attributes), multi-document jobs are released as a
 * whole, one code is checked at a time, a printer with PIN release off refuses such jobs, and no
 * log line holds the code or the document.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealToBytes } from '@trustnoone/smime';
import { jobPaths, type PrinterHandle } from '@trustnoone/printer';
import { pwgRaster, TEXT } from './support/documents.js';
import { a, JOB, Op, PRINTER, printer, request, send, tempDir } from './support/ipp.js';
import { outerCreateJob, outerPrintJob, outerSendDocument, sealJob } from './support/sealed.js';

const CODE = '739182';
const WRONG = '48151623'; // distinctive, so a log search cannot match by chance
const fast = { iterations: 10_000 } as const;
const pinLayer = (doc: Uint8Array, password = CODE): Promise<Uint8Array> => sealToBytes(doc, { recipients: [{ password, ...fast }] });

class LogCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

let dir: { path: string; remove(): Promise<void> };
let p: PrinterHandle;
const log = new LogCapture();
const DOC = pwgRaster({ pages: 1 });

beforeAll(async () => {
  dir = await tempDir();
  p = await printer(dir.path, { logger: { level: 'info', stream: log } });
});
afterAll(async () => {
  await p.close();
  await dir.remove();
});

async function held(id: number): Promise<void> {
  const until = Date.now() + 10_000;
  while (p.runtime.store.get(id)?.state !== 'pending-held') {
    if (Date.now() > until) throw new Error(`job ${id} is ${p.runtime.store.get(id)?.state}, not held`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('PIN release at the printer', () => {
  it('Get-Printer-Attributes: printer-pkcs7-repertoire-supported and -configured', async () => {
    const r = await send(p.app, request(Op.GetPrinterAttributes));
    expect(r.values(PRINTER, 'printer-pkcs7-repertoire-supported')).toEqual(['iana_us-ascii_digits', 'iana_us-ascii_any', 'iana_utf-8_any']);
    expect(r.value(PRINTER, 'printer-pkcs7-repertoire-configured')).toBe('iana_us-ascii_digits');
  });

  it('a held job shows pending-held / job-password-wait over IPP and prints its document unchanged once released', async () => {
    const { envelope } = await sealJob(p, await pinLayer(DOC));
    const r = await send(p.app, outerPrintJob(), envelope);
    expect(r.status).toBe(0);
    const id = r.value(JOB, 'job-id') as number;
    await held(id);
    const g = await send(p.app, request(Op.GetJobAttributes, [a.int('job-id', id)]));
    expect(g.value(JOB, 'job-state')).toBe(4);
    expect(g.values(JOB, 'job-state-reasons')).toContain('job-password-wait');
    expect(p.heldJobs()).toContain(id);
    expect(await p.release(id, CODE)).toEqual({ outcome: 'released' });
    const job = await p.runtime.store.whenFinalized(id);
    expect(job.state).toBe('completed');
    expect(job.documentSha256).toBe(createHash('sha256').update(DOC).digest('hex'));
    expect(p.heldJobs()).not.toContain(id);
  });

  it('a multi-document job is held until the last document, then released as a whole', async () => {
    const c = await send(p.app, outerCreateJob());
    const id = c.value(JOB, 'job-id') as number;
    const first = await sealJob(p, await pinLayer(DOC), { operation: 'Send-Document', documentNumber: 1, lastDocument: false });
    expect((await send(p.app, outerSendDocument(id, false), first.envelope)).status).toBe(0);
    expect(p.runtime.store.get(id)!.state).toBe('pending');
    const second = await sealJob(p, await pinLayer(TEXT), { operation: 'Send-Document', documentNumber: 2, lastDocument: true, jobUuid: first.jobUuid, format: 'text/plain' });
    expect((await send(p.app, outerSendDocument(id, true), second.envelope)).status).toBe(0);
    await held(id);
    expect(await p.release(id, CODE)).toEqual({ outcome: 'released' });
    const job = await p.runtime.store.whenFinalized(id);
    expect(job.state).toBe('completed');
    expect(job.documents.map((d) => d.format)).toEqual(['image/pwg-raster', 'text/plain']);
  });

  it('one code at a time: a second attempt while the first is checked is refused, not counted', async () => {
    const { envelope } = await sealJob(p, await pinLayer(DOC));
    const id = (await send(p.app, outerPrintJob(), envelope)).value(JOB, 'job-id') as number;
    await held(id);
    const [one, two] = await Promise.allSettled([p.release(id, WRONG), p.release(id, '1111')]);
    expect(one).toMatchObject({ status: 'fulfilled', value: { outcome: 'wrong-pin', attemptsLeft: 4 } });
    expect(two).toMatchObject({ status: 'rejected', reason: { code: 'JOB_NOT_HELD' } });
    expect(await p.release(id, '2222')).toEqual({ outcome: 'wrong-pin', attemptsLeft: 3 });
    expect(await p.release(id, CODE)).toEqual({ outcome: 'released' });
    expect((await p.runtime.store.whenFinalized(id)).state).toBe('completed');
  });

  it('a code on a job that was never behind one is refused', async () => {
    const { envelope } = await sealJob(p, DOC);
    const id = (await send(p.app, outerPrintJob(), envelope)).value(JOB, 'job-id') as number;
    await expect(p.release(id, CODE)).rejects.toMatchObject({ code: 'JOB_NOT_HELD' });
    expect((await p.runtime.store.whenFinalized(id)).state).toBe('completed');
  });

  it('no log line holds the code or the document', () => {
    expect(log.text).not.toContain(CODE);
    expect(log.text).not.toContain(WRONG);
    expect(log.text).toContain('wrong release code');
  });
});

describe('a printer with PIN release off', () => {
  it('advertises none and refuses a job behind a release code with 0x040A, nothing held', async () => {
    const d = await tempDir();
    const off = await printer(d.path, { pinRepertoire: 'none' });
    try {
      const r0 = await send(off.app, request(Op.GetPrinterAttributes));
      expect(r0.value(PRINTER, 'printer-pkcs7-repertoire-configured')).toBe('none');
      const { envelope } = await sealJob(off, await pinLayer(DOC));
      const r = await send(off.app, outerPrintJob(), envelope);
      expect(r.status).toBe(0x040a);
      const id = r.value(JOB, 'job-id') as number;
      const job = await off.runtime.store.whenFinalized(id);
      expect(job.state).toBe('aborted');
      expect(off.heldJobs()).toEqual([]);
    } finally {
      await off.close();
      await d.remove();
    }
  });
});

describe('held jobs do not stay forever', () => {
  it('a job not released within pinHoldMs is aborted and its ciphertext deleted; a restart keeps a held job and its hold time', async () => {
    const d = await tempDir();
    const quick = await printer(d.path, { pinHoldMs: 300 });
    try {
      const first = await sealJob(quick, await pinLayer(DOC));
      const id = (await send(quick.app, outerPrintJob(), first.envelope)).value(JOB, 'job-id') as number;
      const job = await quick.runtime.store.whenFinalized(id);
      expect(job.state).toBe('aborted');
      expect(job.stateMessage).toBe('Not released in time.');
      expect(existsSync(jobPaths(quick.runtime.layout, id).private)).toBe(false);
      await expect(quick.release(id, CODE)).rejects.toMatchObject({ code: 'JOB_NOT_HELD' });
    } finally {
      await quick.close();
    }
    // Closing keeps a held job for the next start (issue 21.1), and its hold time counts from the
    // first hold, not from the restart: held 2 s of 3 s, it expires at most 1 s after the start
    // (a hold begun again at the start would last 3 s more).
    const slow = await printer(d.path, { pinHoldMs: 3000 });
    const second = await sealJob(slow, await pinLayer(DOC));
    const id2 = (await send(slow.app, outerPrintJob(), second.envelope)).value(JOB, 'job-id') as number;
    expect(slow.heldJobs()).toEqual([id2]);
    await new Promise((r) => setTimeout(r, 2000));
    await slow.close();
    expect(slow.runtime.store.get(id2)!.state).toBe('pending-held');
    expect(existsSync(jobPaths(slow.runtime.layout, id2).private)).toBe(false); // the PIN-layer copy
    const again = await printer(d.path, { pinHoldMs: 3000 });
    const startedAt = Date.now();
    try {
      expect(again.runtime.store.get(id2)).toBeDefined(); // carried through the restart
      const ended = await again.runtime.store.whenFinalized(id2);
      expect(ended.stateMessage).toBe('Not released in time.');
      expect(Date.now() - startedAt).toBeLessThan(2500);
      expect(existsSync(jobPaths(again.runtime.layout, id2).spool)).toBe(false);
    } finally {
      await again.close();
    }
    await d.remove();
  });
});
