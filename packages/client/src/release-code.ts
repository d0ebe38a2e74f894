/**
 * Secure PIN release (docs/profile.md "PIN release"): the document bytes inside the sealed job
 * are themselves enveloped to a release code (a PasswordRecipientInfo, RFC 3211), so the printer
 * can open, bind and validate the job on arrival but prints it only once someone enters the code
 * at the printer. The PIN layer only ever travels inside the envelope to the printer's key: on its
 * own a short PIN is searched offline in moments by whoever holds the ciphertext.
 */
import { Attr } from '@trustnoone/profile';
import { stringOf } from '@trustnoone/ipp';
import { sealChunks } from '@trustnoone/smime';
import { ClientError } from './errors.js';
import type { PrinterInfo } from './printer-info.js';

/** PWG 5100.11 job-password repertoires this client can check a code against before sending. */
const REPERTOIRES: Readonly<Record<string, RegExp>> = {
  'iana_us-ascii_digits': /^[0-9]+$/,
  'iana_us-ascii_letters': /^[A-Za-z]+$/,
  'iana_us-ascii_complex': /^[A-Za-z0-9]+$/,
  'iana_us-ascii_any': /^[\x20-\x7e]+$/,
  'iana_utf-8_digits': /^\p{Nd}+$/u,
  'iana_utf-8_letters': /^\p{L}+$/u,
  'iana_utf-8_any': /^[^\p{Cc}]+$/u,
};

export const MIN_RELEASE_CODE_LENGTH = 4;
export const MAX_RELEASE_CODE_LENGTH = 255;

/**
 * Checks that the printer advertises PIN release (printer-pkcs7-repertoire-configured other than
 * 'none') and that the code fits its repertoire, so a job is never held behind a code the panel
 * cannot take.
 */
export function checkReleaseCode(info: PrinterInfo, code: string): void {
  const configured = stringOf(info.attributes.get(Attr.printerPkcs7RepertoireConfigured)?.values[0]);
  if (configured === undefined || configured === 'none') {
    throw new ClientError('CLIENT_PIN_NOT_SUPPORTED', `${info.uri} does not offer PIN release (printer-pkcs7-repertoire-configured is ${configured ?? 'absent'}); print without a release code`);
  }
  const chars = [...code].length;
  if (chars < MIN_RELEASE_CODE_LENGTH || new TextEncoder().encode(code).length > MAX_RELEASE_CODE_LENGTH) {
    throw new ClientError('CLIENT_BAD_INPUT', `the release code must be ${MIN_RELEASE_CODE_LENGTH} to ${MAX_RELEASE_CODE_LENGTH} bytes long`);
  }
  const pattern = REPERTOIRES[configured];
  if (pattern && !pattern.test(code)) {
    throw new ClientError('CLIENT_PIN_NOT_SUPPORTED', `the release code does not fit the printer's PIN repertoire '${configured}' (its panel could not take it)`);
  }
}

/** The document bytes enveloped to the release code (AuthEnvelopedData, AES-256-GCM, pwri). */
export function releaseCodeLayer(document: AsyncIterable<Uint8Array>, code: string): AsyncIterable<Uint8Array> {
  return sealChunks(document, { recipients: [{ password: code }] });
}
