/**
 * KEMRecipientInfo (RFC 9629), carried as an OtherRecipientInfo with oriType id-ori-kem, with
 * ML-KEM-512/768/1024 as RFC 9936 profiles it, and composite ML-KEM-768 + X25519 in the same way
 * (docs/decisions.md): the content-encryption key is wrapped with AES key wrap under a
 * key-encryption key derived by HKDF-SHA-256 from the KEM's shared secret.
 *
 *   KEMRecipientInfo ::= SEQUENCE {
 *     version CMSVersion,  -- always set to 0
 *     rid RecipientIdentifier,
 *     kem KEMAlgorithmIdentifier,
 *     kemct OCTET STRING,
 *     kdf KeyDerivationAlgorithmIdentifier,
 *     kekLength INTEGER (1..65535),
 *     ukm [0] EXPLICIT UserKeyingMaterial OPTIONAL,
 *     wrap KeyEncryptionAlgorithmIdentifier,
 *     encryptedKey EncryptedKey }
 *
 *   CMSORIforKEMOtherInfo ::= SEQUENCE {      -- the HKDF info (RFC 9629 §5)
 *     wrap KeyEncryptionAlgorithmIdentifier,
 *     kekLength INTEGER (1..65535),
 *     ukm [0] EXPLICIT UserKeyingMaterial OPTIONAL }
 *
 * KEK = HKDF(salt = "", IKM = shared secret, info = DER(CMSORIforKEMOtherInfo), L = kekLength)
 * (RFC 9936 §2.2.1). On read, kekLength must be the size of the wrap key, and the wrap may not be
 * weaker than the ML-KEM set (AES-128 key wrap only with ML-KEM-512); an unknown KDF is refused.
 */
import { hkdfSync } from 'node:crypto';
import {
  isContext,
  readAlgorithmIdentifier,
  readOctets,
  readSmallInteger,
  sequenceChildren,
  type AlgorithmIdentifier,
  type Asn1Node,
} from '../../asn1/ber-reader.js';
import { algorithmIdentifier, contextTag, integer, octetString, oid, sequence } from '../../asn1/der-writer.js';
import { aesKeyUnwrap, aesKeyWrap, wrapOidForKeyLength } from '../../crypto/key-wrap.js';
import { KEMS, kemByOid, type CmsKem, type KemAlgorithm } from '../../crypto/kems.js';
import { CmsError, CmsErrorCode, malformed } from '../../errors.js';
import { OID } from '../../oids.js';
import type { CompositeKemPrivateKey } from '../../x509/composite-kem-keys.js';
import type { MlKemPrivateKey } from '../../x509/ml-kem-keys.js';
import { decodeKtriRid, encodeKtriRid, type IdentifierKind } from '../recipient-identifier.js';
import type { Candidate, KeyRecipient } from './types.js';

const hkdfDigest: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  [OID.hkdfWithSha256]: 'sha256',
  [OID.hkdfWithSha384]: 'sha384',
  [OID.hkdfWithSha512]: 'sha512',
};
const wrapKeyLength: Record<string, number> = { [OID.aes128Wrap]: 16, [OID.aes192Wrap]: 24, [OID.aes256Wrap]: 32 };

/** DER CMSORIforKEMOtherInfo, the HKDF info (RFC 9629 §5). */
export function kemOtherInfo(wrapOid: string, kekLength: number, ukm: Uint8Array | undefined): Uint8Array {
  return sequence(algorithmIdentifier(wrapOid), integer(kekLength), ...(ukm ? [contextTag(0, true, octetString(ukm))] : []));
}

/** RFC 9936 §2.2.1: HKDF with an empty salt. */
export function kemKek(digest: 'sha256' | 'sha384' | 'sha512', sharedSecret: Uint8Array, otherInfo: Uint8Array, kekLength: number): Uint8Array {
  return new Uint8Array(hkdfSync(digest, sharedSecret, new Uint8Array(0), otherInfo, kekLength));
}

/** A private key that decapsulates: ML-KEM or composite ML-KEM. */
export type KemPrivateKey = MlKemPrivateKey | CompositeKemPrivateKey;

/** Writes [4] OtherRecipientInfo { id-ori-kem, KEMRecipientInfo } for a KEM certificate. */
export function encodeKemri(r: KeyRecipient, kind: IdentifierKind, cek: Uint8Array): Uint8Array {
  const p = KEMS[r.cert.keyKind as KemAlgorithm];
  if (!p || !r.cert.kemPublicKey) throw new CmsError(CmsErrorCode.unsupported, `certificate '${r.cert.subjectText}' has no KEM key`);
  const { cipherText, sharedSecret } = p.encapsulate(r.cert.kemPublicKey, r.kemRandomness);
  const wrapOid = wrapOidForKeyLength(p.kekLength);
  const kek = kemKek('sha256', sharedSecret, kemOtherInfo(wrapOid, p.kekLength, r.ukm), p.kekLength);
  sharedSecret.fill(0);
  const encryptedKey = aesKeyWrap(kek, cek);
  kek.fill(0);
  const kemri = sequence(
    integer(0),
    encodeKtriRid(r.cert, kind),
    algorithmIdentifier(p.oid),
    octetString(cipherText),
    algorithmIdentifier(OID.hkdfWithSha256),
    integer(p.kekLength),
    ...(r.ukm ? [contextTag(0, true, octetString(r.ukm))] : []),
    algorithmIdentifier(wrapOid),
    octetString(encryptedKey),
  );
  return contextTag(4, true, oid(OID.oriKem), kemri);
}

/** The fields of a KEMRecipientInfo, checked for form (not yet for policy). */
export interface ParsedKemri {
  readonly rid: ReturnType<typeof decodeKtriRid>;
  readonly kem: AlgorithmIdentifier;
  readonly kemct: Uint8Array;
  readonly kdf: AlgorithmIdentifier;
  readonly kekLength: number;
  readonly ukm: Uint8Array | undefined;
  readonly wrap: AlgorithmIdentifier;
  readonly encryptedKey: Uint8Array;
}

export function parseKemri(node: Asn1Node): ParsedKemri {
  const f = sequenceChildren(node, 'KEMRecipientInfo');
  if (f.length !== 8 && f.length !== 9) throw malformed(`KEMRecipientInfo has ${f.length} fields (8 or 9)`, node.offset);
  if (readSmallInteger(f[0], 'kemri.version') !== 0) throw malformed('KEMRecipientInfo version must be 0', node.offset);
  const rid = decodeKtriRid(f[1]);
  const kem = readAlgorithmIdentifier(f[2], 'kemri.kem');
  const kemct = readOctets(f[3], 'kemri.kemct');
  const kdf = readAlgorithmIdentifier(f[4], 'kemri.kdf');
  const kekLength = readSmallInteger(f[5], 'kemri.kekLength');
  let i = 6;
  let ukm: Uint8Array | undefined;
  if (isContext(f[i], 0)) ukm = readOctets(f[i++]!.children[0], 'kemri.ukm');
  const wrap = readAlgorithmIdentifier(f[i++], 'kemri.wrap');
  const encryptedKey = readOctets(f[i++], 'kemri.encryptedKey');
  if (i !== f.length) throw malformed('unexpected fields in KEMRecipientInfo', node.offset);
  return { rid, kem, kemct, kdf, kekLength, ukm, wrap, encryptedKey };
}

/**
 * Checks a parsed KEMRecipientInfo against RFC 9936 and our policy, and returns the key
 * derivation inputs. Refusals: an unknown KDF or one with parameters, a wrap we do not know,
 * kekLength not the wrap key's size, a wrap weaker than the ML-KEM set.
 */
export function checkKemri(k: ParsedKemri, p: CmsKem): { digest: 'sha256' | 'sha384' | 'sha512'; info: Uint8Array } {
  const digest = hkdfDigest[k.kdf.algorithm];
  if (!digest) throw new CmsError(CmsErrorCode.unsupported, `KEMRecipientInfo key derivation ${k.kdf.algorithm} (only HKDF with SHA-256/384/512)`);
  if (k.kdf.parameters) throw malformed('HKDF algorithm parameters must be absent (RFC 8619)');
  const wrapLength = wrapKeyLength[k.wrap.algorithm];
  if (wrapLength === undefined) throw new CmsError(CmsErrorCode.unsupported, `KEMRecipientInfo key wrap ${k.wrap.algorithm} (only AES key wrap)`);
  if (k.wrap.parameters) throw malformed('AES key wrap parameters must be absent (RFC 3565)');
  // RFC 9936 §2.2.1: L must be consistent with the key-encryption algorithm's key size.
  if (k.kekLength !== wrapLength) throw malformed(`KEMRecipientInfo kekLength ${k.kekLength} does not fit its ${wrapLength * 8}-bit key wrap`);
  if (wrapLength < p.kekLength) throw new CmsError(CmsErrorCode.algorithmRefused, `${p.name} with a ${wrapLength * 8}-bit key wrap is weaker than the KEM (RFC 9936 §2.2)`);
  if (k.kem.parameters) throw malformed(`${p.name} parameters must be absent (RFC 9936 §3)`);
  if (k.kemct.length !== p.ciphertextLength) throw malformed(`${p.name} ciphertext of ${k.kemct.length} bytes (expected ${p.ciphertextLength})`);
  return { digest, info: kemOtherInfo(k.wrap.algorithm, k.kekLength, k.ukm) };
}

/** The KEMRecipientInfo in an ori entry as a candidate for our KEM key (none if another KEM). */
export function kemriCandidates(oriValue: Asn1Node, index: number, key: KemPrivateKey): Candidate[] {
  const k = parseKemri(oriValue);
  const p = kemByOid(k.kem.algorithm);
  if (!p || p.name !== key.algorithm) return [];
  // Checked before any candidate is tried, so a refusal reaches the caller as itself rather than
  // as a failure to recover the key.
  const { digest, info } = checkKemri(k, p);
  return [
    {
      index,
      type: 'kemri',
      rid: k.rid,
      decrypt: () => {
        const ss = key.decapsulate(k.kemct);
        const kek = kemKek(digest, ss, info, k.kekLength);
        ss.fill(0);
        try {
          return { cek: aesKeyUnwrap(kek, k.encryptedKey), scheme: `${p.name}-hkdf-${digest}` };
        } finally {
          kek.fill(0);
        }
      },
    },
  ];
}
