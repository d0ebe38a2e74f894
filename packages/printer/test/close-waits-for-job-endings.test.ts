/**
 * close() returns only when every job ending already under way has reached the disk. A job aborted
 * by multiple-operation-time-out ends in the background (its timer does not belong to a request);
 * close() used to return while that ending was still writing the manifest, so whoever removed the
 * state directory next (an admin's script, a test's clean-up) raced the write and failed with
 * ENOTEMPTY (seen in CI, 2026-12-07).
 */
import { readdir, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { jobPaths } from '@trustnoone/printer';
import { JOB, Op, printer, request, send, tempDir } from './support/ipp.js';

describe('printer close() and background job endings', () => {
  it('has written the manifest of a job aborted by multiple-operation-time-out when close() returns', async () => {
    for (let round = 0; round < 5; round++) {
      const d = await tempDir();
      const q = await printer(d.path, { multipleOperationTimeoutMs: 20 });
      try {
        const id = (await send(q.app, request(Op.CreateJob))).value(JOB, 'job-id') as number;
        await q.runtime.store.waitFor(id, (x) => x.state === 'aborted', 2000);
        await q.close();
        const paths = jobPaths(q.runtime.layout, id);
        expect((await stat(paths.manifest)).isFile()).toBe(true);
        expect((await readdir(paths.dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      } finally {
        await q.close();
        await d.remove();
      }
    }
  });
});
