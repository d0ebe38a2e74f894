/**
 * RFC 8011 §4.2–4.3 job operations with a one-page PWG Raster document: Print-Job, Validate-Job,
 * Create-Job + Send-Document, Get-Job-Attributes, Get-Jobs and Cancel-Job, and the Job
 * Description attributes of §5.3 a Printer MUST return.
 */
import { getInteger, getStrings, type IppMessage } from '@trustnoone/ipp';
import type { TestContext } from '../context.js';
import { expectAttribute, expectStatus, statusNameOf } from '../expect.js';
import { attr, val } from '../ipp-builders.js';
import { ConformanceFailure, defineSuite, defineTest } from '../model.js';
import { BOTH, isSuccess, jobIdOf, printableRaster } from './shared.js';

const RASTER = 'image/pwg-raster';

/** Sends a cleartext Print-Job; a target that refuses cleartext by policy makes the test skip. */
async function printRaster(t: TestContext, jobName: string): Promise<IppMessage> {
  const data = await printableRaster(t);
  const { message } = await t.send(
    t.request('Print-Job', { operation: [attr('job-name', val.name(jobName)), attr('document-format', val.mime(RASTER))] }),
    { data },
  );
  if (!isSuccess(message) && (await t.printerStrings('document-format-supported')).includes('application/pkcs7-mime')) {
    t.provide('requires-encryption');
    t.skip(`the target refuses cleartext jobs (${statusNameOf(message)}): an end-to-end encryption policy`);
  }
  return message;
}

function expectJobCreated(response: IppMessage): number {
  expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(response);
  expectAttribute('job-id').inGroup('job').ofSyntax('integer(1:MAX)').in(response);
  expectAttribute('job-uri').inGroup('job').ofSyntax('uri').in(response);
  expectAttribute('job-state').inGroup('job').ofSyntax('enum').where('a job state 3..9', (a) => a.values.every((v) => v.tag === 'enum' && v.value >= 3 && v.value <= 9)).in(response);
  expectAttribute('job-state-reasons').inGroup('job').ofSyntax('1setOf keyword').in(response);
  return jobIdOf(response);
}

export const rfc8011Jobs = defineSuite({
  id: 'rfc8011-jobs',
  title: 'Job operations',
  spec: 'RFC 8011',
  tests: [
    defineTest({
      id: 'rfc8011-jobs.validate-job',
      title: 'Validate-Job accepts a supported document-format',
      level: 'REQUIRED',
      section: '§4.2.3',
      roles: BOTH,
      requires: ['validate-job', 'pwg-raster'],
      async run(t) {
        const { message } = await t.send(t.request('Validate-Job', { operation: [attr('document-format', val.mime(RASTER))] }));
        if (!isSuccess(message) && (await t.printerStrings('document-format-supported')).includes('application/pkcs7-mime')) {
          // Whether the refusal agrees with what the target advertises is trustnoone-printer.cleartext-policy's question.
          t.skip(`the target refuses cleartext jobs (${statusNameOf(message)}): an end-to-end encryption policy`);
        }
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
      },
    }),
    defineTest({
      id: 'rfc8011-jobs.print-job',
      provides: ['jobs', 'requires-encryption'],
      title: 'Print-Job of a one-page PWG Raster document creates a job that completes',
      level: 'REQUIRED',
      section: '§4.2.1, §5.3.7',
      roles: BOTH,
      requires: ['print-job', 'pwg-raster'],
      async run(t) {
        const jobId = expectJobCreated(await printRaster(t, 'conformance print-job'));
        t.remember('cleartext-job-id', jobId);
        t.provide('jobs');
        const end = await t.waitForJob(jobId);
        if (end.state !== 'completed') throw new ConformanceFailure(`job ${jobId} ended ${end.state} (${end.reasons.join(', ')})`);
        if (end.impressions !== undefined) t.note(`job-impressions-completed ${end.impressions}`);
      },
    }),
    defineTest({
      id: 'rfc8011-jobs.get-job-attributes',
      title: 'Get-Job-Attributes returns the required Job Description attributes',
      level: 'REQUIRED',
      section: '§4.3.4, §5.3',
      roles: BOTH,
      requires: ['jobs'],
      async run(t) {
        const jobId = t.need<number>('cleartext-job-id');
        const message = await t.jobAttributes(jobId, { requested: ['all'] });
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
        expectAttribute('job-id').inGroup('job').ofSyntax('integer(1:MAX)').withValue(jobId).in(message);
        expectAttribute('job-uri').inGroup('job').ofSyntax('uri').in(message);
        expectAttribute('job-printer-uri').inGroup('job').ofSyntax('uri').in(message);
        expectAttribute('job-name').inGroup('job').ofSyntax('name(MAX)').in(message);
        expectAttribute('job-originating-user-name').inGroup('job').ofSyntax('name(MAX)').in(message);
        expectAttribute('job-state').inGroup('job').ofSyntax('enum').withValue(9).in(message);
        expectAttribute('job-state-reasons').inGroup('job').ofSyntax('1setOf keyword').in(message);
        expectAttribute('job-printer-up-time').inGroup('job').ofSyntax('integer(1:MAX)').in(message);
        expectAttribute('time-at-creation').inGroup('job').ofSyntax('integer(MIN:MAX)').in(message);
        expectAttribute('time-at-processing').inGroup('job').ofSyntax('integer(MIN:MAX) | no-value').in(message);
        expectAttribute('time-at-completed').inGroup('job').ofSyntax('integer(MIN:MAX) | no-value').in(message);
      },
    }),
    defineTest({
      id: 'rfc8011-jobs.get-job-attributes-not-found',
      title: 'Get-Job-Attributes for a job that does not exist is answered not-found',
      level: 'REQUIRED',
      section: '§4.3.4, §13.1.4.4',
      roles: BOTH,
      requires: ['ipp'],
      async run(t) {
        expectStatus('client-error-not-found').of(await t.jobAttributes(0x7ffffff0));
      },
    }),
    defineTest({
      id: 'rfc8011-jobs.get-jobs',
      title: "Get-Jobs which-jobs=completed lists the completed job",
      level: 'REQUIRED',
      section: '§4.2.6',
      roles: BOTH,
      requires: ['jobs'],
      async run(t) {
        const jobId = t.need<number>('cleartext-job-id');
        const { message } = await t.send(
          t.request('Get-Jobs', { operation: [attr('which-jobs', val.keyword('completed')), attr('requested-attributes', val.keyword('job-id'), val.keyword('job-state'))] }),
        );
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
        const ids = message.groups.filter((g) => g.tag === 0x02).map((g) => g.attributes.find((a) => a.name === 'job-id')?.values[0]);
        if (!ids.some((v) => v?.tag === 'integer' && v.value === jobId)) throw new ConformanceFailure(`job ${jobId} is not among the ${ids.length} completed jobs listed`);
      },
    }),
    defineTest({
      id: 'rfc8011-jobs.create-job-send-document',
      title: 'Create-Job then Send-Document (last-document true) creates a job that completes',
      level: 'REQUIRED',
      section: '§4.2.4, §4.3.1',
      roles: BOTH,
      requires: ['create-job', 'pwg-raster', 'jobs'],
      async run(t) {
        const created = await t.send(t.request('Create-Job', { operation: [attr('job-name', val.name('conformance create-job'))] }));
        const jobId = expectJobCreated(created.message);
        const { message } = await t.send(
          t.request('Send-Document', {
            target: [attr('job-id', val.integer(jobId))],
            operation: [attr('document-format', val.mime(RASTER)), attr('last-document', val.boolean(true))],
          }),
          { data: await printableRaster(t) },
        );
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
        const end = await t.waitForJob(jobId);
        if (end.state !== 'completed') throw new ConformanceFailure(`job ${jobId} ended ${end.state} (${end.reasons.join(', ')})`);
      },
    }),
    defineTest({
      id: 'rfc8011-jobs.cancel-job',
      title: 'Cancel-Job cancels a pending job; cancelling it again is not-possible',
      level: 'REQUIRED',
      section: '§4.3.3, §13.1.4.12',
      roles: BOTH,
      requires: ['create-job', 'jobs'],
      async run(t) {
        const jobId = expectJobCreated((await t.send(t.request('Create-Job', { operation: [attr('job-name', val.name('conformance cancel-job'))] }))).message);
        const cancel = () => t.send(t.request('Cancel-Job', { target: [attr('job-id', val.integer(jobId))] }));
        expectStatus('successful-ok').of((await cancel()).message);
        const state = getInteger(await t.jobAttributes(jobId), 'job', 'job-state');
        if (state !== 7) throw new ConformanceFailure(`job-state after Cancel-Job is ${state ?? 'missing'}, not canceled (7)`);
        expectStatus('client-error-not-possible').of((await cancel()).message);
      },
    }),
    defineTest({
      id: 'rfc8011-jobs.cancel-job-not-found',
      title: 'Cancel-Job for a job that does not exist is answered not-found',
      level: 'REQUIRED',
      section: '§4.3.3',
      roles: BOTH,
      requires: ['ipp'],
      async run(t) {
        expectStatus('client-error-not-found').of((await t.send(t.request('Cancel-Job', { target: [attr('job-id', val.integer(0x7ffffff0))] }))).message);
      },
    }),
    defineTest({
      id: 'rfc8011-jobs.job-state-reasons-completed',
      title: "a completed job's job-state-reasons includes job-completed-successfully",
      level: 'RECOMMENDED',
      section: '§5.3.8',
      roles: BOTH,
      requires: ['jobs'],
      async run(t) {
        const jobId = t.need<number>('cleartext-job-id');
        const reasons = getStrings(await t.jobAttributes(jobId), 'job', 'job-state-reasons');
        if (!reasons.includes('job-completed-successfully')) throw new ConformanceFailure(`job-state-reasons is ${reasons.join(', ') || 'empty'}`);
      },
    }),
  ],
});
