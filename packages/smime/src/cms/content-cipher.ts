/**
 * Content-encryption algorithms: AES-GCM for AuthEnvelopedData (RFC 5084 §3.2), AES-CBC for
 * EnvelopedData (RFC 3565 §4.1, read for compatibility; written only on request).
 */
import { algorithmIdentifier, integer, octetString, sequence } from '../asn1/der-writer.js';
import { expectTag, parametersAbsentOrNull, readOctets, readSmallInteger, sequenceChildren, type AlgorithmIdentifier } from '../asn1/ber-reader.js';
import { CmsError, CmsErrorCode, malformed } from '../errors.js';
import { OID } from '../oids.js';

export type GcmCipher = 'aes-128-gcm' | 'aes-256-gcm';
export type CbcCipher = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc';
export type ContentCipher = GcmCipher | 'aes-192-gcm' | CbcCipher;

export interface CipherParameters {
  readonly cipher: ContentCipher;
  readonly keyLength: number;
  /** GCM nonce or CBC IV. */
  readonly iv: Uint8Array;
  /** GCM only: tag length in bytes. */
  readonly tagLength: number;
}

const byOid: Record<string, { cipher: ContentCipher; keyLength: number }> = {
  [OID.aes128Gcm]: { cipher: 'aes-128-gcm', keyLength: 16 },
  [OID.aes192Gcm]: { cipher: 'aes-192-gcm', keyLength: 24 },
  [OID.aes256Gcm]: { cipher: 'aes-256-gcm', keyLength: 32 },
  [OID.aes128Cbc]: { cipher: 'aes-128-cbc', keyLength: 16 },
  [OID.aes192Cbc]: { cipher: 'aes-192-cbc', keyLength: 24 },
  [OID.aes256Cbc]: { cipher: 'aes-256-cbc', keyLength: 32 },
};

export const isGcm = (c: ContentCipher): boolean => c.endsWith('-gcm');

/**
 * GCMParameters ::= SEQUENCE {
 *   aes-nonce        OCTET STRING,  -- recommended size is 12 octets
 *   aes-ICVlen       AES-GCM-ICVlen DEFAULT 12 }   -- 12 | 13 | 14 | 15 | 16
 * (RFC 5084 §3.2). We always write a 12-byte nonce and a 16-byte tag, so aes-ICVlen is present.
 */
export function encodeGcmAlgorithm(cipher: GcmCipher, nonce: Uint8Array): Uint8Array {
  return algorithmIdentifier(cipher === 'aes-128-gcm' ? OID.aes128Gcm : OID.aes256Gcm, sequence(octetString(nonce), integer(16)));
}

export function encodeCbcAlgorithm(cipher: CbcCipher, iv: Uint8Array): Uint8Array {
  const oid = cipher === 'aes-128-cbc' ? OID.aes128Cbc : cipher === 'aes-192-cbc' ? OID.aes192Cbc : OID.aes256Cbc;
  return algorithmIdentifier(oid, octetString(iv));
}

export function decodeContentAlgorithm(alg: AlgorithmIdentifier, authenticated: boolean): CipherParameters {
  const known = byOid[alg.algorithm];
  if (!known) throw new CmsError(CmsErrorCode.unsupported, `content-encryption algorithm ${alg.algorithm}`);
  if (isGcm(known.cipher) !== authenticated) {
    throw new CmsError(CmsErrorCode.algorithmRefused, authenticated ? `AuthEnvelopedData requires an authenticated cipher, not ${known.cipher}` : `${known.cipher} in EnvelopedData has no place to carry its tag (use AuthEnvelopedData)`);
  }
  if (!isGcm(known.cipher)) {
    const iv = readOctets(alg.parameters, 'CBC IV');
    if (iv.length !== 16) throw malformed(`CBC IV must be 16 bytes (got ${iv.length})`, alg.parameters?.offset);
    return { ...known, iv, tagLength: 0 };
  }
  if (!alg.parameters || parametersAbsentOrNull(alg)) throw malformed('GCMParameters missing');
  const f = sequenceChildren(alg.parameters, 'GCMParameters');
  const nonce = readOctets(expectTag(f[0], 0, 0x04, 'aes-nonce'), 'aes-nonce');
  const tagLength = f[1] ? readSmallInteger(f[1], 'aes-ICVlen') : 12;
  if (tagLength < 12 || tagLength > 16) throw malformed(`aes-ICVlen ${tagLength} is outside 12..16 (RFC 5084 §3.2)`, f[1]?.offset);
  // Nonces other than 12 bytes are legal but go through GHASH; we accept 8..64 bytes.
  if (nonce.length < 8 || nonce.length > 64) throw malformed(`aes-nonce length ${nonce.length} is not supported`, f[0]!.offset);
  return { ...known, iv: nonce, tagLength };
}
