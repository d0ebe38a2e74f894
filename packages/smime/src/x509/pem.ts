/**
 * PEM (RFC 7468) encoding and the line form used by `printer-pkcs7-public-key` and
 * `requesting-user-pkcs7-public-key`: a 1setOf text(MAX) carrying the PEM text one line per value,
 * empty lines dropped, joined with "\n" on receipt (docs/spec-notes.md §1, the libcups credentials rule).
 */
import { CmsError, CmsErrorCode } from '../errors.js';

const MAX_PEM_TEXT = 4 * 1024 * 1024;

export function pemEncode(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

/** Every PEM block in `text` (RFC 7468 §2; headers such as Proc-Type are refused). */
export function pemDecodeAll(text: string): PemBlock[] {
  if (text.length > MAX_PEM_TEXT) throw new CmsError(CmsErrorCode.limitExceeded, `PEM text longer than ${MAX_PEM_TEXT} characters`);
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]{1,64})-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[2]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new CmsError(CmsErrorCode.badKey, `PEM block '${m[1]}' has a non-base64 body (encrypted PEM headers are not supported)`);
    out.push({ label: m[1]!, der: new Uint8Array(Buffer.from(body, 'base64')) });
  }
  return out;
}

/** Splits PEM text into the values of a 1setOf text attribute: one per line, empty lines dropped. */
export function pemLines(pem: string): string[] {
  return pem.split(/\r?\n/).filter((l) => l.trim().length > 0);
}

/** Inverse of pemLines: joins attribute values back into PEM text (a trailing newline added). */
export function joinPemLines(values: readonly string[]): string {
  return values.length === 0 ? '' : `${values.join('\n')}\n`;
}
