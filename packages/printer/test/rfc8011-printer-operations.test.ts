/**
 * RFC 8011 / PWG 5100.14 operations of the printer through fastify inject: attributes, request
 * checks, the job lifecycle with the real renderers, cancel at each stage, Get-Jobs filters.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrinterHandle } from '@trustnoone/printer';
import { jobPaths } from '@trustnoone/printer';
import { RenderError, type Renderer } from '../src/pipeline/renderer.js';
import { jpegImage, pwgRaster, TEXT } from './support/documents.js';
import { a, JOB, OP, Op, PRINTER, UNSUPPORTED, printer, request, send, tempDir } from './support/ipp.js';

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

const done = (id: number) => p.runtime.store.whenFinalized(id);

describe('Get-Printer-Attributes (RFC 8011 §4.2.5, PWG 5100.14 §5.1)', () => {
  it('advertises the IPP Everywhere and TRUSTNOONE attributes', async () => {
    const r = await send(p.app, request(Op.GetPrinterAttributes));
    expect(r.status).toBe(0);
    const ops = r.values(PRINTER, 'operations-supported');
    for (const code of [0x02, 0x04, 0x05, 0x06, 0x08, 0x09, 0x0a, 0x0b, 0x39, 0x3b, 0x3c, 0x6a]) expect(ops).toContain(code);
    expect(r.values(PRINTER, 'document-format-supported')).toEqual(
      expect.arrayContaining(['image/pwg-raster', 'image/jpeg', 'application/pdf', 'text/plain', 'application/pkcs7-mime']),
    );
    expect(r.values(PRINTER, 'ipp-versions-supported')).toContain('2.0');
    expect(r.value(PRINTER, 'printer-uuid')).toBe(`urn:uuid:${p.uuid}`);
    expect(r.values(PRINTER, 'pkcs7-document-format-supported')).toContain('image/pwg-raster');
    expect(r.attr(PRINTER, 'printer-pkcs7-repertoire-supported')).toBeDefined();
    expect(r.attr(PRINTER, 'printer-pkcs7-repertoire-configured')).toBeDefined();
    expect(r.value(PRINTER, 'encrypted-job-request-format-supported')).toBe('application/ipp');
    expect(r.values(PRINTER, 'printer-input-tray')).toHaveLength(2);
    expect(r.attr(PRINTER, 'printer-output-tray')).toBeDefined();
    // media-col-database only when asked for by name (PWG 5100.7).
    expect(r.attr(PRINTER, 'media-col-database')).toBeUndefined();
  });

  it('filters by requested-attributes and returns media-col-database when named', async () => {
    const r = await send(p.app, request(Op.GetPrinterAttributes, [a.kw('requested-attributes', 'printer-state', 'media-col-database')]));
    const names = r.groups(PRINTER)[0]!.attributes.map((x) => x.name);
    expect(names.sort()).toEqual(['media-col-database', 'printer-state']);
    expect(r.value(PRINTER, 'printer-state')).toBe(3);
  });

  it('flags an unsupported document-format but still answers', async () => {
    const r = await send(p.app, request(Op.GetPrinterAttributes, [a.mime('document-format', 'application/x-nope')]));
    expect(r.status).toBe(0x0001);
    expect(r.value(UNSUPPORTED, 'document-format')).toBe('application/x-nope');
  });
});

describe('RFC 8011 §4.1 request checks', () => {
  it('refuses request-id 0, version 0.0 and a missing printer-uri with the right status', async () => {
    const zero = { ...request(Op.GetPrinterAttributes), requestId: 0 };
    expect((await send(p.app, zero)).status).toBe(0x0400);
    const v00 = { ...request(Op.GetPrinterAttributes), version: { major: 0, minor: 0 } };
    expect((await send(p.app, v00)).status).toBe(0x0503);
    const noUri = request(Op.GetPrinterAttributes);
    const ops = noUri.groups[0]!.attributes.filter((x) => x.name !== 'printer-uri');
    expect((await send(p.app, { ...noUri, groups: [{ tag: OP, attributes: ops }] })).status).toBe(0x0400);
  });

  it('answers an unknown operation with server-error-operation-not-supported', async () => {
    expect((await send(p.app, request(0x4001))).status).toBe(0x0501);
  });

  it('checks each operation it implements for its REQUIRED attributes, and no other operation', async () => {
    // TRUSTNOONE: Get-Encrypted-Job-Attributes must carry the owner's certificate.
    const noKey = await send(p.app, request(0x006a, [a.int('job-id', 1)]));
    expect(noKey.status).toBe(0x0400);
    expect(String(noKey.value(OP, 'status-message'))).toMatch(/requesting-user-pkcs7-public-key/);
    // Restart-Job is not offered: its missing job-id is not the printer's to judge (RFC 8011 §4.1.8
    // ordering); Hold-Job is, so its missing job-id is a bad request.
    expect((await send(p.app, request(0x000e))).status).toBe(0x0501);
    expect((await send(p.app, request(0x000c))).status).toBe(0x0400);
  });
});

describe('Print-Job and the job lifecycle (RFC 8011 §4.2.1, §5.3.7)', () => {
  it('prints a PWG raster job: pending → processing → completed, pages and manifest on disk', async () => {
    const seen: string[] = [];
    const job = request(Op.PrintJob, [a.mime('document-format', 'image/pwg-raster'), a.name('job-name', 'raster')], [a.int('copies', 2), a.kw('sides', 'two-sided-long-edge')]);
    const off = p.runtime.store.onChange((j) => seen.push(j.state));
    const r = await send(p.app, job, pwgRaster({ pages: 3 }));
    expect(r.status).toBe(0);
    const id = r.value(JOB, 'job-id') as number;
    expect(r.value(JOB, 'job-uri')).toBe(`${'ipp://127.0.0.1:8631/ipp/print'}/${id}`);
    const final = await done(id);
    off();
    expect(final.state).toBe('completed');
    expect(seen).toContain('processing');
    expect(final.reasons.has('job-completed-successfully')).toBe(true);
    expect(final.pagesCompleted).toBe(3);
    expect(final.impressionsCompleted).toBe(6);
    expect(final.mediaSheetsCompleted).toBe(4);
    const paths = jobPaths(p.runtime.layout, id);
    const manifest = JSON.parse(await readFile(paths.manifest, 'utf8'));
    expect(manifest).toMatchObject({ jobId: id, state: 'completed', pageCount: 3, renderFormat: 'image/pwg-raster', sealed: false });
    expect(manifest.attributes).toMatchObject({ copies: 2, sides: 'two-sided-long-edge' });
    expect(manifest.documentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(join(paths.pages, '003.png'))).size).toBeGreaterThan(0);
    await expect(stat(paths.private)).rejects.toThrow(); // no document left behind
    const g = await send(p.app, request(Op.GetJobAttributes, [a.int('job-id', id)]));
    expect(g.value(JOB, 'job-state')).toBe(9);
    expect(g.value(JOB, 'job-impressions-completed')).toBe(6);
    expect(g.value(JOB, 'job-name')).toBe('raster');
  });

  it('prints JPEG and text, and sniffs application/octet-stream', async () => {
    for (const [format, doc] of [
      ['image/jpeg', jpegImage()],
      ['text/plain', TEXT],
      ['application/octet-stream', jpegImage()],
    ] as const) {
      const r = await send(p.app, request(Op.PrintJob, [a.mime('document-format', format)]), doc);
      expect(r.status, format).toBe(0);
      const j = await done(r.value(JOB, 'job-id') as number);
      expect(j.state, format).toBe('completed');
      expect(j.pagesCompleted, format).toBeGreaterThan(0);
    }
  });

  it('aborts a hostile raster with document-format-error and keeps serving', async () => {
    const bad = pwgRaster();
    const view = new DataView(bad.buffer, bad.byteOffset);
    view.setUint32(4 + 372, 1_000_000); // Width
    view.setUint32(4 + 376, 1_000_000); // Height
    const r = await send(p.app, request(Op.PrintJob, [a.mime('document-format', 'image/pwg-raster')]), bad);
    const j = await done(r.value(JOB, 'job-id') as number);
    expect(j.state).toBe('aborted');
    expect(j.reasons.has('document-format-error')).toBe(true);
    expect((await send(p.app, request(Op.GetPrinterAttributes))).status).toBe(0);
  });

  it('aborts a truncated JPEG and a PDF whose page tree loops, with document-format-error', async () => {
    const jpeg = jpegImage();
    const loop = new TextEncoder().encode(
      '%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [2 0 R] /Count 1 >>\nendobj\n' +
        'trailer\n<< /Size 3 /Root 1 0 R >>\n%%EOF\n',
    );
    for (const [format, doc] of [
      ['image/jpeg', jpeg.subarray(0, Math.floor(jpeg.length / 2))],
      ['application/pdf', loop],
    ] as const) {
      const r = await send(p.app, request(Op.PrintJob, [a.mime('document-format', format)]), doc);
      const j = await done(r.value(JOB, 'job-id') as number);
      expect(j.state, format).toBe('aborted');
      expect(j.reasons.has('document-format-error'), format).toBe(true);
    }
    expect((await send(p.app, request(Op.GetPrinterAttributes))).status).toBe(0);
  });

  it('accepts gzip and deflate compressed documents', async () => {
    const { gzipSync, deflateSync } = await import('node:zlib');
    for (const [c, z] of [
      ['gzip', gzipSync],
      ['deflate', deflateSync],
    ] as const) {
      const r = await send(p.app, request(Op.PrintJob, [a.mime('document-format', 'text/plain'), a.kw('compression', c)]), z(TEXT));
      const j = await done(r.value(JOB, 'job-id') as number);
      expect(j.state, c).toBe('completed');
    }
  });

  it('refuses an unsupported format, compression and (with fidelity) template values', async () => {
    const f = await send(p.app, request(Op.PrintJob, [a.mime('document-format', 'application/x-foo')]), TEXT);
    expect(f.status).toBe(0x040a);
    const c = await send(p.app, request(Op.PrintJob, [a.mime('document-format', 'text/plain'), a.kw('compression', 'compress')]), TEXT);
    expect(c.status).toBe(0x040f);
    const t = await send(p.app, request(Op.PrintJob, [a.mime('document-format', 'text/plain'), a.bool('ipp-attribute-fidelity', true)], [a.int('copies', 5000)]), TEXT);
    expect(t.status).toBe(0x040b);
    expect(t.attr(UNSUPPORTED, 'copies')).toBeDefined();
    const ignored = await send(p.app, request(Op.PrintJob, [a.mime('document-format', 'text/plain')], [a.kw('sides', 'three-sided')]), TEXT);
    expect(ignored.status).toBe(0x0001);
    expect(ignored.value(UNSUPPORTED, 'sides')).toBe('three-sided');
    await done(ignored.value(JOB, 'job-id') as number);
  });

  it('Validate-Job checks without creating a job', async () => {
    const before = p.runtime.store.list().length;
    expect((await send(p.app, request(Op.ValidateJob, [a.mime('document-format', 'image/jpeg')]))).status).toBe(0);
    expect((await send(p.app, request(Op.ValidateJob, [a.mime('document-format', 'video/mp4')]))).status).toBe(0x040a);
    expect(p.runtime.store.list().length).toBe(before);
  });
});

describe('Create-Job, Send-Document, Close-Job, Cancel (RFC 8011 §4.2.4, §4.3.1, §4.3.3; PWG 5100.5, 5100.11)', () => {
  it('creates a job that waits for its document, then prints it', async () => {
    const c = await send(p.app, request(Op.CreateJob, [a.name('job-name', 'two-step')], [a.kw('media', 'na_letter_8.5x11in')]));
    expect(c.status).toBe(0);
    const id = c.value(JOB, 'job-id') as number;
    expect(c.values(JOB, 'job-state-reasons')).toContain('job-data-insufficient');
    const s = await send(p.app, request(Op.SendDocument, [a.int('job-id', id), a.bool('last-document', true), a.mime('document-format', 'text/plain')]), TEXT);
    expect(s.status).toBe(0);
    const j = await done(id);
    expect(j.state).toBe('completed');
    expect(j.template.media).toBe('na_letter_8.5x11in');
    // RFC 8011 §4.3.1: nothing after the last document.
    const again = await send(p.app, request(Op.SendDocument, [a.int('job-id', id), a.bool('last-document', true)]), TEXT);
    expect(again.status).toBe(0x0404);
  });

  it('prints a multi-document job, pages numbered on across documents (PWG 5100.5)', async () => {
    const id = (await send(p.app, request(Op.CreateJob))).value(JOB, 'job-id') as number;
    const first = await send(p.app, request(Op.SendDocument, [a.int('job-id', id), a.bool('last-document', false), a.mime('document-format', 'text/plain')]), TEXT);
    expect(first.status).toBe(0);
    expect(first.values(JOB, 'job-state-reasons')).toContain('job-data-insufficient');
    const second = await send(p.app, request(Op.SendDocument, [a.int('job-id', id), a.bool('last-document', true), a.mime('document-format', 'image/pwg-raster')]), pwgRaster({ pages: 2 }));
    expect(second.status).toBe(0);
    const j = await done(id);
    expect(j.state).toBe('completed');
    expect(j.documents.map((d) => d.format)).toEqual(['text/plain', 'image/pwg-raster']);
    const textPages = j.documents[0]!.pages!;
    expect(j.pagesCompleted).toBe(textPages + 2);
    const manifest = JSON.parse(await readFile(jobPaths(p.runtime.layout, id).manifest, 'utf8'));
    expect(manifest.documents).toHaveLength(2);
    expect(manifest.pages).toEqual(Array.from({ length: textPages + 2 }, (_, i) => `pages/${String(i + 1).padStart(3, '0')}.png`));
    for (const page of manifest.pages) expect((await stat(join(jobPaths(p.runtime.layout, id).dir, page))).size).toBeGreaterThan(0);
    const g = await send(p.app, request(Op.GetJobAttributes, [a.int('job-id', id), a.kw('requested-attributes', 'number-of-documents')]));
    expect(g.value(JOB, 'number-of-documents')).toBe(2);
  });

  it('Close-Job ends a job whose last Send-Document said last-document=false', async () => {
    const id = (await send(p.app, request(Op.CreateJob))).value(JOB, 'job-id') as number;
    await send(p.app, request(Op.SendDocument, [a.int('job-id', id), a.bool('last-document', false), a.mime('document-format', 'text/plain')]), TEXT);
    expect((await send(p.app, request(Op.CloseJob, [a.int('job-id', id)]))).status).toBe(0);
    expect((await done(id)).state).toBe('completed');
  });

  it('Send-Document needs last-document, an existing job and its owner', async () => {
    const c = await send(p.app, request(Op.CreateJob));
    const id = c.value(JOB, 'job-id') as number;
    expect((await send(p.app, request(Op.SendDocument, [a.int('job-id', id)]), TEXT)).status).toBe(0x0400);
    expect((await send(p.app, request(Op.SendDocument, [a.int('job-id', 999_999), a.bool('last-document', true)]), TEXT)).status).toBe(0x0406);
    expect((await send(p.app, request(Op.SendDocument, [a.int('job-id', id), a.bool('last-document', true)], [], 'mallory'), TEXT)).status).toBe(0x0403);
    expect((await send(p.app, request(Op.CloseJob, [a.int('job-id', id)]))).status).toBe(0);
    expect(p.runtime.store.get(id)!.state).toBe('aborted');
  });

  it('cancels a job waiting for its document and refuses to cancel it twice', async () => {
    const id = (await send(p.app, request(Op.CreateJob))).value(JOB, 'job-id') as number;
    expect((await send(p.app, request(Op.CancelJob, [a.int('job-id', id)], [], 'mallory'))).status).toBe(0x0403);
    expect((await send(p.app, request(Op.CancelJob, [a.int('job-id', id)]))).status).toBe(0);
    const j = p.runtime.store.get(id)!;
    expect(j.state).toBe('canceled');
    expect(j.reasons.has('job-canceled-by-user')).toBe(true);
    expect((await send(p.app, request(Op.CancelJob, [a.int('job-id', id)]))).status).toBe(0x0404);
    const s = await send(p.app, request(Op.SendDocument, [a.int('job-id', id), a.bool('last-document', true)]), TEXT);
    expect(s.status).toBe(0x0404);
  });

  it('cancels a queued or processing job: it ends canceled, never completed', async () => {
    // A renderer that runs until stopped, so every job is still processing or queued when its
    // Cancel-Job arrives however fast or loaded the machine is (a real renderer could finish first).
    const stuck: Renderer = (req) =>
      new Promise((_resolve, reject) => {
        req.signal?.addEventListener('abort', () => reject(new RenderError('RENDER_ABORTED', 'rendering aborted')), { once: true });
      });
    const sub = await tempDir();
    const q = await printer(sub.path, { renderer: stuck });
    try {
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await send(q.app, request(Op.PrintJob, [a.mime('document-format', 'image/pwg-raster')]), pwgRaster({ pages: 2 }));
        ids.push(r.value(JOB, 'job-id') as number);
      }
      for (const id of ids) expect(['pending', 'processing']).toContain(q.runtime.store.get(id)!.state);
      for (const id of ids) expect((await send(q.app, request(Op.CancelJob, [a.int('job-id', id)]))).status).toBe(0);
      for (const id of ids) expect((await q.runtime.store.whenFinalized(id)).state).toBe('canceled');
    } finally {
      await q.close();
      await sub.remove();
    }
  });

  it('Cancel-Job while rendering stops the renderer at once: the job ends canceled, not aborted', async () => {
    // A renderer that would run until stopped: only the abort signal ends it.
    let started!: () => void;
    const rendering = new Promise<void>((r) => (started = r));
    const stuck: Renderer = (req) =>
      new Promise((_resolve, reject) => {
        started();
        req.signal?.addEventListener('abort', () => reject(new RenderError('RENDER_ABORTED', 'rendering aborted')), { once: true });
      });
    const sub = await tempDir();
    const q = await printer(sub.path, { renderer: stuck });
    try {
      const r = await send(q.app, request(Op.PrintJob, [a.mime('document-format', 'image/pwg-raster')]), pwgRaster({ pages: 1 }));
      const id = r.value(JOB, 'job-id') as number;
      await rendering;
      expect(q.runtime.store.get(id)!.state).toBe('processing');
      expect((await send(q.app, request(Op.CancelJob, [a.int('job-id', id)]))).status).toBe(0);
      const job = await q.runtime.store.whenFinalized(id);
      expect(job.state).toBe('canceled');
      expect([...job.reasons]).not.toContain('document-format-error');
    } finally {
      await q.close();
      await sub.remove();
    }
  });

  it('Cancel-My-Jobs cancels only the requesting user\'s active jobs', async () => {
    const mine = (await send(p.app, request(Op.CreateJob))).value(JOB, 'job-id') as number;
    const theirs = (await send(p.app, request(Op.CreateJob, [], [], 'bob'))).value(JOB, 'job-id') as number;
    expect((await send(p.app, request(Op.CancelMyJobs))).status).toBe(0);
    expect(p.runtime.store.get(mine)!.state).toBe('canceled');
    expect(p.runtime.store.get(theirs)!.state).toBe('pending');
    await send(p.app, request(Op.CancelJob, [a.int('job-id', theirs)], [], 'bob'));
  });
});

describe('Get-Jobs (RFC 8011 §4.2.6) and job history', () => {
  it('lists completed and not-completed jobs, honours my-jobs and limit', async () => {
    const open = (await send(p.app, request(Op.CreateJob, [], [], 'carol'))).value(JOB, 'job-id') as number;
    const nc = await send(p.app, request(Op.GetJobs, [a.kw('requested-attributes', 'job-id', 'job-state')]));
    const ncIds = nc.groups(JOB).map((g) => (g.attributes.find((x) => x.name === 'job-id')!.values[0] as { value: number }).value);
    expect(ncIds).toContain(open);
    const completed = await send(p.app, request(Op.GetJobs, [a.kw('which-jobs', 'completed'), a.int('limit', 2)]));
    expect(completed.groups(JOB).length).toBe(2);
    const mine = await send(p.app, request(Op.GetJobs, [a.kw('which-jobs', 'all'), a.bool('my-jobs', true)], [], 'carol'));
    expect(mine.groups(JOB).length).toBe(1);
    expect((await send(p.app, request(Op.GetJobs, [a.kw('which-jobs', 'fetchable')]))).status).toBe(0x040b);
    await send(p.app, request(Op.CancelJob, [a.int('job-id', open)], [], 'carol'));
  });

  it('forgets ended jobs after the history window', async () => {
    const d = await tempDir();
    const q = await printer(d.path, { jobHistoryMs: 50 });
    try {
      const id = (await send(q.app, request(Op.CreateJob))).value(JOB, 'job-id') as number;
      await send(q.app, request(Op.CancelJob, [a.int('job-id', id)]));
      expect((await send(q.app, request(Op.GetJobAttributes, [a.int('job-id', id)]))).status).toBe(0);
      // History counts from the end, for a job whose manifest is written (issue 13.6: this one's is now).
      await q.runtime.store.whenFinalized(id);
      await new Promise((r) => setTimeout(r, 80));
      expect((await send(q.app, request(Op.GetJobAttributes, [a.int('job-id', id)]))).status).toBe(0x0406);
    } finally {
      await q.close();
      await d.remove();
    }
  });

  it('bounds active jobs (server-error-busy) and the number of ended jobs kept', async () => {
    const d = await tempDir();
    const q = await printer(d.path, { maxActiveJobs: 2, maxJobHistory: 1 });
    try {
      const ids = [];
      for (let i = 0; i < 2; i++) ids.push((await send(q.app, request(Op.CreateJob))).value(JOB, 'job-id') as number);
      expect((await send(q.app, request(Op.CreateJob))).status).toBe(0x0507);
      for (const id of ids) await send(q.app, request(Op.CancelJob, [a.int('job-id', id)]));
      // Only the newest ended job is kept.
      expect((await send(q.app, request(Op.GetJobAttributes, [a.int('job-id', ids[0]!)]))).status).toBe(0x0406);
      expect((await send(q.app, request(Op.GetJobAttributes, [a.int('job-id', ids[1]!)]))).status).toBe(0);
      expect((await send(q.app, request(Op.CreateJob))).status).toBe(0);
    } finally {
      await q.close();
      await d.remove();
    }
  });

  it('aborts a Create-Job whose document never comes (multiple-operation-time-out)', async () => {
    const d = await tempDir();
    const q = await printer(d.path, { multipleOperationTimeoutMs: 50 });
    try {
      const id = (await send(q.app, request(Op.CreateJob))).value(JOB, 'job-id') as number;
      const j = await q.runtime.store.waitFor(id, (x) => x.state === 'aborted', 2000);
      expect(j.reasons.has('aborted-by-system')).toBe(true);
    } finally {
      await q.close();
      await d.remove();
    }
  });
});

describe('Identify-Printer (PWG 5100.13 §4.1)', () => {
  it('accepts the advertised actions and refuses others', async () => {
    expect((await send(p.app, request(Op.IdentifyPrinter, [a.kw('identify-actions', 'sound')]))).status).toBe(0);
    expect((await send(p.app, request(Op.IdentifyPrinter, [a.kw('identify-actions', 'explode')]))).status).toBe(0x040b);
  });
});
