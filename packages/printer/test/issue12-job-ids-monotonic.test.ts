/**
 * Issue 12 item 4: job ids are never handed out twice, also across restarts. A job that never
 * received a document (Create-Job only) left nothing on disk, so the next process started its ids
 * below it and a client polling the old id read someone else's job.
 */
import { describe, expect, it } from 'vitest';
import { JOB, Op, a, printer, request, send, tempDir } from './support/ipp.js';

describe('issue 12.4: job ids stay monotonic across printer restarts', () => {
  it('a Create-Job without documents, a restart, then a new job: a higher id', async () => {
    const d = await tempDir();
    try {
      const first = await printer(d.path);
      const ids: number[] = [];
      try {
        for (let i = 0; i < 3; i++) {
          const r = await send(first.app, request(Op.CreateJob, [a.name('job-name', `empty ${i}`)]));
          expect(r.status).toBe(0);
          ids.push(r.value(JOB, 'job-id') as number);
        }
      } finally {
        await first.close();
      }
      const second = await printer(d.path);
      try {
        const r = await send(second.app, request(Op.CreateJob, [a.name('job-name', 'after restart')]));
        expect(r.status).toBe(0);
        const id = r.value(JOB, 'job-id') as number;
        expect(id, `ids before the restart: ${ids.join(', ')}`).toBeGreaterThan(Math.max(...ids));
      } finally {
        await second.close();
      }
    } finally {
      await d.remove();
    }
  });
});
