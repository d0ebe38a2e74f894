/**
 * Get-Encrypted-Job-Attributes (docs/spec-notes.md §2, 0x006A): the job's owner sends its certificate; the
 * printer answers with the requested Job attributes as an application/ipp message sealed to that
 * certificate and signed by the printer. The intermediary relays it unread. The answer is accepted
 * only when it opens with the owner's key, its tag verifies, and its signer is the printer key the
 * user trusts (the same decision as for printing) or, for a printer whose key cannot sign, the
 * issuer that verifiably signed that key (answer-signer.ts).
 */
import { randomBytes, timingSafeEqual, X509Certificate } from 'node:crypto';
import { decodeMessage, findGroup, GroupTag, type IppAttribute, type IppMessage } from '@trustnoone/ipp';
import { CmsError, open, pemLines } from '@trustnoone/smime';
import { checkAnswerSigner, type AnswerSigner } from './answer-signer.js';
import { ClientError } from './errors.js';
import { printerInfo } from './print.js';
import { getEncryptedJobAttributesRequest } from './requests.js';
import { sealedJobNonce } from './sealed-jobs.js';
import { resolveStateDir } from './state-dir.js';
import { decideTrust, type TrustDecision } from './trust.js';
import { fingerprintOf, TrustStore } from './trust-store.js';
import { defaultUserName, exchange, newRequestId, type Connection } from './transport.js';

export interface EncryptedJobAttributesOptions {
  /** The job owner's certificate (PEM): the answer is sealed to it. */
  readonly certificate: string;
  /** The owner's private key (PEM or KeyObject). */
  readonly privateKey: string | import('node:crypto').KeyObject;
  /** Default: the Job Template and status attributes a person wants to see. */
  readonly requested?: readonly string[];
  readonly trust?: { readonly store?: TrustStore; readonly stateDir?: string };
  /**
   * The job-uuid sealed into the job (its nonce), which the answer must name. Default: the one
   * recorded when this client printed the job to this URI (sealed-jobs.ts).
   */
  readonly jobNonce?: string;
}

/** The sealed answer is small; anything bigger is refused before it is held in memory. */
const MAX_SEALED_ANSWER = 1024 * 1024;

async function readAll(data: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const c of data) {
    size += c.byteLength;
    if (size > MAX_SEALED_ANSWER) throw new ClientError('CLIENT_SEALED_ANSWER_INVALID', `the sealed answer is larger than ${MAX_SEALED_ANSWER} bytes`);
    parts.push(c);
  }
  return new Uint8Array(Buffer.concat(parts, size));
}

export interface EncryptedJobAttributesResult {
  readonly attributes: readonly IppAttribute[];
  readonly trust: TrustDecision;
  /** Subject of the printer certificate that signed the answer. */
  readonly signer: string;
  /** The trusted certificate itself, or (a key that cannot sign, e.g. X25519) the issuer that signed it. */
  readonly signedBy: AnswerSigner;
  /**
   * True when the answer names the job by the nonce this client sealed into it; false when the
   * client does not know that nonce (it did not print the job), so a relay could have answered
   * for another job of the same owner.
   */
  readonly jobVerified: boolean;
}

/** The answer is encrypted to the owner's certificate: its key must be able to receive (RFC 8551 §2.7). */
function checkRecipientKey(pem: string): void {
  let kind: string | undefined;
  try {
    kind = new X509Certificate(pem).publicKey.asymmetricKeyType;
  } catch (cause) {
    throw new ClientError('CLIENT_BAD_INPUT', 'the owner certificate is not a PEM certificate', { cause });
  }
  if (kind === 'ed25519' || kind === 'ed448' || kind === 'dsa') {
    throw new ClientError('CLIENT_BAD_INPUT', `the owner certificate has an ${kind} key, which can sign but cannot receive the sealed answer; use a P-256, P-384, X25519 or RSA certificate`);
  }
}

/**
 * Issue 11.4: the signed answer must echo this request's fresh nonce (else it is an old answer
 * replayed) and name the job by the nonce sealed into it (else it answers for another job: job-ids
 * change from hop to hop, a relay can redirect the question). Returns whether the job was checked.
 */
function checkAnswerBinding(message: IppMessage, jobId: number, nonce: Uint8Array, expectedJob: string | undefined): boolean {
  const ops = findGroup(message, GroupTag.operation)?.attributes ?? [];
  const echoed = ops.find((a) => a.name === 'encrypted-job-attributes-nonce')?.values;
  const echo = echoed?.length === 1 && echoed[0]!.tag === 'octetString' ? echoed[0]!.value : undefined;
  if (!echo || echo.length !== nonce.length || !timingSafeEqual(echo, nonce)) {
    throw new ClientError('CLIENT_SEALED_ANSWER_INVALID', `the sealed answer for job ${jobId} does not answer this request (its nonce differs); a relay may be replaying an old answer`);
  }
  if (expectedJob === undefined) return false;
  const named = ops.find((a) => a.name === 'job-uuid')?.values;
  const job = named?.length === 1 && named[0]!.tag === 'uri' ? named[0]!.value.toLowerCase() : undefined;
  if (job !== expectedJob) {
    throw new ClientError('CLIENT_SEALED_ANSWER_INVALID', `the sealed answer is not for job ${jobId} (it names another sealed job); a relay may have swapped the answer`);
  }
  return true;
}

export async function encryptedJobAttributes(conn: Connection, jobId: number, options: EncryptedJobAttributesOptions): Promise<EncryptedJobAttributesResult> {
  checkRecipientKey(options.certificate);
  const userName = conn.userName ?? defaultUserName();
  const info = await printerInfo({ ...conn, userName });
  if (!info.trustnoone || !info.printerUuid || !info.certificatePem) {
    throw new ClientError('CLIENT_NOT_TRUSTNOONE', `${conn.printer} does not support encrypted printing (TRUSTNOONE), so it has no encrypted job attributes`);
  }
  // Only a key the user already trusts may sign the answer: never trust on first use here.
  const store = options.trust?.store ?? new TrustStore(options.trust?.stateDir ?? resolveStateDir());
  const trust = await decideTrust(conn.printer, info.printerUuid, info.certificatePem, { store, firstUse: 'refuse' });
  const requested = options.requested ?? ['job-name', 'document-name-supplied', 'copies', 'media', 'media-col', 'sides', 'print-color-mode', 'print-quality', 'job-state', 'job-state-reasons', 'job-impressions-completed', 'job-media-sheets-completed', 'job-pages-completed'];
  const stateDir = store.dir;
  const expectedJob = options.jobNonce?.toLowerCase() ?? (await sealedJobNonce(stateDir, conn.printer, jobId));
  const nonce = new Uint8Array(randomBytes(32));
  const req = getEncryptedJobAttributesRequest({ printerUri: conn.printer, requestId: newRequestId(), userName }, jobId, requested, pemLines(options.certificate), nonce);
  const res = await exchange(conn, req, { keepData: true, what: `Get-Encrypted-Job-Attributes for job ${jobId}` });
  const sealed = await readAll(res.data);
  if (sealed.byteLength === 0) throw new ClientError('CLIENT_SEALED_ANSWER_INVALID', `the printer answered Get-Encrypted-Job-Attributes for job ${jobId} without a sealed answer`);
  let opened;
  try {
    opened = await open(sealed, { privateKey: options.privateKey, certificate: options.certificate, requireSignature: true });
  } catch (cause) {
    const code = cause instanceof CmsError ? cause.code : 'unknown';
    throw new ClientError('CLIENT_SEALED_ANSWER_INVALID', `the sealed answer for job ${jobId} did not open or verify (${code}); it may have been tampered with`, { cause });
  }
  if (!opened.signer) throw new ClientError('CLIENT_SEALED_ANSWER_INVALID', `the answer for job ${jobId} is not signed; a relay may be forging it`);
  const anchors = await store.anchors();
  const signedBy = checkAnswerSigner({
    advertisedPem: info.certificatePem,
    trustedFingerprint: trust.fingerprint,
    signer: opened.signer.certificate,
    anchorFingerprints: anchors.map(fingerprintOf),
  });
  let message;
  try {
    message = decodeMessage(opened.plaintext);
  } catch (cause) {
    throw new ClientError('CLIENT_SEALED_ANSWER_INVALID', `the sealed answer for job ${jobId} is not an IPP message`, { cause });
  }
  const jobVerified = checkAnswerBinding(message, jobId, nonce, expectedJob);
  return { attributes: findGroup(message, GroupTag.job)?.attributes ?? [], trust, signer: opened.signer.subject, signedBy, jobVerified };
}
