import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
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

  it('reads a tree that changes under it (files renamed into place, as a running spool does) without failing, and still finds the needle', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tno-scan-live-'));
    dirs.push(root);
    const needle = 'TNO-CANARY-fedcba9876543210';
    await mkdir(join(root, 'tmp'));
    await mkdir(join(root, 'jobs'));
    for (let i = 0; i < 300; i++) await writeFile(join(root, 'jobs', `f${i}`), Buffer.alloc(100, 0x43));
    await writeFile(join(root, 'jobs', 'status.json'), `{"x":"${needle}"}`);
    // Atomic replacement, again and again, while the scans run: tmp/N appears, then is renamed away.
    let writing = true;
    const churn = (async () => {
      for (let n = 0; writing; n++) {
        await writeFile(join(root, 'tmp', `s${n}`), `{"n":${n},"x":"${needle}"}`);
        await rename(join(root, 'tmp', `s${n}`), join(root, 'jobs', 'status.json'));
      }
    })();
    try {
      for (let i = 0; i < 20; i++) {
        const r = await scanTree(root, needle);
        expect(r.hits.map((h) => h.slice(root.length))).toContain('/jobs/status.json');
      }
    } finally {
      writing = false;
      await churn;
    }
  });
});
