/** Limits on untrusted CMS input; every one is checked and fails with CMS_LIMIT_EXCEEDED. */
export interface CmsLimits {
  /** Nesting depth of any in-memory element. */
  readonly maxDepth: number;
  /** Elements in any in-memory element. */
  readonly maxNodes: number;
  /** Encoded size of the RecipientInfos SET (and of originatorInfo). */
  readonly maxRecipientInfosBytes: number;
  readonly maxRecipientInfos: number;
  /** Encoded size of the certificates set, and of the SignerInfos set. */
  readonly maxCertificatesBytes: number;
  readonly maxCertificates: number;
  readonly maxSignerInfos: number;
  /** Plaintext size limit (bytes). */
  readonly maxContentLength: number;
  /**
   * Highest PBKDF2 iteration count accepted in a PasswordRecipientInfo: the count is chosen by
   * the sender, so without a cap one envelope could keep the reader busy for hours.
   */
  readonly maxPbkdf2Iterations: number;
  /** open() only: largest plaintext kept in memory. */
  readonly maxInMemory: number;
}

export const defaultLimits: CmsLimits = {
  maxDepth: 32,
  maxNodes: 20_000,
  maxRecipientInfosBytes: 1024 * 1024,
  maxRecipientInfos: 256,
  maxCertificatesBytes: 1024 * 1024,
  maxCertificates: 32,
  maxSignerInfos: 8,
  maxContentLength: Number.MAX_SAFE_INTEGER,
  maxPbkdf2Iterations: 5_000_000,
  maxInMemory: 64 * 1024 * 1024,
};
