/**
 * KeyTransRecipientInfo (RFC 5652 §6.2.1): the content-encryption key encrypted to an RSA key.
 *
 *   KeyTransRecipientInfo ::= SEQUENCE {
 *     version CMSVersion,  -- always set to 0 or 2
 *     rid RecipientIdentifier,
 *     keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,
 *     encryptedKey EncryptedKey }
 *
 * Written with RSAES-OAEP (RFC 3560, RFC 8017), SHA-256 by default. Read with OAEP over
 * SHA-1/256/384/512; RSA PKCS#1 v1.5 is refused unless explicitly allowed (Bleichenbacher oracles
 * on an unattended printer; docs/spec-notes.md §4).
 */
import { constants, privateDecrypt, randomBytes, type KeyObject } from 'node:crypto';
import {
  isContext,
  parametersAbsentOrNull,
  readAlgorithmIdentifier,
  readOctets,
  readSmallInteger,
  sequenceChildren,
  type AlgorithmIdentifier,
  type Asn1Node,
} from '../../asn1/ber-reader.js';
import { algorithmIdentifier, contextTag, integer, octetString, sequence } from '../../asn1/der-writer.js';
import { oaepDecrypt, oaepEncrypt, type OaepHash } from '../../crypto/oaep.js';
import { CmsError, CmsErrorCode, malformed } from '../../errors.js';
import { digestByOid, OID, oidByDigest, type DigestName } from '../../oids.js';
import { decodeKtriRid, encodeKtriRid, type IdentifierKind } from '../recipient-identifier.js';
import type { Candidate, KeyRecipient, RecipientPolicy } from './types.js';

export const isKtri = (ri: Asn1Node): boolean => ri.tagClass === 0 && ri.tag === 0x10;

export function encodeKtri(r: KeyRecipient, kind: IdentifierKind, cek: Uint8Array): Uint8Array {
  const hash = r.oaepHash ?? 'sha256';
  const encryptedKey = oaepEncrypt(r.cert.publicKey, hash, cek, r.oaepSeed);
  // RFC 5652 §6.2.1: version 0 with issuerAndSerialNumber, 2 with subjectKeyIdentifier.
  return sequence(
    integer(kind === 'issuerAndSerialNumber' ? 0 : 2),
    encodeKtriRid(r.cert, kind),
    algorithmIdentifier(OID.rsaesOaep, oaepParameters(hash)),
    octetString(encryptedKey),
  );
}

/** RSAES-OAEP-params (RFC 4055 §4.1): hash and MGF1 hash; pSourceAlgorithm left at its default. */
export function oaepParameters(hash: OaepHash): Uint8Array {
  if (hash === 'sha1') return sequence();
  const h = algorithmIdentifier(oidByDigest[hash]);
  return sequence(contextTag(0, true, h), contextTag(1, true, algorithmIdentifier(OID.mgf1, h)));
}

/** The ktri entry as a candidate for an RSA key (none for other key kinds). */
export function ktriCandidates(ri: Asn1Node, index: number, key: KeyObject, kind: string, policy: RecipientPolicy, cekLength: number): Candidate[] {
  if (kind !== 'rsa') return [];
  const f = sequenceChildren(ri, 'KeyTransRecipientInfo');
  if (f.length !== 4) throw malformed('KeyTransRecipientInfo must have 4 fields', ri.offset);
  const version = readSmallInteger(f[0], 'ktri.version');
  const rid = decodeKtriRid(f[1]);
  // RFC 5652 §6.2.1: version 0 with issuerAndSerialNumber, 2 with subjectKeyIdentifier.
  if (version !== (rid.kind === 'issuerAndSerialNumber' ? 0 : 2)) throw malformed(`KeyTransRecipientInfo version ${version} does not fit its ${rid.kind}`, ri.offset);
  const alg = readAlgorithmIdentifier(f[2], 'ktri.keyEncryptionAlgorithm');
  const encryptedKey = readOctets(f[3], 'ktri.encryptedKey');
  return [{ index, type: 'ktri', rid, decrypt: () => decryptKtri(alg, encryptedKey, key, policy, cekLength) }];
}
function oaepHashOf(alg: AlgorithmIdentifier): OaepHash {
  // RSAES-OAEP-params (RFC 4055 §4.1); every field has a SHA-1 default.
  let hash: OaepHash = 'sha1';
  let mgfHash: OaepHash = 'sha1';
  if (alg.parameters && !parametersAbsentOrNull(alg)) {
    for (const f of sequenceChildren(alg.parameters, 'RSAES-OAEP-params')) {
      if (isContext(f, 0)) hash = digestOf(readAlgorithmIdentifier(f.children[0], 'hashAlgorithm').algorithm) as OaepHash;
      else if (isContext(f, 1)) {
        const mgf = readAlgorithmIdentifier(f.children[0], 'maskGenAlgorithm');
        if (mgf.algorithm !== OID.mgf1) throw new CmsError(CmsErrorCode.unsupported, `OAEP mask generation ${mgf.algorithm} is not MGF1`);
        mgfHash = digestOf(readAlgorithmIdentifier(mgf.parameters, 'MGF1 hash').algorithm) as OaepHash;
      } else if (isContext(f, 2)) {
        const src = readAlgorithmIdentifier(f.children[0], 'pSourceAlgorithm');
        const label = src.parameters ? readOctets(src.parameters, 'pSpecified') : new Uint8Array(0);
        if (src.algorithm !== OID.pSpecified || label.length !== 0) throw new CmsError(CmsErrorCode.unsupported, 'OAEP with a non-empty label');
      }
    }
  }
  if (hash !== mgfHash) throw new CmsError(CmsErrorCode.unsupported, `OAEP with hash ${hash} but MGF1 hash ${mgfHash}`);
  if (hash === ('sha224' as string)) throw new CmsError(CmsErrorCode.unsupported, 'OAEP with SHA-224');
  return hash;
}

function digestOf(oid: string): DigestName {
  const d = digestByOid[oid];
  if (!d) throw new CmsError(CmsErrorCode.unsupported, `digest algorithm ${oid}`);
  return d;
}

function decryptKtri(alg: AlgorithmIdentifier, encryptedKey: Uint8Array, key: KeyObject, policy: RecipientPolicy, cekLength: number): { cek: Uint8Array; scheme: string } {
  if (alg.algorithm === OID.rsaesOaep) {
    const hash = oaepHashOf(alg);
    return { cek: oaepDecrypt(key, hash, encryptedKey), scheme: `rsaes-oaep-${hash}` };
  }
  if (alg.algorithm === OID.rsaEncryption) {
    if (!policy.allowRsaPkcs1v15) throw new CmsError(CmsErrorCode.algorithmRefused, 'RSA PKCS#1 v1.5 key transport is refused (enable allowRsaPkcs1v15 to read it)');
    return { cek: pkcs1v15Unpad(key, encryptedKey, cekLength), scheme: 'rsa-pkcs1-v1_5' };
  }
  throw new CmsError(CmsErrorCode.unsupported, `key transport algorithm ${alg.algorithm}`);
}

/**
 * RSAES-PKCS1-v1_5 (RFC 8017 §7.2.2) for the opt-in compatibility path. Node refuses this padding
 * for private decryption (CVE-2023-46809), so the raw permutation is unpadded here; on bad padding
 * a random key of the expected length is returned instead of an error (RFC 3218 §2.3.2), so the
 * failure surfaces only as a content tag/padding error, not as a padding oracle.
 */
function pkcs1v15Unpad(key: KeyObject, encryptedKey: Uint8Array, cekLength: number): Uint8Array {
  const fallback = new Uint8Array(randomBytes(cekLength));
  let em: Buffer;
  try {
    em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, encryptedKey);
  } catch {
    return fallback;
  }
  let sep = -1;
  for (let i = 2; i < em.length; i++) {
    if (em[i] === 0 && sep < 0) sep = i;
  }
  const ok = em[0] === 0 && em[1] === 2 && sep >= 10 && em.length - sep - 1 === cekLength;
  return ok ? new Uint8Array(em.subarray(sep + 1)) : fallback;
}
