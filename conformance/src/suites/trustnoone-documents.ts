/**
 * Sealed multi-document jobs (docs/spec-notes.md §2, PWG 5100.5): Create-Job in clear, then one sealed
 * Send-Document per document, each carrying the job's nonce (job-uuid) and its document-number.
 * The binding must stop documents being spliced in from another job or reordered. A printer
 * without multiple-document jobs (RFC 8011 §5.4.16) still gets the ordering test: its one document
 * must be document 1.
 */
import { IppStatus, isSuccessful } from '@trustnoone/ipp';
import { newJobNonce } from '@trustnoone/profile';
import type { Exchange, TestContext } from '../context.js';
import { expectStatus, statusNameOf } from '../expect.js';
import { ConformanceFailure, defineSuite, defineTest } from '../model.js';
import { outerCreateJob, sealJob, secretName, sendSealedDocument } from '../sealed.js';
import { BOTH, jobIdOf, printableRaster } from './shared.js';

const SECTION = 'docs/spec-notes.md §2 (document-number, job-uuid), PWG 5100.5';

async function createSealedJob(t: TestContext): Promise<number> {
  const { message } = await t.send(outerCreateJob(t));
  expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
  return jobIdOf(message);
}

async function sealedDocument(t: TestContext, jobUuid: string, number: number, last: boolean, secret: string): Promise<Uint8Array> {
  return sealJob(t, { document: await printableRaster(t), jobName: secret, jobUuid, part: { number, last } });
}

/**
 * A refused document: its Send-Document is answered client-error-document-security-error, or
 * accepted and the job then ends without completing. The refused document prints nothing, so the
 * job shows at most the impressions of the documents before it.
 */
async function expectDocumentRefused(t: TestContext, jobId: number, response: Exchange, impressionsBefore: number): Promise<void> {
  const m = response.message;
  if (m.code === IppStatus.clientErrorDocumentSecurityError) t.note('refused with client-error-document-security-error');
  else if (!isSuccessful(m.code)) throw new ConformanceFailure(`expected client-error-document-security-error (or an accepted document whose job aborts), got ${statusNameOf(m)}`);
  let end;
  try {
    end = await t.waitForJob(jobId, 15_000);
  } catch {
    // A job left waiting for a valid last document is not printing the refused one; end it.
    await t.send(t.request('Cancel-Job', { target: [{ name: 'job-id', values: [{ tag: 'integer', value: jobId }] }] }));
    end = await t.waitForJob(jobId);
  }
  if (end.state === 'completed') throw new ConformanceFailure(`job ${jobId} completed with the refused document`);
  if (end.impressions !== undefined && end.impressions > impressionsBefore) throw new ConformanceFailure(`job ${jobId} printed ${end.impressions} impressions, more than the ${impressionsBefore} of the documents before the refused one`);
  if (t.role === 'printer' && m.code !== IppStatus.clientErrorDocumentSecurityError && !end.reasons.includes('document-security-error')) {
    throw new ConformanceFailure(`job ${jobId} ended ${end.state} (${end.reasons.join(', ')}) without document-security-error`);
  }
}

/** What every test of this suite is: REQUIRED, of the same section, for printers and intermediaries. */
const EVERY_TEST = { level: 'REQUIRED', section: SECTION, roles: BOTH } as const;

export const trustnooneDocuments = defineSuite({
  id: 'trustnoone-documents',
  title: 'TRUSTNOONE multi-document jobs',
  spec: 'PWG IPP Encrypted Jobs and Documents (TRUSTNOONE) with the docs/spec-notes.md profile',
  tests: [
    defineTest({
      id: 'trustnoone-documents.two-documents',
      title: 'Create-Job then two sealed Send-Documents (numbers 1 and 2, one job-uuid) completes with both documents printed',
      ...EVERY_TEST,
      requires: ['sealed-print', 'create-job', 'multiple-documents'],
      async run(t) {
        const jobId = await createSealedJob(t);
        const nonce = newJobNonce();
        const secret = secretName('multi');
        expectStatus('successful-ok').of((await sendSealedDocument(t, jobId, await sealedDocument(t, nonce, 1, false, secret), false)).message);
        expectStatus('successful-ok').of((await sendSealedDocument(t, jobId, await sealedDocument(t, nonce, 2, true, secret), true)).message);
        const end = await t.waitForJob(jobId);
        if (end.state !== 'completed') throw new ConformanceFailure(`job ${jobId} ended ${end.state} (${end.reasons.join(', ')})`);
        if (end.impressions !== undefined && end.impressions !== 2) throw new ConformanceFailure(`job-impressions-completed is ${end.impressions}, expected 2`);
      },
    }),
    defineTest({
      id: 'trustnoone-documents.spliced',
      title: "a second document sealed with another job's nonce is refused and does not print",
      ...EVERY_TEST,
      requires: ['sealed-print', 'create-job', 'multiple-documents'],
      async run(t) {
        const jobId = await createSealedJob(t);
        const secret = secretName('spliced');
        expectStatus('successful-ok').of((await sendSealedDocument(t, jobId, await sealedDocument(t, newJobNonce(), 1, false, secret), false)).message);
        const response = await sendSealedDocument(t, jobId, await sealedDocument(t, newJobNonce(), 2, true, secret), true);
        await expectDocumentRefused(t, jobId, response, 1);
      },
    }),
    defineTest({
      id: 'trustnoone-documents.out-of-order',
      title: 'a job whose first sealed document says document-number 2 is refused and prints nothing',
      ...EVERY_TEST,
      requires: ['sealed-print', 'create-job'],
      async run(t) {
        const jobId = await createSealedJob(t);
        const response = await sendSealedDocument(t, jobId, await sealedDocument(t, newJobNonce(), 2, true, secretName('order')), true);
        await expectDocumentRefused(t, jobId, response, 0);
      },
    }),
  ],
});
