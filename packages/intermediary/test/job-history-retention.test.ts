/** Job history (RFC 8011 §5.3.7 terminal states): finished jobs stay listed for a while, then go. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobTable } from '../src/jobs.js';
import { sweepHistory } from '../src/retention.js';
import { DirectorySpool } from '../src/spool/dir-spool.js';
import { JobState, type JobStatus, type SpoolJob } from '../src/spool/types.js';

const job = (id: number): SpoolJob => ({
  id,
  uuid: `urn:uuid:00000000-0000-4000-8000-00000000000${id}`,
  owner: 'alice',
  ownerAuthenticated: false,
  createdAt: 0,
  operation: 'print-job',
  attributes: [],
  jobAttributes: [],
  documents: [],
  closed: true,
});

describe('job history retention', () => {
  it('deletes terminal jobs older than the history window and keeps the rest', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tno-history-'));
    const spool = new DirectorySpool({ root });
    await spool.recover();
    const table = new JobTable(spool);
    const states: Array<[number, JobStatus]> = [
      [1, { state: JobState.completed, reasons: ['none'], completedAt: 1_000, forward: { documentsSent: 0 } }],
      [2, { state: JobState.aborted, reasons: ['aborted-by-system'], completedAt: 9_500, forward: { documentsSent: 0 } }],
      [3, { state: JobState.processing, reasons: ['none'], forward: { documentsSent: 0 } }],
    ];
    for (const [id, s] of states) {
      await spool.commitJob(job(id), s, []);
      table.add(job(id), s);
    }
    expect(await sweepHistory(table, 5_000, 10_000)).toEqual([1]);
    expect(table.all().map((e) => e.job.id)).toEqual([2, 3]);
    expect(existsSync(join(root, 'jobs', '1'))).toBe(false);
    expect((await new DirectorySpool({ root }).recover()).map((e) => e.job.id)).toEqual([2, 3]);
  });
});
