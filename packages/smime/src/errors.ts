/**
 * Every failure of this package is a CmsError with a stable `code`. Callers (the printer, the
 * client, the tno command) branch on the code, never on the message; a network peer only ever sees
 * an opaque "document security error", while the message and cause go to the local log.
 */
export const CmsErrorCode = {
  /** The bytes are not the CMS structure expected (bad tag, length, missing field). */
  malformed: 'CMS_MALFORMED',
  /** A size, count, nesting or length limit was hit on untrusted input. */
  limitExceeded: 'CMS_LIMIT_EXCEEDED',
  /** A content type, algorithm or parameter we do not implement. */
  unsupported: 'CMS_UNSUPPORTED',
  /** An algorithm we implement but refuse by policy (RSA PKCS#1 v1.5 decryption, weak digest). */
  algorithmRefused: 'CMS_ALGORITHM_REFUSED',
  /** None of the RecipientInfos names the key we were given. */
  noMatchingRecipient: 'CMS_NO_MATCHING_RECIPIENT',
  /** The content-encryption key could not be recovered (unwrap or OAEP decode failed). */
  decryptFailed: 'CMS_DECRYPT_FAILED',
  /**
   * A PasswordRecipientInfo did not open with the given password (RFC 3211 check value). Distinct
   * from CMS_DECRYPT_FAILED so a caller can count wrong PINs without treating them as an attack.
   */
  wrongPassword: 'CMS_WRONG_PASSWORD',
  /** The AES-GCM authentication tag did not verify: the ciphertext or its parameters were altered. */
  tagMismatch: 'CMS_TAG_MISMATCH',
  /** CBC padding was invalid (EnvelopedData only; no integrity beyond this). */
  paddingInvalid: 'CMS_PADDING_INVALID',
  /** A signature or the message-digest attribute did not verify. */
  signatureInvalid: 'CMS_SIGNATURE_INVALID',
  /** A signature was required and the content was not signed. */
  signatureMissing: 'CMS_SIGNATURE_MISSING',
  /** The signer's certificate does not chain to a trust anchor, or a certificate is not valid now. */
  untrusted: 'CMS_UNTRUSTED',
  /** A certificate or key could not be parsed or is of the wrong kind. */
  badKey: 'CMS_BAD_KEY',
  /** The caller passed inconsistent options. */
  badOptions: 'CMS_BAD_OPTIONS',
  /** Writing the output failed (disk full, destination not writable). */
  io: 'CMS_IO',
} as const;
export type CmsErrorCode = (typeof CmsErrorCode)[keyof typeof CmsErrorCode];

export class CmsError extends Error {
  readonly code: CmsErrorCode;
  /** Byte offset in the input where a decode error was found, when known. */
  readonly offset: number | undefined;
  constructor(code: CmsErrorCode, message: string, options?: { cause?: unknown; offset?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CmsError';
    this.code = code;
    this.offset = options?.offset;
  }
}

/** True for a CmsError, optionally of one code. */
export function isCmsError(err: unknown, code?: CmsErrorCode): err is CmsError {
  return err instanceof CmsError && (code === undefined || err.code === code);
}

export function malformed(message: string, offset?: number, cause?: unknown): CmsError {
  return new CmsError(CmsErrorCode.malformed, message, { offset, cause });
}
