/**
 * The content type a CMS ContentInfo declares, read from its first bytes (RFC 5652 §3):
 *
 *   ContentInfo ::= SEQUENCE {
 *     contentType ContentType,             -- OBJECT IDENTIFIER
 *     content [0] EXPLICIT ANY DEFINED BY contentType }
 *
 * For callers that must tell a CMS object from other data before deciding how to handle it (the
 * printer: is a released document itself an envelope to a PIN?) without knowing DER. Only the
 * outer SEQUENCE header and the OBJECT IDENTIFIER are read, in any length form; the rest of the
 * object is not examined, so a true answer says what the object claims to be, not that it is
 * well formed — open() decides that.
 */
import { decodeOne, readHeader, readOid } from '../asn1/ber-reader.js';
import { isCmsError } from '../errors.js';

/** Bytes that always hold the SEQUENCE header and the content type of the types CMS defines. */
export const CONTENT_INFO_HEAD_BYTES = 32;

/** The dotted OID `head` starts a ContentInfo of, or undefined when it does not start one. */
export function contentInfoType(head: Uint8Array): string | undefined {
  try {
    const outer = readHeader(head, 0);
    if (!outer || outer.tagClass !== 0 || outer.tag !== 0x10 || !outer.constructed) return undefined;
    const at = outer.headerLength;
    const type = readHeader(head, at);
    if (!type || type.tagClass !== 0 || type.tag !== 0x06 || type.constructed || type.length === null) return undefined;
    if (at + type.headerLength + type.length > head.length) return undefined;
    return readOid(decodeOne(head.subarray(0, at + type.headerLength + type.length), at), 'contentType');
  } catch (err) {
    if (isCmsError(err)) return undefined; // not BER at all: not a ContentInfo
    throw err;
  }
}
