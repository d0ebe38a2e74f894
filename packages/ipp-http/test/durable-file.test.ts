/**
 * The one durable, atomic file replacement the printer's job records, the client's trust store and
 * the CLI's printers file share (issue 14 "duplicates"): the new content or the old, never a mix,
 * no temporary file left on a failure, private by default, and safe for writers that do not take
 * turns when asked to be.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileDurably } from '@trustnoone/ipp-http/durable-file';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function fresh(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tno-durable-'));
  dirs.push(d);
  return d;
}

describe('writeFileDurably', () => {
  it('replaces the content, mode 0600 by default, and leaves no temporary file', async () => {
    const d = await fresh();
    const file = join(d, 'state.json');
    await writeFile(file, 'old');
    await writeFileDurably(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(d)).toEqual(['state.json']);
  });

  it('keeps the old content and removes its temporary file when the replacement fails', async () => {
    const d = await fresh();
    // A directory in the way: the rename fails after the temporary file was written.
    const target = join(d, 'occupied');
    await mkdir(target);
    await writeFile(join(target, 'inside'), 'kept');
    await expect(writeFileDurably(target, 'new')).rejects.toThrow();
    expect(await readFile(join(target, 'inside'), 'utf8')).toBe('kept');
    expect(await readdir(d)).toEqual(['occupied']);
  });

  it('with concurrentWriters, parallel writes each land whole (the last rename wins)', async () => {
    const d = await fresh();
    const file = join(d, 'trust.json');
    const texts = Array.from({ length: 20 }, (_, i) => `${'x'.repeat(10_000)}-${i}`);
    await Promise.all(texts.map((t) => writeFileDurably(file, t, { concurrentWriters: true })));
    expect(texts).toContain(await readFile(file, 'utf8'));
    expect(await readdir(d)).toEqual(['trust.json']);
  });
});
