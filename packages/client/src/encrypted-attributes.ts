/**
 * Get-Encrypted-Job-Attributes (docs/spec-notes.md §2, 0x006A): the job's owner sends its certificate; the
 * printer answers with the requested Job attributes as an application/ipp message sealed to that
 * certificate and signed by the printer. The intermediary relays it unread. The answer is accepted
 * only when it opens with the owner's key, its tag verifies, and its signer is the printer key the
 * user trusts (the same decision as for printing) or, for a printer whose key cannot sign, the
 * issuer that verifiably signed that key (answer-signer.ts).
 */
import { X509Certificate } from 'node:crypto';
import { decodeMessage, findGroup, GroupTag, type IppAttribute } from '@trustnoone/ipp';
import { CmsError, open, pemLines } from '@trustnoone/smime';
import { checkAnswerSigner, type AnswerSigner } from './answer-signer.js';
import { ClientError } from './errors.js';
import { printerInfo } from './print.js';
import { getEncryptedJobAttributesRequest } from './requests.js';
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
  const requested = options.requested ?? ['job-name', 'document-name-supplied', 'copies', 'media', 'media-col', 'sides', 'print-color-mode', 'print-quality', 'job-state', 'job-state-reasons'];
  const req = getEncryptedJobAttributesRequest({ printerUri: conn.printer, requestId: newRequestId(), userName }, jobId, requested, pemLines(options.certificate));
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
  return { attributes: findGroup(message, GroupTag.job)?.attributes ?? [], trust, signer: opened.signer.subject, signedBy };
}
