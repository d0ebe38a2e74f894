/**
 * Secure PIN release (docs/spec-notes.md §2 "Secure PIN release", docs/profile.md): a sealed job whose
 * document is itself enveloped to a release code (PasswordRecipientInfo, RFC 3211) must wait at
 * the printer, unprinted, until the code is entered at the printer's own panel. The suite cannot
 * reach a panel, so it checks what is visible over IPP: the job is held, never printed, and can
 * be canceled; and a PIN layer that arrives without the envelope to the printer's key is refused.
 * Optional feature: everything here is RECOMMENDED and skips on printers configured without it.
 */
import { randomInt } from 'node:crypto';
import { getInteger, getStrings } from '@trustnoone/ipp';
import { sealToBytes } from '@trustnoone/smime';
import type { TestContext } from '../context.js';
import { expectStatus } from '../expect.js';
import { attr, val } from '../ipp-builders.js';
import { ConformanceFailure, defineSuite, defineTest } from '../model.js';
import { expectSealedRefusal, innerPlaintext, sealJob, secretName, submitSealed } from '../sealed.js';
import { PRINTER, jobIdOf, printableRaster } from './shared.js';

const SECTION = 'docs/spec-notes.md §2 (Secure PIN release), PWG 5100.11 job-password-wait';
const PENDING_HELD = 4;
const HOLD_REASON = 'job-password-wait';

/** The configured repertoire, or a skip when the printer does not offer PIN release. */
async function releaseRepertoire(t: TestContext): Promise<string> {
  const configured = (await t.printerStrings('printer-pkcs7-repertoire-configured'))[0];
  if (configured === undefined || configured === 'none') t.skip(`printer-pkcs7-repertoire-configured is ${configured ?? 'absent'}: PIN release not offered`);
  return configured;
}

/** Eight random digits fit every job-password repertoire that accepts digits, which all 'any' ones do. */
function releaseCode(repertoire: string): string {
  if (/letters$/.test(repertoire)) return Array.from({ length: 8 }, () => String.fromCharCode(0x61 + randomInt(26))).join('');
  return Array.from({ length: 8 }, () => String(randomInt(10))).join('');
}

/** Polls until the job is held (or ends, or the time runs out): the state the test judges. */
async function settle(t: TestContext, jobId: number): Promise<{ state: number | undefined; reasons: string[]; impressions: number | undefined }> {
  const deadline = Date.now() + (t.options.jobTimeoutMs ?? 30_000);
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const m = await t.jobAttributes(jobId);
    const state = getInteger(m, 'job', 'job-state');
    const reasons = getStrings(m, 'job', 'job-state-reasons');
    const impressions = getInteger(m, 'job', 'job-impressions-completed');
    if (state === PENDING_HELD && reasons.includes(HOLD_REASON)) return { state, reasons, impressions };
    if ((state !== undefined && state >= 7) || Date.now() > deadline) return { state, reasons, impressions };
    await new Promise((r) => setTimeout(r, delay));
  }
}

async function submitBehindCode(t: TestContext, label: string): Promise<{ jobId: number; secret: string }> {
  const code = releaseCode(await releaseRepertoire(t));
  const secret = secretName(label);
  const pinLayer = await sealToBytes(await printableRaster(t), { recipients: [{ password: code }] });
  const { message } = await submitSealed(t, await sealJob(t, { document: pinLayer, jobName: secret, documentFormat: 'image/pwg-raster' }));
  expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
  return { jobId: jobIdOf(message), secret };
}

export const trustnooneRelease = defineSuite({
  id: 'trustnoone-release',
  title: 'TRUSTNOONE secure PIN release',
  spec: 'PWG IPP Encrypted Jobs and Documents (TRUSTNOONE) with the docs/spec-notes.md profile; PWG 5100.11',
  tests: [
    defineTest({
      id: 'trustnoone-release.held-until-code',
      title: 'a sealed job behind a release code is held (pending-held, job-password-wait) and prints nothing',
      level: 'RECOMMENDED',
      section: SECTION,
      roles: PRINTER,
      requires: ['sealed-print'],
      async run(t) {
        const { jobId } = await submitBehindCode(t, 'release-held');
        const seen = await settle(t, jobId);
        try {
          if (seen.state !== PENDING_HELD || !seen.reasons.includes(HOLD_REASON)) {
            throw new ConformanceFailure(`job ${jobId} is in job-state ${seen.state ?? 'missing'} (${seen.reasons.join(', ') || 'no reasons'}), expected pending-held with ${HOLD_REASON}`);
          }
          if (seen.impressions !== undefined && seen.impressions > 0) throw new ConformanceFailure(`held job ${jobId} reports ${seen.impressions} impressions`);
        } finally {
          await t.send(t.request('Cancel-Job', { target: [attr('job-id', val.integer(jobId))] }));
        }
      },
    }),
    defineTest({
      id: 'trustnoone-release.held-job-cancel',
      title: 'Cancel-Job of a held job ends it canceled, unprinted',
      level: 'RECOMMENDED',
      section: `${SECTION}; RFC 8011 §4.3.3`,
      roles: PRINTER,
      requires: ['sealed-print'],
      async run(t) {
        const { jobId } = await submitBehindCode(t, 'release-cancel');
        const seen = await settle(t, jobId);
        if (seen.state !== PENDING_HELD) t.skip(`job ${jobId} was not held (job-state ${seen.state ?? 'missing'}); see held-until-code`);
        const { message } = await t.send(t.request('Cancel-Job', { target: [attr('job-id', val.integer(jobId))] }));
        expectStatus('successful-ok').of(message);
        const end = await t.waitForJob(jobId);
        if (end.state !== 'canceled') throw new ConformanceFailure(`held job ${jobId} ended ${end.state} after Cancel-Job, expected canceled`);
        if (end.impressions !== undefined && end.impressions > 0) throw new ConformanceFailure(`canceled held job ${jobId} reports ${end.impressions} impressions`);
      },
    }),
    defineTest({
      id: 'trustnoone-release.code-alone-refused',
      title: 'a job enveloped only to a release code (not to the printer key) is refused: a PIN alone never protects a job',
      level: 'RECOMMENDED',
      section: SECTION,
      roles: PRINTER,
      requires: ['sealed-print'],
      async run(t) {
        const code = releaseCode(await releaseRepertoire(t));
        const secret = secretName('release-alone');
        // What the printer would open if it accepted a bare password envelope: a whole inner request.
        const bare = await sealToBytes(innerPlaintext(t, { document: await printableRaster(t), jobName: secret }), { recipients: [{ password: code }] });
        await expectSealedRefusal(t, await submitSealed(t, bare), secret);
      },
    }),
  ],
});
