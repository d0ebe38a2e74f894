/**
 * TRUSTNOONE at a pass-through intermediary (docs/spec-notes.md §2–3, docs/architecture.md): it relays the
 * printer's key untouched, refuses anything that would travel in clear, cannot show what was
 * sealed, keeps jobs to their owners and survives a client that drops mid-upload.
 */
import { Readable } from 'node:stream';
import { GroupTag, getInteger, getStrings, type IppMessage, IppStatus } from '@trustnoone/ipp';
import { buildOuterRequest } from '@trustnoone/profile';
import { expectClientError, expectStatus, statusNameOf } from '../expect.js';
import { envelopeRegions, flipIn } from '../envelope-regions.js';
import { attr, val } from '../ipp-builders.js';
import { ConformanceFailure, defineSuite, defineTest } from '../model.js';
import type { TestContext } from '../context.js';
import { advertisedCertificate, outerPrintJob, sealJob, secretName, submitSealed } from '../sealed.js';
import { INTERMEDIARY, isSuccess, jobIdOf, printableRaster } from './shared.js';

const SPEC = 'docs/spec-notes.md';

async function directAttributes(t: TestContext): Promise<IppMessage> {
  const { message } = await t.send(t.request('Get-Printer-Attributes', { printerUri: t.options.printerDirect! }), { to: 'direct' });
  expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
  return message;
}

/** Job ids the user can see with Get-Jobs which-jobs=all, with their states. */
async function jobsOf(t: TestContext): Promise<Map<number, number>> {
  const { message } = await t.send(
    t.request('Get-Jobs', { operation: [attr('which-jobs', val.keyword('all')), attr('my-jobs', val.boolean(true)), attr('requested-attributes', val.keyword('job-id'), val.keyword('job-state'))] }),
  );
  const out = new Map<number, number>();
  for (const g of message.groups.filter((x) => x.tag === GroupTag.job)) {
    const id = g.attributes.find((a) => a.name === 'job-id')?.values[0];
    const state = g.attributes.find((a) => a.name === 'job-state')?.values[0];
    if (id?.tag === 'integer') out.set(id.value, state?.tag === 'enum' ? state.value : 0);
  }
  return out;
}

export const trustnooneIntermediary = defineSuite({
  id: 'trustnoone-intermediary',
  title: 'TRUSTNOONE intermediary',
  spec: 'PWG IPP Encrypted Jobs and Documents (TRUSTNOONE) with the docs/spec-notes.md profile',
  tests: [
    defineTest({
      id: 'trustnoone-intermediary.relays-public-key',
      title: 'printer-pkcs7-public-key is relayed byte for byte as the printer advertises it',
      level: 'REQUIRED',
      section: `${SPEC} §3`,
      roles: INTERMEDIARY,
      requires: ['trustnoone', 'printer-direct'],
      async run(t) {
        const relayed = await advertisedCertificate(t, 'target');
        const direct = await advertisedCertificate(t, 'direct');
        if (relayed.lines.length !== direct.lines.length || relayed.lines.some((l, i) => l !== direct.lines[i])) {
          throw new ConformanceFailure(`relayed certificate SHA-256 ${relayed.certificate.fingerprint} differs from the printer's ${direct.certificate.fingerprint}: a substituted key`);
        }
        t.note(`certificate SHA-256 ${direct.certificate.fingerprint}`);
      },
    }),
    defineTest({
      id: 'trustnoone-intermediary.relays-printer-uuid',
      title: 'printer-uuid is the printer’s own (sealed jobs bind to it)',
      level: 'REQUIRED',
      section: `${SPEC} §2`,
      roles: INTERMEDIARY,
      requires: ['printer-uuid', 'printer-direct'],
      async run(t) {
        const relayed = getStrings(await t.printerAttributes(), 'printer', 'printer-uuid');
        const direct = getStrings(await directAttributes(t), 'printer', 'printer-uuid');
        if (relayed.join() !== direct.join()) throw new ConformanceFailure(`relayed printer-uuid ${relayed.join()} is not the printer's ${direct.join()}`);
      },
    }),
    defineTest({
      id: 'trustnoone-intermediary.refuses-cleartext-document',
      title: 'a cleartext Print-Job is refused without creating a job (end-to-end policy)',
      level: 'REQUIRED',
      section: `${SPEC} §2`,
      roles: INTERMEDIARY,
      requires: ['ipp'],
      async run(t) {
        const { message } = await t.send(
          t.request('Print-Job', { operation: [attr('job-name', val.name(secretName('cleartext'))), attr('document-format', val.mime('image/pwg-raster'))] }),
          { data: await printableRaster(t) },
        );
        expectClientError().of(message);
        if (getInteger(message, 'job', 'job-id') !== undefined) throw new ConformanceFailure('the refusal names a job-id: a job was created');
        t.note(`refused with ${statusNameOf(message)}`);
      },
    }),
    defineTest({
      id: 'trustnoone-intermediary.refuses-cleartext-job-template',
      title: 'a sealed Print-Job with a Job Template attribute in clear (copies) is refused',
      level: 'REQUIRED',
      section: `${SPEC} §2`,
      roles: INTERMEDIARY,
      requires: ['printer-key', 'printer-uuid'],
      async run(t) {
        const envelope = await sealJob(t, { document: await printableRaster(t), jobName: secretName('clear-template') });
        const outer = outerPrintJob(t);
        const withCopies: IppMessage = { ...outer, groups: [...outer.groups, { tag: GroupTag.job, attributes: [attr('copies', val.integer(2))] }] };
        const { message } = await t.send(withCopies, { data: envelope });
        expectClientError().of(message);
        if (getInteger(message, 'job', 'job-id') !== undefined) throw new ConformanceFailure('the refusal names a job-id: a job was created');
      },
    }),
    defineTest({
      id: 'trustnoone-intermediary.relays-security-reason',
      title: "a refused envelope's job shows document-security-error through the intermediary",
      level: 'RECOMMENDED',
      section: `${SPEC} §2`,
      roles: INTERMEDIARY,
      requires: ['sealed-print'],
      async run(t) {
        const envelope = await sealJob(t, { document: await printableRaster(t), jobName: secretName('reason') });
        const r = envelopeRegions(envelope);
        const { message } = await submitSealed(t, flipIn(envelope, r.ciphertext));
        if (message.code === IppStatus.clientErrorDocumentSecurityError) return;
        const end = await t.waitForJob(jobIdOf(message));
        if (!end.reasons.includes('document-security-error')) throw new ConformanceFailure(`job ended ${end.state} with ${end.reasons.join(', ') || 'no reasons'}`);
      },
    }),
    defineTest({
      id: 'trustnoone-intermediary.job-ownership',
      title: "another user cannot cancel a job; its owner can",
      level: 'REQUIRED',
      section: `${SPEC} §2, RFC 8011 §4.3.3`,
      roles: INTERMEDIARY,
      requires: ['ipp', 'create-job'],
      async run(t) {
        if (!t.canActAsOther) t.skip('--auth was given without --other-auth: the second user cannot authenticate');
        const create = buildOuterRequest({ operation: 'Create-Job', printerUri: t.printerUri, requestId: t.nextRequestId(), requestingUserName: t.user });
        const { message: created } = await t.send(create);
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(created);
        const jobId = jobIdOf(created);
        const cancel = (asOther: boolean) => t.send(t.request('Cancel-Job', { target: [attr('job-id', val.integer(jobId))], asOther }), { asOther });
        const byOther = await cancel(true);
        expectStatus('client-error-not-authorized', 'client-error-forbidden', 'client-error-not-found').of(byOther.message);
        const state = getInteger(await t.jobAttributes(jobId), 'job', 'job-state');
        if (state === 7) throw new ConformanceFailure('the job was canceled by a user who does not own it');
        expectStatus('successful-ok').of((await cancel(false)).message);
      },
    }),
    defineTest({
      id: 'trustnoone-intermediary.client-disconnects-mid-upload',
      title: 'a client that disconnects mid-upload leaves no job that prints, and the intermediary keeps serving',
      level: 'REQUIRED',
      section: `${SPEC} §2, docs/architecture.md (atomic spool)`,
      roles: INTERMEDIARY,
      requires: ['sealed-print'],
      async run(t) {
        const before = await jobsOf(t);
        const envelope = await sealJob(t, { document: await printableRaster(t), jobName: secretName('disconnect') });
        const half = envelope.subarray(0, Math.floor(envelope.length / 2));
        const body = new Readable({ read() {} });
        body.push(Buffer.from(half));
        const sent = t.send(outerPrintJob(t), { data: body });
        // Let the first half reach the server, then drop the connection.
        await new Promise((r) => setTimeout(r, 300));
        body.destroy(new Error('client went away'));
        const result = await sent.then(
          (x) => `answered ${statusNameOf(x.message)}`,
          (err: unknown) => `failed: ${(err as Error).message}`,
        );
        t.note(`interrupted upload ${result}`);
        await new Promise((r) => setTimeout(r, 500));
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of((await t.send(t.request('Get-Printer-Attributes'))).message);
        for (const [id, state] of await jobsOf(t)) {
          if (!before.has(id) && state === 9) throw new ConformanceFailure(`job ${id} from the interrupted upload completed`);
        }
        const { message } = await submitSealed(t, await sealJob(t, { document: await printableRaster(t), jobName: secretName('after-disconnect') }));
        if (!isSuccess(message)) throw new ConformanceFailure(`a sealed job after the disconnect was answered ${statusNameOf(message)}`);
        const end = await t.waitForJob(jobIdOf(message));
        if (end.state !== 'completed') throw new ConformanceFailure(`the sealed job after the disconnect ended ${end.state}`);
      },
    }),
  ],
});
