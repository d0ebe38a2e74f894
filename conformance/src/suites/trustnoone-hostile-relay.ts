/**
 * TRUSTNOONE against a hostile relay (issue 11, docs/threat-model.md): what a hop between client
 * and printer can do with what it sees — close a job early, replay a job its printer has
 * forgotten, read sealed values off progress counters, ask for a job's sealed attributes in its
 * owner's name, and collect false answers after a restart. The suite plays that relay; a printer
 * passes when none of it works. (The SHA-1 KDF downgrade is trustnoone-printer.sha1-kdf.)
 */
import { createIdentity, certificateToPem, open, pemLines } from '@trustnoone/smime';
import { decodeMessage, findGroups, type IppMessage, IppStatus, isSuccessful } from '@trustnoone/ipp';
import { newJobNonce } from '@trustnoone/profile';
import type { TestContext } from '../context.js';
import { expectStatus, statusNameOf } from '../expect.js';
import { attr, val } from '../ipp-builders.js';
import { ConformanceFailure, defineSuite, defineTest } from '../model.js';
import { expectSealedRefusal, outerCreateJob, sealJob, secretName, sendSealedDocument, submitSealed } from '../sealed.js';
import { PRINTER, jobIdOf, printableRaster } from './shared.js';

const SECTION = 'docs/threat-model.md (issue 11), docs/profile.md';
const COUNTERS = ['job-pages-completed', 'job-impressions-completed', 'job-media-sheets-completed'] as const;
const DAY = 24 * 3600 * 1000;

function encryptedAttributesRequest(t: TestContext, jobId: number, certificatePem: string): IppMessage {
  return t.request('Get-Encrypted-Job-Attributes', {
    target: [attr('job-id', val.integer(jobId))],
    operation: [attr('requested-attributes', val.keyword('job-name'), val.keyword('job-state')), attr('requesting-user-pkcs7-public-key', ...pemLines(certificatePem).map(val.text))],
  });
}

/** The counters a job group answers with numbers (a sealed job must answer none in clear). */
function numericCounters(message: IppMessage): string[] {
  return findGroups(message, 'job').flatMap((g) => g.attributes.filter((a) => (COUNTERS as readonly string[]).includes(a.name) && a.values.some((v) => v.tag === 'integer')).map((a) => a.name));
}

/** A relay asking in the owner's name (the suite's user) with a certificate of its own. */
async function expectStrangerRefused(t: TestContext, jobId: number): Promise<void> {
  const stranger = createIdentity({ commonName: t.user });
  const { message, data } = await t.send(encryptedAttributesRequest(t, jobId, certificateToPem(stranger.certificate)));
  if (isSuccessful(message.code)) throw new ConformanceFailure(`a certificate the job does not name, under the owner's user name, was answered (${statusNameOf(message)})`);
  if (data.length > 0) throw new ConformanceFailure(`the refusal carries ${data.length} bytes of data`);
}

export const trustnooneHostileRelay = defineSuite({
  id: 'trustnoone-hostile-relay',
  title: 'TRUSTNOONE against a hostile relay',
  spec: 'PWG IPP Encrypted Jobs and Documents (TRUSTNOONE) with the docs/profile.md profile',
  tests: [
    defineTest({
      id: 'trustnoone-hostile-relay.truncation-by-close-job',
      title: 'a sealed job closed with Close-Job before its sealed last document is aborted (document-security-error) and prints nothing',
      level: 'REQUIRED',
      section: `${SECTION} §4 step 3 (issue 11.1)`,
      roles: PRINTER,
      requires: ['sealed-print', 'create-job', 'multiple-documents'],
      async run(t) {
        const created = await t.send(outerCreateJob(t));
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(created.message);
        const jobId = jobIdOf(created.message);
        const secret = secretName('truncated-by-close');
        const first = await sealJob(t, { document: await printableRaster(t), jobName: secret, jobUuid: newJobNonce(), part: { number: 1, last: false } });
        expectStatus('successful-ok').of((await sendSealedDocument(t, jobId, first, false)).message);
        const closed = await t.send(t.request('Close-Job', { target: [attr('job-id', val.integer(jobId))] }));
        if (closed.message.code === IppStatus.serverErrorOperationNotSupported) t.skip('Close-Job is not supported (client-error-operation-not-supported)');
        const end = await t.waitForJob(jobId);
        if (end.state === 'completed') throw new ConformanceFailure(`job ${jobId} completed with only its first document: Close-Job cut it short`);
        if (end.impressions !== undefined && end.impressions > 0) throw new ConformanceFailure(`job ${jobId} printed ${end.impressions} impressions of a truncated job`);
        if (!end.reasons.includes('document-security-error')) throw new ConformanceFailure(`job ${jobId} ended ${end.state} (${end.reasons.join(', ')}) without document-security-error`);
      },
    }),
    defineTest({
      id: 'trustnoone-hostile-relay.undated-or-stale-job',
      title: 'a sealed job dated two years ago, or without date-time-at-creation, is refused: its printer may have forgotten it',
      level: 'REQUIRED',
      section: `${SECTION} §4 BINDING_OUTSIDE_REPLAY_WINDOW (issue 11.2)`,
      roles: PRINTER,
      requires: ['sealed-print'],
      async run(t) {
        const stale = secretName('stale');
        await expectSealedRefusal(t, await submitSealed(t, await sealJob(t, { document: await printableRaster(t), jobName: stale, createdAt: new Date(Date.now() - 730 * DAY) })), stale);
        const undated = secretName('undated');
        await expectSealedRefusal(t, await submitSealed(t, await sealJob(t, { document: await printableRaster(t), jobName: undated, createdAt: null })), undated);
      },
    }),
    defineTest({
      id: 'trustnoone-hostile-relay.counters-not-in-clear',
      title: 'Get-Job-Attributes and Get-Jobs in clear give no page, impression or sheet counts of a sealed job',
      level: 'REQUIRED',
      section: `${SECTION} (issue 11.5; PWG 5100.7 counters, RFC 8011 §5.1.2 unknown)`,
      roles: PRINTER,
      requires: ['sealed-job-id'],
      async run(t) {
        const { jobId } = t.need<{ jobId: number }>('sealed-job');
        const requested = attr('requested-attributes', ...COUNTERS.map(val.keyword), val.keyword('job-id'));
        const one = await t.send(t.request('Get-Job-Attributes', { target: [attr('job-id', val.integer(jobId))], operation: [requested] }));
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(one.message);
        const shown = numericCounters(one.message);
        if (shown.length > 0) throw new ConformanceFailure(`Get-Job-Attributes answers ${shown.join(', ')} of sealed job ${jobId} with numbers`);
        const all = await t.send(t.request('Get-Jobs', { operation: [attr('which-jobs', val.keyword('completed')), requested] }));
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(all.message);
        const listed = findGroups(all.message, 'job').find((g) => g.attributes.some((a) => a.name === 'job-id' && a.values.some((v) => v.tag === 'integer' && v.value === jobId)));
        if (listed && listed.attributes.some((a) => (COUNTERS as readonly string[]).includes(a.name) && a.values.some((v) => v.tag === 'integer'))) {
          throw new ConformanceFailure(`Get-Jobs answers the counters of sealed job ${jobId} with numbers`);
        }
      },
    }),
    defineTest({
      id: 'trustnoone-hostile-relay.unbound-owner',
      title: "a sealed job that binds no owner key answers its sealed attributes to nobody, not to whoever claims the owner's name",
      level: 'REQUIRED',
      section: `${SECTION} §3 "The owner's certificate" (issue 11.9)`,
      roles: PRINTER,
      requires: ['sealed-print', 'get-encrypted-job-attributes'],
      async run(t) {
        const secret = secretName('unbound-owner');
        const { message } = await submitSealed(t, await sealJob(t, { document: await printableRaster(t), jobName: secret }));
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
        const jobId = jobIdOf(message);
        await t.waitForJob(jobId);
        await expectStrangerRefused(t, jobId);
      },
    }),
    defineTest({
      id: 'trustnoone-hostile-relay.sealed-answer-after-restart',
      title: 'after a restart the owner gets the sealed job-name it sealed (or "unavailable"), never another; a stranger gets nothing',
      level: 'REQUIRED',
      section: `${SECTION} §3 "The owner's certificate" (issue 11.8)`,
      roles: PRINTER,
      requires: ['sealed-job-id', 'get-encrypted-job-attributes'],
      async run(t) {
        const restart = t.options.restartTarget;
        if (!restart) t.skip('no restartTarget given: the suite cannot restart the printer');
        const { jobId, secret, ownerPem, ownerKeyPem } = t.need<{ jobId: number; secret: string; ownerPem: string; ownerKeyPem: string }>('sealed-job');
        await restart!();
        await untilServing(t);
        const { message, data } = await t.send(encryptedAttributesRequest(t, jobId, ownerPem));
        if (isSuccessful(message.code)) {
          const opened = await open(data, { privateKey: ownerKeyPem, certificate: ownerPem });
          const name = getStringValue(decodeMessage(opened.plaintext), 'job-name');
          if (name !== secret) throw new ConformanceFailure(`after the restart the sealed answer says job-name "${name}", not the name sealed into job ${jobId}`);
          t.note('the sealed attributes survived the restart');
        } else {
          t.note(`after the restart: ${statusNameOf(message)} (sealed attributes unavailable)`);
        }
        await expectStrangerRefused(t, jobId);
      },
    }),
  ],
});

/** After a restart: Get-Printer-Attributes until the printer answers (30 s at most). */
async function untilServing(t: TestContext): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const { message } = await t.send(t.request('Get-Printer-Attributes'));
      if (isSuccessful(message.code)) return;
    } catch (err) {
      if (Date.now() > deadline) throw new ConformanceFailure(`the printer does not answer after the restart: ${(err as Error).message}`);
    }
    if (Date.now() > deadline) throw new ConformanceFailure('the printer does not answer Get-Printer-Attributes after the restart');
    await new Promise((r) => setTimeout(r, 250));
  }
}

function getStringValue(message: IppMessage, name: string): string | undefined {
  for (const g of findGroups(message, 'job')) {
    const v = g.attributes.find((a) => a.name === name)?.values[0];
    if (v && 'value' in v && typeof v.value === 'string') return v.value;
  }
  return undefined;
}
