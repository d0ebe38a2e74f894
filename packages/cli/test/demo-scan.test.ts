import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanTree } from '../src/demo/scan.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('the demo\'s canary search', () => {
  it('finds the needle anywhere in a tree, including across the 1 MiB read boundary, and counts what it read', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tno-scan-'));
    dirs.push(root);
    const needle = 'TNO-CANARY-0123456789abcdef';
    await mkdir(join(root, 'a', 'b'), { recursive: true });
    const straddle = Buffer.alloc((1 << 20) + 100, 0x41);
    straddle.write(needle, (1 << 20) - 10);
    await writeFile(join(root, 'a', 'b', 'straddle.bin'), straddle);
    await writeFile(join(root, 'a', 'clean.bin'), Buffer.alloc(5000, 0x42));
    await writeFile(join(root, 'tail.txt'), `xx${needle}`);
    await writeFile(join(root, 'partial.txt'), needle.slice(0, -1));
    const r = await scanTree(root, needle);
    expect(r.hits.map((h) => h.slice(root.length)).sort()).toEqual(['/a/b/straddle.bin', '/tail.txt']);
    expect(r.filesScanned).toBe(4);
    expect(r.bytesScanned).toBe(straddle.length + 5000 + needle.length + 2 + needle.length - 1);
    expect(r.largestFile).toBe(straddle.length);
  });
});
