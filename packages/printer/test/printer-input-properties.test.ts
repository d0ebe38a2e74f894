/**
 * Untrusted input at the printer's own layers, with fast-check: Job Template checks accept or
 * report any attribute list without throwing; format sniffing never throws; the decompressing
 * spool either writes or fails with an error on arbitrary bytes (never hangs, never exceeds its
 * cap); garbage HTTP bodies get an IPP error and the printer keeps serving. Plus the web page.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessage, type IppAttribute, type IppValue } from '@trustnoone/ipp';
import { createHash } from 'node:crypto';
import { InnerSplitter } from '../src/secure/inner-splitter.js';
import type { PrinterHandle } from '@trustnoone/printer';
import { checkJobTemplate } from '../src/jobs/job-template.js';
import { sniffFormat } from '../src/pipeline/sniff.js';
import { SpoolLimitError, spoolToFile } from '../src/pipeline/spool.js';
import { answer, Op, printer, request, send, tempDir } from './support/ipp.js';
import { outerPrintJob, sealJob } from './support/sealed.js';

const value: fc.Arbitrary<IppValue> = fc.oneof(
  fc.integer().map((v): IppValue => ({ tag: 'integer', value: v })),
  fc.integer({ min: 0, max: 20 }).map((v): IppValue => ({ tag: 'enum', value: v })),
  fc.boolean().map((v): IppValue => ({ tag: 'boolean', value: v })),
  fc.constantFrom('one-sided', 'iso_a4_210x297mm', 'color', 'x', '').map((v): IppValue => ({ tag: 'keyword', value: v })),
  fc.record({ x: fc.integer(), y: fc.integer(), units: fc.constantFrom(3 as const, 4 as const) }).map((v): IppValue => ({ tag: 'resolution', value: v })),
  fc.constant<IppValue>({ tag: 'noValue' }),
);
const attribute: fc.Arbitrary<IppAttribute> = fc.letrec((tie) => ({
  attr: fc.record({
    name: fc.constantFrom('copies', 'media', 'media-col', 'sides', 'print-quality', 'printer-resolution', 'finishings', 'media-size', 'x-dimension', 'bogus'),
    values: fc.array(fc.oneof({ depthSize: 'small' }, value, fc.array(tie('attr') as fc.Arbitrary<IppAttribute>, { maxLength: 3 }).map((m): IppValue => ({ tag: 'collection', value: m }))), {
      minLength: 1,
      maxLength: 3,
    }),
  }),
})).attr as fc.Arbitrary<IppAttribute>;

describe('Job Template checks (property)', () => {
  it('never throw; every input attribute is either applied or reported unsupported', () => {
    fc.assert(
      fc.property(fc.array(attribute, { maxLength: 8 }), (attrs) => {
        const r = checkJobTemplate(attrs);
        expect(r.applied.copies).toBeGreaterThanOrEqual(1);
        expect(r.applied.copies).toBeLessThanOrEqual(999);
        const applied = r.applied.attributes.map((a) => a.name);
        for (const a of attrs) expect(applied.includes(a.name) || r.unsupported.some((u) => u.name === a.name)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('format sniffing (property)', () => {
  it('never throws and recognises the magic numbers', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 16 }), (b) => void sniffFormat(b)));
    expect(sniffFormat(new TextEncoder().encode('RaS2'))).toBe('image/pwg-raster');
    expect(sniffFormat(new TextEncoder().encode('%PDF-1.7'))).toBe('application/pdf');
    expect(sniffFormat(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
    expect(sniffFormat(Uint8Array.of(0x00, 0x01))).toBeUndefined();
  });
});

describe('decompressing spool (property)', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => dir.remove());

  it('writes or rejects arbitrary gzip/deflate input, and leaves no partial file on failure', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.constantFrom('gzip' as const, 'deflate' as const), async (bytes, compression) => {
        const file = join(dir.path, `f${n++}`);
        try {
          const r = await spoolToFile(Readable.from([Buffer.from(bytes)]), file, { maxBytes: 1 << 20, compression });
          expect(r.bytes).toBe((await readFile(file)).length);
        } catch {
          await expect(readFile(file)).rejects.toThrow();
        }
        await rm(file, { force: true });
      }),
      { numRuns: 200 },
    );
  });

  it('stops a decompression bomb at the cap', async () => {
    const bomb = gzipSync(Buffer.alloc(64 << 20));
    const file = join(dir.path, 'bomb');
    await expect(spoolToFile(Readable.from([bomb]), file, { maxBytes: 1 << 20, compression: 'gzip' })).rejects.toBeInstanceOf(SpoolLimitError);
    await expect(readFile(file)).rejects.toThrow();
  });
});

describe('HTTP layer', () => {
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

  it('answers garbage bodies with an IPP error and keeps serving (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (body) => {
        const res = await p.app.inject({ method: 'POST', url: '/ipp/print', headers: { 'content-type': 'application/ipp' }, payload: Buffer.from(body) });
        expect(res.statusCode).toBe(200);
        expect(answer(res.rawPayload).status).toBeGreaterThanOrEqual(0x0400);
      }),
      { numRuns: 150 },
    );
    expect((await send(p.app, request(Op.GetPrinterAttributes))).status).toBe(0);
  });

  it('shows printer-uuid and the certificate fingerprint on its web page, and serves its icon', async () => {
    const page = await p.app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(p.uuid);
    expect(page.body.replace(/:/g, '').toLowerCase()).toContain(p.keys.fingerprint);
    const icon = await p.app.inject({ method: 'GET', url: '/icon.png' });
    expect(icon.headers['content-type']).toBe('image/png');
    const png = PNG.sync.read(icon.rawPayload);
    expect([png.width, png.height]).toEqual([128, 128]);
  });
});

describe('document size limits', () => {
  it('aborts a job whose document exceeds maxDocumentBytes with request-entity-too-large', async () => {
    const d = await tempDir();
    const q = await printer(d.path, { maxDocumentBytes: 1000 });
    try {
      const r = await send(q.app, request(Op.PrintJob, [{ name: 'document-format', values: [{ tag: 'mimeMediaType', value: 'text/plain' }] }]), new Uint8Array(5000).fill(0x41));
      expect(r.status).toBe(0x0408);
      const job = q.runtime.store.list()[0]!;
      expect(job.state).toBe('aborted');
      const again = await send(q.app, request(Op.PrintJob, [{ name: 'document-format', values: [{ tag: 'mimeMediaType', value: 'text/plain' }] }, { name: 'compression', values: [{ tag: 'keyword', value: 'gzip' }] }]), gzipSync(Buffer.alloc(100_000, 0x41)));
      expect(again.status).toBe(0x0408);
      // A sealed document is decrypted as it streams in: the limit stops it there too.
      const { envelope } = await sealJob(q, new Uint8Array(5000).fill(0x41), { format: 'text/plain' });
      const sealed = await send(q.app, outerPrintJob(), envelope);
      expect(sealed.status).toBe(0x0408);
      expect(q.runtime.store.list()[0]!.state).toBe('aborted');
    } finally {
      await q.close();
      await d.remove();
    }
  });
});

describe('inner splitter (RFC 8010 §3.1 framing over still-unauthenticated plaintext)', () => {
  const attr = fc.record({
    name: fc.stringMatching(/^[a-z][a-z-]{0,20}$/),
    values: fc.array(fc.string({ maxLength: 40 }).map((value): IppValue => ({ tag: 'textWithoutLanguage', value })), { minLength: 1, maxLength: 3 }),
  });

  async function split(bytes: Uint8Array, cuts: number[]): Promise<{ header: Buffer; doc: Buffer; r: Awaited<ReturnType<InnerSplitter['close']>> }> {
    const d = await tempDir();
    try {
      const s = await InnerSplitter.create(join(d.path, 'h'), join(d.path, 'd'));
      let at = 0;
      for (const c of [...cuts.map((x) => x % (bytes.length + 1)).sort((x, y) => x - y), bytes.length]) {
        await s.write(bytes.subarray(at, Math.max(at, c)));
        at = Math.max(at, c);
      }
      const r = await s.close();
      return { header: await readFile(join(d.path, 'h')), doc: await readFile(join(d.path, 'd')), r };
    } finally {
      await d.remove();
    }
  }

  it('splits any encoded request at its end-of-attributes-tag, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(attr, { maxLength: 6 }), fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(), { maxLength: 6 }), async (attrs, doc, cuts) => {
        const head = encodeMessage({ version: { major: 2, minor: 0 }, code: 2, requestId: 1, groups: [{ tag: 1, attributes: attrs }, { tag: 2, attributes: attrs.slice(0, 1) }] });
        const { header, doc: got, r } = await split(Buffer.concat([head, doc]), cuts);
        expect(r.split).toBe(true);
        expect(Buffer.compare(header, Buffer.from(head))).toBe(0);
        expect(Buffer.compare(got, Buffer.from(doc))).toBe(0);
        expect(r.documentSha256).toBe(createHash('sha256').update(doc).digest('hex'));
      }),
      { numRuns: 60 },
    );
  });

  it('never throws on arbitrary bytes; unfollowable input stays whole in the header file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 4 }), async (bytes, cuts) => {
        const { header, doc, r } = await split(bytes, cuts);
        expect(header.length + doc.length).toBe(bytes.length);
        if (!r.split) expect(doc.length).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});
