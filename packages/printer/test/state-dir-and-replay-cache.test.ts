/**
 * docs/architecture.md "Data at rest": printer-uuid and key stable across restarts, key file 0600,
 * plaintext a crash left behind removed on start, and the replay cache of docs/spec-notes.md §2 durable.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobPaths, stateLayout } from '@trustnoone/printer';
import { PersistentReplayCache } from '../src/secure/replay-cache.js';
import { cleanJobsOnStart, prepareState } from '../src/state/state-dir.js';
import { a, JOB, Op, printer, request, send, tempDir } from './support/ipp.js';

describe('state directory', () => {
  it('keeps printer-uuid and the printer key across restarts; the key file is 0600', async () => {
    const d = await tempDir();
    try {
      const first = await printer(d.path);
      const uuid = first.uuid;
      const fp = first.keys.fingerprint;
      await first.close();
      const st = await stat(first.keys.keyFile);
      expect(st.mode & 0o777).toBe(0o600);
      const second = await printer(d.path);
      expect(second.uuid).toBe(uuid);
      expect(second.keys.fingerprint).toBe(fp);
      await second.close();
    } finally {
      await d.remove();
    }
  });

  it('removes private plaintext and partial spools left by a crash, and never reuses a job id', async () => {
    const d = await tempDir();
    try {
      const layout = stateLayout(d.path);
      await prepareState(layout);
      const paths = jobPaths(layout, 7);
      await mkdir(paths.private, { recursive: true });
      await writeFile(join(paths.private, 'document'), 'secret plaintext');
      await mkdir(paths.spool, { recursive: true });
      await writeFile(join(paths.spool, 'document.p7m'), 'ciphertext');
      await mkdir(paths.pages, { recursive: true });
      await writeFile(join(paths.pages, '001.png'), 'png');
      const p = await printer(d.path);
      await expect(stat(paths.private)).rejects.toThrow();
      await expect(stat(paths.spool)).rejects.toThrow();
      expect((await stat(join(paths.pages, '001.png'))).isFile()).toBe(true);
      const r = await send(p.app, request(Op.CreateJob));
      expect(r.value(JOB, 'job-id')).toBe(8);
      await send(p.app, request(Op.CancelJob, [a.int('job-id', 8)]));
      await p.close();
    } finally {
      await d.remove();
    }
  });

  it('keeps ended jobs queryable across a restart within the history window', async () => {
    const d = await tempDir();
    try {
      const first = await printer(d.path);
      const r = await send(first.app, request(Op.PrintJob, [a.mime('document-format', 'text/plain'), a.name('job-name', 'kept')], [a.int('copies', 2)]), new TextEncoder().encode('hi\n'));
      const id = r.value(JOB, 'job-id') as number;
      await first.runtime.store.whenFinalized(id);
      await first.close();
      const second = await printer(d.path);
      const g = await send(second.app, request(Op.GetJobAttributes, [a.int('job-id', id)]));
      expect(g.value(JOB, 'job-state')).toBe(9);
      expect(g.value(JOB, 'job-name')).toBe('kept');
      expect(g.value(JOB, 'copies')).toBe(2);
      expect(g.value(JOB, 'job-impressions-completed')).toBe(2);
      const next = await send(second.app, request(Op.CreateJob));
      expect(next.value(JOB, 'job-id')).toBe(id + 1);
      await send(second.app, request(Op.CancelJob, [a.int('job-id', id + 1)]));
      await second.close();
      const third = await printer(d.path, { jobHistoryMs: 0 });
      expect((await send(third.app, request(Op.GetJobAttributes, [a.int('job-id', id)]))).status).toBe(0x0406);
      await third.close();
    } finally {
      await d.remove();
    }
  });

  it('cleanJobsOnStart ignores entries that are not job directories', async () => {
    const d = await tempDir();
    try {
      const layout = stateLayout(d.path);
      await prepareState(layout);
      await writeFile(join(layout.jobs, 'notes.txt'), 'x');
      await mkdir(join(layout.jobs, '0012x'));
      expect((await cleanJobsOnStart(layout)).maxJobId).toBe(0);
    } finally {
      await d.remove();
    }
  });
});

describe('replay cache (docs/spec-notes.md §2)', () => {
  it('accepts a key once, even across a restart', async () => {
    const d = await tempDir();
    try {
      const c1 = await PersistentReplayCache.open(d.path, 60_000);
      expect(await c1.remember('urn:uuid:p urn:uuid:j1')).toBe(true);
      expect(await c1.remember('urn:uuid:p urn:uuid:j1')).toBe(false);
      await c1.close();
      const c2 = await PersistentReplayCache.open(d.path, 60_000);
      expect(await c2.remember('urn:uuid:p urn:uuid:j1')).toBe(false);
      expect(await c2.remember('urn:uuid:p urn:uuid:j2')).toBe(true);
      await c2.close();
    } finally {
      await d.remove();
    }
  });

  it('lets exactly one of many concurrent claims of the same key through', async () => {
    const d = await tempDir();
    try {
      const c = await PersistentReplayCache.open(d.path, 60_000);
      const results = await Promise.all(Array.from({ length: 20 }, () => c.remember('k same')));
      expect(results.filter(Boolean).length).toBe(1);
      await c.close();
    } finally {
      await d.remove();
    }
  });

  it('survives a torn last line and drops expired entries', async () => {
    const d = await tempDir();
    try {
      const old = Date.now() - 10_000;
      await writeFile(join(d.path, 'seen.log'), `${old} expired-key\n${Date.now()} live-key\n17000000`);
      const c = await PersistentReplayCache.open(d.path, 5_000);
      expect(c.has('live-key')).toBe(true);
      expect(c.has('expired-key')).toBe(false);
      expect(c.size).toBe(1);
      await c.close();
      expect(await readFile(join(d.path, 'seen.log'), 'utf8')).not.toContain('expired-key');
    } finally {
      await d.remove();
    }
  });

  it('round-trips any set of printable keys through the log (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.stringMatching(/^[!-~][ -~]{0,40}$/), { maxLength: 12 }), async (keys) => {
        const d = await tempDir();
        try {
          const c = await PersistentReplayCache.open(d.path, 60_000);
          for (const k of keys) expect(await c.remember(k)).toBe(true);
          await c.close();
          const again = await PersistentReplayCache.open(d.path, 60_000);
          for (const k of keys) expect(again.has(k)).toBe(true);
          expect(again.size).toBe(keys.length);
          await again.close();
        } finally {
          await d.remove();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('refuses keys with line breaks', async () => {
    const d = await tempDir();
    try {
      const c = await PersistentReplayCache.open(d.path, 60_000);
      await expect(c.remember('a\nb')).rejects.toThrow(RangeError);
      await c.close();
    } finally {
      await d.remove();
    }
  });
});
