/**
 * Issue 14 item 3, one document size limit: the bytes of a document that arrive (clear or sealed)
 * are capped once, by the transport (ipp-http's maxDocumentBytes, ByteLimitExceeded), instead of
 * by three counters of the printer's own (the spool's input, the sealed receiver's, the opener's).
 * What remains in the printer is the cap on what decompression makes of those bytes, in the one
 * place that decompresses (pipeline/spool.ts). The behaviour (0x0408 for a clear, a compressed and
 * a sealed document over the limit) is pinned by printer-input-properties' "document size limits".
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { filesUnder } from './support/files.js';

const src = fileURLToPath(new URL('../src/', import.meta.url));

async function sources(): Promise<{ path: string; text: string }[]> {
  const paths = (await filesUnder(src)).filter((p) => p.endsWith('.ts') && !p.startsWith(`${src}render/`));
  return Promise.all(paths.map(async (path) => ({ path: path.slice(src.length), text: await readFile(path, 'utf8') })));
}

describe('one document size limit, at the transport (issue 14.3)', () => {
  it('the printer hands its limit to the transport instead of disabling the transport cap', async () => {
    const app = (await sources()).find((s) => s.path === 'app.ts')!.text;
    const routes = app.slice(app.indexOf('registerIppRoutes(app, {'));
    expect(routes).toMatch(/maxDocumentBytes: limits\.maxDocumentBytes/);
    expect(app).not.toMatch(/MAX_SAFE_INTEGER/);
  });

  it('no printer source compares a byte count with maxDocumentBytes, and one raises SpoolLimitError', async () => {
    const all = await sources();
    const comparisons = all.flatMap((s) => (s.text.match(/[<>]=?\s*[\w.]*maxDocumentBytes/g) ?? []).map((m) => `${s.path}: ${m}`));
    expect(comparisons).toEqual([]);
    const raisers = all.flatMap((s) => (s.text.match(/new SpoolLimitError\(/g) ?? []).map(() => s.path));
    expect(raisers).toEqual(['pipeline/spool.ts']);
  });
});
