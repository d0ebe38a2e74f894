/**
 * Issue 12 item 3: a printer restart loses nothing it acknowledged. The printer runs as
 * `tno printer` in a child process and is SIGKILLed; the next start on the same state directory
 * must know every job it had created, with its real owner:
 *   - a job created with no document yet still waits for it (it was forgotten: 0x0406);
 *   - a job whose sealed document was cut off mid-upload waits for that document again, owned by
 *     alice (it was aborted as "anonymous", so the sender read "not the owner");
 *   - a job received whole and acknowledged but not yet printed is printed, once, with no resend
 *     (it was aborted).
 */
import { readdir, readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeMessage } from '@trustnoone/ipp';
import { ippRequest } from '@trustnoone/ipp-http';
import { buildOuterRequest } from '@trustnoone/profile';
import { pwgRaster } from './support/documents.js';
import { tempDir } from './support/ipp.js';
import { jobValue, outerSend, sealedPrintJob, spawnPrinter, waitUntil, type ChildPrinter } from './support/child-printer.js';

const PENDING = 3;
const PROCESSING = 5;
const COMPLETED = 9;

async function jobDirs(state: string): Promise<number[]> {
  return (await readdir(join(state, 'jobs'))).filter((n) => /^\d+$/.test(n)).map(Number);
}

/** Starts a POST of `head` + `body` and never finishes it. */
function cutOffUpload(p: ChildPrinter, head: Uint8Array, body: Uint8Array): void {
  const url = new URL(p.uri.replace(/^ipp:/, 'http:'));
  const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/ipp' } });
  req.on('error', () => undefined);
  req.write(head);
  req.write(body);
}

async function withState(f: (state: string, children: ChildPrinter[]) => Promise<void>): Promise<void> {
  const d = await tempDir('tno-printer-restart-');
  const children: ChildPrinter[] = [];
  try {
    await f(d.path, children);
  } finally {
    for (const c of children) await c.kill('SIGKILL');
    await d.remove();
  }
}

describe('issue 12.3: a printer restart keeps its jobs', () => {
  it('a created job with no document yet survives and can still be completed', async () => {
    await withState(async (state, children) => {
      const first = await spawnPrinter(state);
      children.push(first);
      const c = await ippRequest(first.uri, buildOuterRequest({ operation: 'Create-Job', printerUri: first.uri, requestId: 2, requestingUserName: 'alice' }));
      expect(c.message.code).toBe(0);
      const id = (c.message.groups.find((g) => g.tag === 0x02)!.attributes.find((x) => x.name === 'job-id')!.values[0] as { value: number }).value;
      await first.kill('SIGKILL');

      const second = await spawnPrinter(state);
      children.push(second);
      expect(await jobValue(second, id, 'job-state')).toBe(PENDING);
      expect(await jobValue(second, id, 'job-originating-user-name')).toBe('alice');
      const { envelope } = await sealedPrintJob(second, pwgRaster({ pages: 1 }));
      const s = await ippRequest(second.uri, outerSend(second, id), { data: envelope });
      expect(s.message.code).toBe(0);
      await waitUntil(`job ${id} completed`, async () => (await jobValue(second, id, 'job-state')) === COMPLETED);
    });
  }, 60_000);

  it('a sealed document cut off by the kill: the job waits for it again, owned by alice', async () => {
    await withState(async (state, children) => {
      const first = await spawnPrinter(state);
      children.push(first);
      const doc = pwgRaster({ pages: 2, width: 1240, height: 1754, dpi: 150 });
      const { outer, envelope } = await sealedPrintJob(first, doc);
      cutOffUpload(first, encodeMessage(outer), envelope.subarray(0, envelope.length >> 1));
      await waitUntil('the job to exist', async () => (await jobDirs(state)).length === 1, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      await first.kill('SIGKILL');
      const [id] = await jobDirs(state);

      const second = await spawnPrinter(state);
      children.push(second);
      expect(await jobValue(second, id!, 'job-originating-user-name')).toBe('alice');
      expect(await jobValue(second, id!, 'job-state')).toBe(PENDING);
      expect(await jobValue(second, id!, 'number-of-documents')).toBe(0);
      // The sender (an intermediary) sends the whole document again into the same job.
      const s = await ippRequest(second.uri, outerSend(second, id!), { data: envelope });
      expect(s.message.code, s.message.groups.flatMap((g) => g.attributes.filter((x) => x.name === 'status-message').map((x) => JSON.stringify(x.values))).join()).toBe(0);
      await waitUntil(`job ${id} completed`, async () => (await jobValue(second, id!, 'job-state')) === COMPLETED);
      await waitUntil('the manifest', async () => (await readdir(join(state, 'jobs', String(id)))).includes('manifest.json'));
      const manifest = JSON.parse(await readFile(join(state, 'jobs', String(id), 'manifest.json'), 'utf8'));
      expect(manifest).toMatchObject({ state: 'completed', owner: 'alice', pageCount: 2 });
    });
  }, 60_000);

  it('an acknowledged job killed while printing is printed after the restart, once, without a resend', async () => {
    await withState(async (state, children) => {
      const first = await spawnPrinter(state);
      children.push(first);
      // Big enough that rendering takes a while: 3 A4 pages at 300 dpi.
      const doc = pwgRaster({ pages: 3, width: 2480, height: 3508, dpi: 300 });
      const { outer, envelope } = await sealedPrintJob(first, doc);
      const res = await ippRequest(first.uri, outer, { data: envelope });
      expect(res.message.code).toBe(0);
      const id = (res.message.groups.find((g) => g.tag === 0x02)!.attributes.find((x) => x.name === 'job-id')!.values[0] as { value: number }).value;
      await waitUntil('rendering', async () => (await jobValue(first, id, 'job-state')) === PROCESSING, 20_000);
      await first.kill('SIGKILL');

      const second = await spawnPrinter(state);
      children.push(second);
      expect(await jobValue(second, id, 'job-originating-user-name')).toBe('alice');
      await waitUntil(`job ${id} completed`, async () => (await jobValue(second, id, 'job-state')) === COMPLETED, 60_000);
      // The printer reports the terminal state a moment before the manifest is on disk.
      await waitUntil('the manifest', async () => (await readdir(join(state, 'jobs', String(id)))).includes('manifest.json'));
      const manifest = JSON.parse(await readFile(join(state, 'jobs', String(id), 'manifest.json'), 'utf8'));
      expect(manifest).toMatchObject({ state: 'completed', owner: 'alice', pageCount: 3 });
      expect(manifest.pages).toHaveLength(3);
      // Nothing of the job but its pages and manifest remains: no plaintext, no ciphertext, no temp file.
      const files = await readdir(join(state, 'jobs', String(id)));
      expect(files).toEqual(expect.arrayContaining(['manifest.json', 'pages']));
      expect(files.filter((f) => ['job.json', 'spool', 'private'].includes(f) || f.endsWith('.tmp'))).toEqual([]);
    });
  }, 120_000);
});
