/**
 * Get-Encrypted-Job-Attributes (0x006A, docs/spec-notes.md §1–2): the job's owner names the job, the
 * attributes it wants and its certificate (requesting-user-pkcs7-public-key, PEM lines). The
 * answer's attributes travel as an application/ipp message sealed to that certificate and signed
 * by the printer, in the response's data; a relay sees only ciphertext. The values include what
 * came from inside the job's envelope (real job-name, copies, media, ...).
 */
import { encodeMessage, GroupTag, type IppAttribute, type IppMessage } from '@trustnoone/ipp';
import type { Job } from '../jobs/job.js';
import type { IppHandler } from '@trustnoone/ipp-http';
import { CmsError, joinPemLines, parseCertificate, sealToBytes, type Certificate } from '@trustnoone/smime';
import { selectJobAttributes, selection } from '../attributes/select.js';
import { charset, mimeType, naturalLanguage } from '../attributes/values.js';
import { jobAttributes } from '../jobs/job-attributes.js';
import { JOB_TEMPLATE_NAMES } from '../jobs/job-template.js';
import type { PrinterRuntime } from '../runtime.js';
import type { KeyStore } from '../secure/key-store.js';
import { findJob } from './job-lookup.js';
import { Refusal } from '../requests/refusal.js';
import { opAttrs, requestingUser } from '../requests/request.js';
import { IppStatus as Status } from '@trustnoone/ipp';

/** A certificate in PEM lines is a few kB; refuse absurd ones before joining them. */
const MAX_PEM_LINES = 200;

function requesterCertificate(lines: readonly string[]): Certificate {
  if (lines.length === 0 || lines.length > MAX_PEM_LINES) throw new Refusal(Status.clientErrorBadRequest, 'requesting-user-pkcs7-public-key is required (PEM lines)');
  try {
    const cert = parseCertificate(joinPemLines(lines));
    if (cert.notAfter.getTime() < Date.now()) throw new Error('expired');
    return cert;
  } catch {
    throw new Refusal(Status.clientErrorAttributesOrValuesNotSupported, 'requesting-user-pkcs7-public-key is not a usable certificate');
  }
}

/**
 * The client's fresh nonce for one Get-Encrypted-Job-Attributes (issue 11.4, docs/decisions.md
 * D9): echoed inside the signed answer, so a relay cannot hand back an answer captured earlier.
 */
export const ANSWER_NONCE = 'encrypted-job-attributes-nonce';
const MIN_NONCE = 16;
const MAX_NONCE = 64;

function requestNonce(a: IppAttribute | undefined): Uint8Array | undefined {
  if (a === undefined) return undefined;
  const v = a.values[0];
  if (a.values.length !== 1 || v?.tag !== 'octetString' || v.value.length < MIN_NONCE || v.value.length > MAX_NONCE) {
    throw new Refusal(Status.clientErrorBadRequest, `${ANSWER_NONCE} must be one octetString of ${MIN_NONCE} to ${MAX_NONCE} bytes`);
  }
  return v.value;
}

/**
 * What binds a sealed answer to its question, inside the signature: the job's sealed nonce (the
 * job-uuid its owner chose and sealed; job-ids differ from hop to hop) and the request's nonce.
 */
function answerBinding(job: Job, nonce: Uint8Array | undefined): IppAttribute[] {
  return [
    ...(job.seal ? [{ name: 'job-uuid', values: [{ tag: 'uri' as const, value: job.seal.jobNonce }] }] : []),
    ...(nonce ? [{ name: ANSWER_NONCE, values: [{ tag: 'octetString' as const, value: nonce }] }] : []),
  ];
}

export function getEncryptedJobAttributes(rt: PrinterRuntime, keys: KeyStore): IppHandler {
  return async (ctx) => {
    const ops = opAttrs(ctx.message);
    const pemAttr = ops.get('requesting-user-pkcs7-public-key');
    const lines = (pemAttr?.values ?? []).map((v) => (v.tag === 'textWithoutLanguage' || v.tag === 'textWithLanguage' ? v.value : ''));
    if (lines.some((l) => l === '')) throw new Refusal(Status.clientErrorBadRequest, 'requesting-user-pkcs7-public-key must be text values');
    const job = findJob(rt, ctx);
    // Only the owner may read what was sealed (docs/spec-notes.md §2).
    if (job.owner !== requestingUser(ctx.user, ctx.message)) throw new Refusal(Status.clientErrorNotAuthorized, 'not the owner of this job');
    const recipient = requesterCertificate(lines);
    // The sealed job named its owner's certificate: only that one may receive the answer, whatever
    // requesting-user-name a relay puts in front of it.
    // A sealed job whose sealed values this printer no longer holds (a restart lost its record) is
    // answered "unavailable", never with the neutral name and defaults as if they were its own
    // (issue 11.8); without the record its owner binding is gone too.
    if (job.sealed && job.seal === undefined) {
      rt.log.info({ jobId: job.id, check: 'sealed-record' }, 'printer: encrypted job attributes unavailable');
      throw new Refusal(Status.clientErrorNotPossible, `the sealed attributes of job ${job.id} are not available on this printer`);
    }
    // A sealed job that named no certificate has no owner anyone can prove: requesting-user-name
    // is whatever a relay says (issue 11.9), so nobody gets its sealed values.
    const bound = job.seal?.ownerFingerprint;
    if (job.sealed && (bound === undefined || recipient.fingerprint !== bound)) {
      const check = bound === undefined ? 'owner-unbound' : 'owner-certificate';
      rt.log.info({ jobId: job.id, check }, 'printer: encrypted job attributes refused: not the certificate the sealed job names');
      throw new Refusal(Status.clientErrorNotAuthorized, 'not the owner of this job');
    }
    const nonce = requestNonce(ops.get(ANSWER_NONCE));
    const sel = selection(ops.keywords('requested-attributes'));
    const attributes = selectJobAttributes(jobAttributes(job, { printerUri: rt.identity.uris[0]!, startedAt: rt.startedAt, revealSealed: true }), JOB_TEMPLATE_NAMES, sel);
    const inner: IppMessage = {
      version: ctx.message.version,
      code: Status.successfulOk,
      requestId: ctx.message.requestId,
      groups: [
        { tag: GroupTag.operation, attributes: [charset('attributes-charset', 'utf-8'), naturalLanguage('attributes-natural-language', 'en'), ...answerBinding(job, nonce)] },
        { tag: GroupTag.job, attributes },
      ],
    };
    let sealed: Uint8Array;
    try {
      sealed = await sealToBytes(encodeMessage(inner), {
        recipients: [recipient],
        signer: { certificate: keys.signer.certificate, privateKey: keys.signer.privateKey },
      });
    } catch (err) {
      // A key that cannot receive an envelope (e.g. Ed25519, which only signs) is the requester's
      // mistake, not the printer's.
      if (err instanceof CmsError && (err.code === 'CMS_UNSUPPORTED' || err.code === 'CMS_BAD_KEY' || err.code === 'CMS_BAD_OPTIONS')) {
        throw new Refusal(
          Status.clientErrorAttributesOrValuesNotSupported,
          'requesting-user-pkcs7-public-key: its key cannot receive an envelope (use RSA, P-256, P-384 or X25519)',
        );
      }
      throw err;
    }
    rt.log.info({ jobId: job.id, recipient: recipient.fingerprint }, 'printer: encrypted job attributes sent');
    return {
      status: Status.successfulOk,
      operationAttributes: [mimeType('document-format', 'application/pkcs7-mime'), mimeType('encrypted-job-request-format', 'application/ipp')],
      data: sealed,
    };
  };
}
