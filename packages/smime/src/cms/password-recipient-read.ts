/**
 * Recovering the content-encryption key from the PasswordRecipientInfos of an envelope. Every
 * pwri is parsed and checked against the policy before PBKDF2 runs for any of them, so a hostile
 * iteration count is refused without spending the work.
 */
import { isContext, type Asn1Node } from '../asn1/ber-reader.js';
import { CmsError, CmsErrorCode, isCmsError } from '../errors.js';
import { parsePasswordRecipientInfo, unwrapWithPassword, type PasswordPolicy } from './password-recipient.js';
import type { RecipientUsed } from './recipient-read.js';

/** At most this many pwri are tried: each costs a full PBKDF2 run. */
const MAX_PASSWORD_RECIPIENTS = 4;

export async function recoverContentKeyWithPassword(
  recipientInfos: readonly Asn1Node[],
  password: string | Uint8Array,
  cekLength: number,
  policy: PasswordPolicy,
): Promise<{ cek: Uint8Array; recipient: RecipientUsed }> {
  const entries = recipientInfos.flatMap((ri, index) => (isContext(ri, 3) ? [{ index, parsed: parsePasswordRecipientInfo(ri, policy) }] : []));
  if (entries.length === 0) throw new CmsError(CmsErrorCode.noMatchingRecipient, 'the envelope has no PasswordRecipientInfo; it is not opened with a password');
  if (entries.length > MAX_PASSWORD_RECIPIENTS) throw new CmsError(CmsErrorCode.limitExceeded, `more than ${MAX_PASSWORD_RECIPIENTS} PasswordRecipientInfos`);
  let lastError: unknown;
  for (const { index, parsed } of entries) {
    try {
      const cek = await unwrapWithPassword(parsed, password, cekLength);
      return { cek, recipient: { index, type: 'pwri', scheme: `pbkdf2-${parsed.prf}-${parsed.kekCipher}`, identifier: { kind: 'password' } } };
    } catch (err) {
      if (!isCmsError(err, CmsErrorCode.wrongPassword)) throw err;
      lastError = err;
    }
  }
  throw lastError;
}
