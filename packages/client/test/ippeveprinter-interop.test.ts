/**
 * The client against CUPS's ippeveprinter (cups-ipp-utils), an independent IPP Everywhere printer
 * without TRUSTNOONE: refusal by default, printing in clear with allowPlaintext, status, jobs,
 * cancel, and Job Template validation against its real -supported attributes (RFC 8011 §5.2).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancel, ClientError, follow, jobs, jobTemplateAttributes, print, printerInfo, status, type PrinterInfo, type PrintProgress } from '@trustnoone/client';
import { startIppEvePrinter, type IppEvePrinter } from '../../../testing/ippeveprinter.js';

let peer: IppEvePrinter;
let info: PrinterInfo;
let dir: string;
let textFile: string;

beforeAll(async () => {
  peer = await startIppEvePrinter({ processSeconds: 2, extraArgs: ['-2'] });
  info = await printerInfo({ printer: peer.uri, userName: 'alice' });
  dir = await mkdtemp(join(tmpdir(), 'tno-client-docs-'));
  textFile = join(dir, 'letter.txt');
  await writeFile(textFile, 'Dear printer,\nthis is a plain text job.\n');
});

afterAll(async () => {
  await peer?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ClientError);
    return (err as ClientError).code;
  }
  return 'resolved';
}

describe('a printer without TRUSTNOONE (ippeveprinter)', () => {
  it('is read as such: a printer-uuid, no printer-pkcs7-public-key', () => {
    expect(info.trustnoone).toBe(false);
    expect(info.printerUuid).toMatch(/^urn:uuid:/);
    expect(info.documentFormats).toContain('application/pdf');
  });

  it('is refused by default, with a message that says why and what to do', async () => {
    const err = await print({ printer: peer.uri, documents: [{ path: textFile }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).code).toBe('CLIENT_NOT_TRUSTNOONE');
    expect((err as ClientError).message).toContain('--allow-plaintext');
  });

  it('prints in clear with allowPlaintext, reports progress, and follows the job to completed', async () => {
    const events: PrintProgress[] = [];
    const r = await print({
      printer: peer.uri,
      userName: 'alice',
      documents: [{ path: textFile }],
      attributes: { copies: 2, sides: 'one-sided' },
      allowPlaintext: true,
      onProgress: (e) => events.push(e),
      follow: { timeoutMs: 60_000 },
    });
    expect(r.encrypted).toBe(false);
    expect(r.trust).toBeUndefined();
    expect(r.status?.state).toBe('completed');
    expect(events.some((e) => e.phase === 'upload' && e.bytes === e.totalBytes)).toBe(true);
    expect(events.some((e) => e.phase === 'submitted' && e.jobId === r.jobId)).toBe(true);

    const s = await status({ printer: peer.uri, userName: 'alice' }, r.jobId);
    expect(s).toMatchObject({ jobId: r.jobId, state: 'completed' });
    const done = await jobs({ printer: peer.uri, userName: 'alice' }, { which: 'completed' });
    expect(done.map((j) => j.jobId)).toContain(r.jobId);
    // A finished job cannot be canceled: the printer's refusal comes back as an IPP status.
    expect(await code(cancel({ printer: peer.uri, userName: 'alice' }, r.jobId))).toBe('CLIENT_IPP_STATUS');
  });

  it('waits while the printer is busy (server-error-busy), then submits; cancels a job in progress', async () => {
    const first = await print({ printer: peer.uri, userName: 'alice', documents: [{ path: textFile }], allowPlaintext: true, wait: false });
    // ippeveprinter takes one job at a time and answers server-error-busy meanwhile.
    const events: PrintProgress[] = [];
    const second = await print({ printer: peer.uri, userName: 'alice', documents: [{ path: textFile }], allowPlaintext: true, wait: false, onProgress: (e) => events.push(e) });
    expect(events.some((e) => e.phase === 'busy')).toBe(true);
    expect(second.jobId).toBeGreaterThan(first.jobId);
    await cancel({ printer: peer.uri, userName: 'alice' }, second.jobId);
    const s = await follow({ printer: peer.uri, userName: 'alice' }, second.jobId, { timeoutMs: 30_000 });
    expect(s.state).toBe('canceled');
  });

  it('refuses several documents: ippeveprinter says multiple-document-jobs-supported=false', async () => {
    expect(await code(print({ printer: peer.uri, documents: [{ path: textFile }, { path: textFile }], allowPlaintext: true }))).toBe('CLIENT_ATTRIBUTE_NOT_SUPPORTED');
  });

  it('reports an unreachable printer as such', async () => {
    expect(await code(printerInfo({ printer: 'ipp://127.0.0.1:1/ipp/print', timeoutMs: 2000 }))).toBe('CLIENT_UNREACHABLE');
  });
});

describe('RFC 8011 §5.2 Job Template values checked against the printer', () => {
  it('types values from the printer\'s own -supported syntax', () => {
    const attrs = jobTemplateAttributes({ copies: '3', 'print-quality': 'high', media: 'iso_a4_210x297mm', sides: 'two-sided-long-edge' }, info);
    expect(attrs).toEqual([
      { name: 'copies', values: [{ tag: 'integer', value: 3 }] },
      { name: 'print-quality', values: [{ tag: 'enum', value: 5 }] },
      { name: 'media', values: [{ tag: 'keyword', value: 'iso_a4_210x297mm' }] },
      { name: 'sides', values: [{ tag: 'keyword', value: 'two-sided-long-edge' }] },
    ]);
  });

  it('refuses values and attributes the printer does not support, saying what it supports', () => {
    const cases: [Record<string, string | number>, RegExp][] = [
      [{ copies: 5000 }, /copies=5000.*1-999/],
      [{ sides: 'three-sided' }, /sides=three-sided.*one-sided/],
      [{ 'frobnicate-level': 'max' }, /does not support frobnicate-level/],
      [{ copies: 'two' }, /expected an integer/],
      [{ 'print-quality': 'superb' }, /enum's number/],
    ];
    for (const [req, msg] of cases) {
      expect(() => jobTemplateAttributes(req, info), JSON.stringify(req)).toThrow(msg);
    }
  });
});
