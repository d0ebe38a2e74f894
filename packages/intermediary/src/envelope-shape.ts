/**
 * A cheap structural check on the first bytes of a "sealed" document, so plaintext mislabelled
 * application/pkcs7-mime is refused before it is spooled. Only the outer ContentInfo header is
 * looked at (RFC 5652 §3): a SEQUENCE whose contentType is AuthEnvelopedData (RFC 5083,
 * 1.2.840.113549.1.9.16.1.23) or EnvelopedData (RFC 5652 §6, 1.2.840.113549.1.7.3). Nothing is
 * decrypted or parsed further; a well-formed header on garbage still reaches the printer, which
 * refuses it.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { IntermediaryError, IntermediaryErrorCode } from './errors.js';

const AUTH_ENVELOPED = Buffer.from([0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17]);
const ENVELOPED = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03]);

/**
 * The refusal is document-security-error, not document-format-not-supported: the format
 * (application/pkcs7-mime) is one we accept, and these bytes are what the printer would refuse
 * with 0x041A on opening them — a damaged or substituted envelope (docs/decisions.md D16).
 */
export class NotAnEnvelope extends IntermediaryError {
  constructor() {
    super(
      IntermediaryErrorCode.notAnEnvelope,
      'client-error-document-security-error',
      'the document is not a CMS enveloped object (RFC 5652 ContentInfo with AuthEnvelopedData or EnvelopedData): seal it to the printer first',
    );
  }
}

/** Offset of the contentType after the outer SEQUENCE header (X.690 §8.1.3), or -1 if malformed. */
function afterSequenceHeader(b: Buffer): number {
  if (b[0] !== 0x30 || b.length < 2) return -1;
  const len = b[1]!;
  if (len === 0x80) return 2; // indefinite length (BER), as streaming sealers write
  if (len < 0x80) return 2;
  const n = len & 0x7f;
  return n >= 1 && n <= 4 ? 2 + n : -1;
}

export function isEnvelopeHeader(head: Buffer): boolean {
  const at = afterSequenceHeader(head);
  if (at < 0) return false;
  const rest = head.subarray(at);
  return rest.subarray(0, AUTH_ENVELOPED.length).equals(AUTH_ENVELOPED) || rest.subarray(0, ENVELOPED.length).equals(ENVELOPED);
}

/** Passes the stream through unchanged once its first bytes look like an envelope; fails otherwise. */
export function envelopeShapeCheck(): Transform {
  const need = 2 + 4 + AUTH_ENVELOPED.length;
  let head: Buffer[] = [];
  let seen = 0;
  let decided = false;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (decided) return done(null, chunk);
      head.push(chunk);
      seen += chunk.length;
      if (seen < need) return done();
      const all = Buffer.concat(head);
      head = [];
      decided = true;
      return isEnvelopeHeader(all) ? done(null, all) : done(new NotAnEnvelope());
    },
    flush(done: TransformCallback) {
      if (decided) return done();
      const all = Buffer.concat(head);
      // An empty document is allowed (a last Send-Document with no data closes the job).
      if (all.length === 0) return done();
      return isEnvelopeHeader(all) ? done(null, all) : done(new NotAnEnvelope());
    },
  });
}
