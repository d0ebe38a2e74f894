/**
 * Issue 12 item 6 (printer side): the disk fills up while a sealed job is being opened (smime
 * writes the plaintext to private files as it decrypts). The printer answered 0x0500
 * internal-error; it must answer server-error-temporary-error (RFC 8011 §4.1.6.1: expected to
 * clear, retry later) saying it is out of space, end the job, and leave no half-built files.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CmsError, CmsErrorCode } from '@trustnoone/smime';
import { jobPaths, stateLayout } from '@trustnoone/printer';
import { JOB, OP, printer, send, tempDir } from './support/ipp.js';
import { outerPrintJob, sealJob } from './support/sealed.js';
import { pwgRaster } from './support/documents.js';

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

describe('issue 12.6: a sealed job on a full disk', () => {
  for (const [what, fail] of [
    ['the write fails', () => enospc()],
    ['smime reports the failed write', () => new CmsError(CmsErrorCode.io, 'cannot write the decrypted content', { cause: enospc() })],
  ] as const) {
    it(`${what}: server-error-temporary-error, job aborted, nothing left behind`, async () => {
      const d = await tempDir();
      const p = await printer(d.path, {
        openSealed: async (_job, submission) => {
          for await (const _ of submission.ciphertext) break; // the disk fills up after the first bytes
          throw fail();
        },
      });
      try {
        const { envelope } = await sealJob(p, pwgRaster({ pages: 1 }));
        const r = await send(p.app, outerPrintJob(), envelope);
        expect(r.status.toString(16)).toBe('505');
        expect(String(r.value(OP, 'status-message'))).toMatch(/out of space/);
        const id = r.value(JOB, 'job-id') as number;
        expect(id).toBeGreaterThan(0);
        const job = await p.runtime.store.whenFinalized(id, 5000);
        expect(job.state).toBe('aborted');
        expect((await readdir(jobPaths(stateLayout(d.path), id).dir)).sort()).toEqual(['manifest.json']);
      } finally {
        await p.close();
        await d.remove();
      }
    });
  }
});
