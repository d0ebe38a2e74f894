/**
 * Opening a sealed submission (docs/spec-notes.md §2, printer side), in this order:
 *
 *   1. decrypt with smime's openCore while the envelope arrives: the plaintext goes to two private
 *      files (inner attribute section, document; inner-splitter.ts) that nothing reads until
 *      openCore resolves, which it does only after the AES-GCM tag and every signature verified;
 *   2. signature policy: unsigned is accepted unless required; with trust anchors configured a
 *      signature must chain to one of them;
 *   3. parse the inner application/ipp request (codec limits), check its profile structure, then
 *      the binding (operation, printer-uuid, job nonce, document number) and the replay cache;
 *   4. validate the inner request exactly as a cleartext one (validateRequest + checkJobRequest);
 *   5. copy the document bytes after the inner attributes into private/document.
 *
 * Any failure removes private/ entirely before the error propagates: no decrypted byte stays on
 * disk. Security failures carry the exact reason for the local log and a generic one for the wire.
 */
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { IppError, IppOperation, IppStatus, readIppMessage, type IppMessage } from '@trustnoone/ipp';
import { ProfileError, checkBinding, parseInnerRequest, type ReplayCache } from '@trustnoone/profile';
import { CmsError, CmsErrorCode, joinPemLines, openCore, parseCertificate, parseCertificates, type Certificate, type OpenedEnvelope } from '@trustnoone/smime';
import type { Readable } from 'node:stream';
import * as cap from '../attributes/capabilities.js';
import { checkJobRequest } from '../requests/job-request.js';
import { Refusal } from '../requests/refusal.js';
import { checkRequest } from '../requests/request-checks.js';
import { sniffFormat } from '../pipeline/sniff.js';
import { spoolToFile } from '../pipeline/spool.js';
import type { OpenedDocument, SealedOpener, SealedSubmission } from '../runtime.js';
import { jobPaths, type StateLayout } from '../state/state-dir.js';
import type { Job } from '../jobs/job.js';
import type { KeyStore } from './key-store.js';
import { InnerSplitter, type SplitResult } from './inner-splitter.js';
import { startsWithPinLayer } from './pin-layer.js';
import { SecurityFailure, type SecurityCheck } from './security-failure.js';

export interface SealedOpenerOptions {
  /** The state directory: a job's private/ area receives the plaintext. */
  readonly layout: StateLayout;
  /** printer-uuid without urn:uuid:, which the inner request must name (the binding). */
  readonly printerUuid: string;
  /** The largest document once unpacked (a document compressed inside the envelope). */
  readonly maxDocumentBytes: number;
  readonly keys: KeyStore;
  readonly replay: ReplayCache;
  readonly requireSignature: boolean;
  readonly trustAnchorsPem: readonly string[];
  /** Accept an inner document enveloped to a release code (secure PIN release). */
  readonly pinRelease: boolean;
  /**
   * How long the replay cache remembers a job (ms): a job dated earlier than that (less the clock
   * skew allowed) is refused, as the cache can no longer tell whether it is a replay (issue 11.2).
   */
  readonly replayRetentionMs: number;
  /** Accept ECDH with the SHA-1 KDF (OpenSSL's default); refused unless configured (issue 11.6). */
  readonly allowSha1Kdf?: boolean;
}

/**
 * How far a client's clock may run ahead of the printer's. A job dated ahead is remembered by the
 * cache from its arrival, so the oldest accepted creation time is the retention minus this.
 */
export const CLOCK_SKEW_MS = 24 * 3600 * 1000;

const INNER_FORMATS: readonly string[] = ['application/octet-stream', ...cap.RENDER_FORMATS];

function checkForCmsCode(code: string): SecurityCheck | undefined {
  switch (code) {
    case CmsErrorCode.signatureInvalid:
      return 'signature';
    case CmsErrorCode.signatureMissing:
      return 'signature-required';
    case CmsErrorCode.untrusted:
      return 'signer-untrusted';
    case CmsErrorCode.algorithmRefused:
      return 'downgrade';
    case CmsErrorCode.io:
      return undefined; // our disk, not the sender's fault: an internal error
    default:
      return 'decrypt';
  }
}

export function makeSealedOpener(o: SealedOpenerOptions): SealedOpener {
  let anchors: Certificate[] = [];
  try {
    anchors = o.trustAnchorsPem.flatMap((pem) => parseCertificates(pem));
  } catch (err) {
    throw new RangeError(`a trust anchor cannot be read: ${(err as Error).message}`, { cause: err });
  }

  if (!(o.replayRetentionMs > 2 * CLOCK_SKEW_MS)) throw new RangeError(`replayRetentionMs must exceed ${2 * CLOCK_SKEW_MS} ms (twice the clock skew allowed), got ${o.replayRetentionMs}`);

  return async (job: Job, submission: SealedSubmission): Promise<OpenedDocument> => {
    const paths = jobPaths(o.layout, job.id);
    await mkdir(paths.private, { recursive: true, mode: 0o700 });
    const number = job.documentsReceived + 1;
    const innerPath = join(paths.private, `inner-${number}.ipp`);
    const documentPath = join(paths.private, `document-${number}`);
    try {
      const { opened, split } = await decrypt(submission, innerPath, documentPath);
      return await openInner(job, submission, opened, split, innerPath, documentPath);
    } catch (err) {
      await rm(paths.private, { recursive: true, force: true });
      throw err;
    } finally {
      await rm(innerPath, { force: true });
    }
  };

  /** Decrypts into the two private files; resolves only when the tag and signatures verified. */
  async function decrypt(submission: SealedSubmission, innerPath: string, documentPath: string): Promise<{ opened: OpenedEnvelope; split: SplitResult }> {
    const splitter = await InnerSplitter.create(innerPath, documentPath);
    try {
      const opened = await openCore(
        submission.ciphertext,
        {
          privateKey: o.keys.privateKey,
          certificate: o.keys.certificate,
          ...(o.keys.postQuantum ? { additionalKeys: [o.keys.postQuantum] } : {}),
          ...(anchors.length > 0 ? { trustAnchors: anchors } : {}),
          requireSignature: o.requireSignature,
          allowSha1Kdf: o.allowSha1Kdf ?? false,
        },
        (chunk, ours) => splitter.write(chunk, ours),
      );
      return { opened, split: await splitter.close() };
    } catch (err) {
      await splitter.abandon();
      if (err instanceof CmsError) {
        const check = checkForCmsCode(err.code);
        if (check) throw new SecurityFailure(check, err.code, err.message, { cause: err });
      }
      throw err;
    }
  }

  /** Everything after verification: the inner request, binding, validation, the document. */
  async function openInner(
    job: Job,
    submission: SealedSubmission,
    opened: OpenedEnvelope,
    split: SplitResult,
    innerPath: string,
    documentPath: string,
  ): Promise<OpenedDocument> {
    let streamed;
    try {
      streamed = await readIppMessage(createReadStream(innerPath, { highWaterMark: 1 << 20 }));
    } catch (err) {
      if (err instanceof IppError) throw new SecurityFailure('inner-malformed', err.code, `inner request does not decode: ${err.message}`, { cause: err });
      throw err;
    }
    const { message, data } = streamed;
    const first = documentCreatesJob(job);
    try {
      if (split.split && (await hasBytes(data))) {
        // Cannot happen for a message the decoder reads as the splitter did; refuse rather than guess.
        throw new SecurityFailure('inner-malformed', 'PRINTER_INNER_SPLIT_MISMATCH', 'inner attribute section boundary disagrees with the decoder');
      }
      const inner = parseInnerRequest(message);
      await checkBinding(inner, {
        operation: submission.operation,
        printerUuid: `urn:uuid:${o.printerUuid}`,
        ...(job.seal ? { jobNonce: job.seal.jobNonce } : {}),
        expectedDocumentNumber: job.documentsReceived + 1,
        ...(submission.outerLastDocument !== undefined ? { outerLastDocument: submission.outerLastDocument } : {}),
        replay: submission.replay ?? o.replay,
        window: { now: Date.now(), maxAgeMs: o.replayRetentionMs - CLOCK_SKEW_MS, maxSkewMs: CLOCK_SKEW_MS },
      });
      // RFC 8011 §4.1 checks and the printer's own, exactly as for a request in clear.
      const violation = checkRequest(withOuterTarget(message, job.id));
      if (violation) throw new Refusal(violation.status, violation.message);
      const check = checkJobRequest(message, { formats: INNER_FORMATS, createsJob: first, hasDocument: true });
      const doc = await documentFile(split, check.compression, data, documentPath);
      // A document behind a release code stays that ciphertext until the code is entered; its
      // format (declared, or detected when application/octet-stream) is settled at release.
      const pinLayer = await startsWithPinLayer(doc.path);
      if (pinLayer && !o.pinRelease) throw new Refusal(IppStatus.clientErrorDocumentFormatNotSupported, 'this printer does not offer PIN release');
      const format = pinLayer ? check.format : check.format === 'application/octet-stream' ? sniffFormat(doc.head) : check.format;
      if (format === undefined) throw new Refusal(IppStatus.clientErrorDocumentFormatNotSupported, 'document format not recognised');
      const signer = opened.signer;
      job.seal = {
        jobNonce: inner.jobUuid,
        signed: signer !== undefined,
        signerSubject: signer?.subject,
        trust: signer === undefined ? 'unsigned' : signer.trust === 'verified' ? 'verified' : 'untrusted',
        // The first document's binding stands for the whole job.
        ownerFingerprint: job.seal?.ownerFingerprint ?? signer?.certificate.fingerprint ?? sealedOwnerFingerprint(message),
      };
      if (inner.jobName !== undefined) job.name = inner.jobName;
      if (first) job.template = check.template.applied;
      return { path: doc.path, format, bytes: doc.bytes, sha256: doc.sha256, ...(pinLayer ? { pinLayer } : {}) };
    } catch (err) {
      if (err instanceof ProfileError) {
        const check: SecurityCheck = err.code === 'PROFILE_BINDING_REPLAYED' ? 'replay' : err.code.startsWith('PROFILE_BINDING') ? 'binding' : 'inner-malformed';
        throw new SecurityFailure(check, err.code, err.message, { cause: err });
      }
      throw err;
    } finally {
      data.destroy();
    }
  }

  /**
   * The verified document: as split off during decryption when it needs nothing more, else
   * (compressed inside the envelope, or an attribute section the splitter left whole) unpacked now.
   */
  async function documentFile(
    split: SplitResult,
    compression: cap.Compression,
    rest: Readable,
    documentPath: string,
  ): Promise<{ path: string; bytes: number; sha256: string; head: Uint8Array }> {
    // Split off uncompressed, the document is smaller than the envelope, which the transport capped.
    if (split.split && compression === 'none') {
      return { path: documentPath, bytes: split.documentBytes, sha256: split.documentSha256, head: split.head };
    }
    const source = split.split ? createReadStream(documentPath, { highWaterMark: 1 << 20 }) : rest;
    const target = `${documentPath}.unpacked`;
    const spooled = await spoolToFile(source, target, { maxBytes: o.maxDocumentBytes, compression });
    await rm(documentPath, { force: true });
    return { path: target, bytes: spooled.bytes, sha256: spooled.sha256, head: spooled.head };
  }
}

/** Whether a stream has any byte left (reads at most one chunk). */
async function hasBytes(stream: Readable): Promise<boolean> {
  for await (const chunk of stream as AsyncIterable<Buffer>) if (chunk.length > 0) return true;
  return false;
}

/**
 * A sealed Send-Document cannot name the printer's job-id: through an intermediary the client only
 * knows the intermediary's. Its job is the one the outer request addressed (and the job nonce
 * binds it), so it is validated as the cleartext Send-Document to that job would be.
 */
function withOuterTarget(message: IppMessage, jobId: number): IppMessage {
  const op = message.groups[0];
  if (message.code !== IppOperation.sendDocument || !op || op.attributes.some((a) => a.name === 'job-id' || a.name === 'job-uri')) return message;
  const at = op.attributes.findIndex((a) => a.name === 'printer-uri') + 1;
  const attributes = [...op.attributes.slice(0, at), { name: 'job-id', values: [{ tag: 'integer' as const, value: jobId }] }, ...op.attributes.slice(at)];
  return { ...message, groups: [{ ...op, attributes }, ...message.groups.slice(1)] };
}

/**
 * The first document of a sealed job carries its Job Template attributes inside the envelope
 * (docs/spec-notes.md §2): they apply whether the job was created by Print-Job or by Create-Job, whose
 * clear part may not carry any.
 */
function documentCreatesJob(job: Job): boolean {
  return job.seal === undefined;
}

/** The fingerprint of a `requesting-user-pkcs7-public-key` sealed in the inner request, if any. */
function sealedOwnerFingerprint(message: IppMessage): string | undefined {
  const attr = message.groups[0]?.attributes.find((a) => a.name === 'requesting-user-pkcs7-public-key');
  if (!attr || attr.values.length === 0 || attr.values.length > 200) return undefined;
  const lines = attr.values.map((v) => (v.tag === 'textWithoutLanguage' || v.tag === 'textWithLanguage' ? v.value : ''));
  if (lines.some((l) => l === '')) throw new Refusal(IppStatus.clientErrorBadRequest, 'requesting-user-pkcs7-public-key must be text values');
  try {
    return parseCertificate(joinPemLines(lines)).fingerprint;
  } catch {
    throw new Refusal(IppStatus.clientErrorAttributesOrValuesNotSupported, 'requesting-user-pkcs7-public-key is not a usable certificate');
  }
}
