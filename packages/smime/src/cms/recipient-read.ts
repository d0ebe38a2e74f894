/**
 * Reading RecipientInfos and recovering the content-encryption key with our private key.
 * ktri: RSAES-OAEP (SHA-1/256/384/512); RSA PKCS#1 v1.5 is refused unless explicitly allowed
 * (Bleichenbacher oracles on an unattended printer; SPEC-NOTES §4).
 * kari: ECDH P-256/P-384/P-521 with the X9.63 KDF (any digest, with or without ukm; RFC 5753) and
 * X25519 with HKDF (RFC 8418). kekri/pwri/ori are skipped (not addressed to a key pair; a
 * password opens pwri in password-recipient-read.ts).
 */
import { constants, diffieHellman, privateDecrypt, randomBytes, type KeyObject } from 'node:crypto';
import {
  expectTag,
  isContext,
  parametersAbsentOrNull,
  readAlgorithmIdentifier,
  readBitString,
  readOctets,
  readSmallInteger,
  sequenceChildren,
  type AlgorithmIdentifier,
  type Asn1Node,
} from '../asn1/ber-reader.js';
import { eccCmsSharedInfo, hkdf, x963Kdf } from '../crypto/kdf.js';
import { aesKeyUnwrap } from '../crypto/key-wrap.js';
import { oaepDecrypt, type OaepHash } from '../crypto/oaep.js';
import { ecPublicKeyFromPoint, x25519PublicKeyFromBytes, type EcCurve } from '../crypto/raw-keys.js';
import { CmsError, CmsErrorCode, isCmsError, malformed } from '../errors.js';
import { digestByOid, OID, type DigestName } from '../oids.js';
import { keyKindOf, type Certificate } from '../x509/certificate.js';
import { decodeKariRid, decodeKtriRid, ridMatches, type RecipientId } from './recipient-identifier.js';

export interface RecipientUsed {
  /** Index of the RecipientInfo in the envelope. */
  readonly index: number;
  readonly type: 'ktri' | 'kari' | 'pwri';
  /**
   * The key-encryption scheme, e.g. 'rsaes-oaep-sha256', 'ecdh-x963-sha256', 'x25519-hkdf-sha256',
   * 'pbkdf2-sha256-aes-256-cbc' (a password).
   */
  readonly scheme: string;
  /** The certificate named, or `{ kind: 'password' }` for a PasswordRecipientInfo. */
  readonly identifier: RecipientId | { readonly kind: 'password' };
}

export interface RecipientPolicy {
  /** Allow RSA PKCS#1 v1.5 key transport (default false). */
  readonly allowRsaPkcs1v15?: boolean;
  /** Allow ECDH with the SHA-1 X9.63 KDF, OpenSSL's default (default false). */
  readonly allowSha1Kdf?: boolean;
}

interface Candidate {
  readonly index: number;
  readonly type: 'ktri' | 'kari';
  readonly rid: RecipientId;
  readonly decrypt: () => Promise<{ cek: Uint8Array; scheme: string }> | { cek: Uint8Array; scheme: string };
}

/**
 * Finds the RecipientInfo for our key and returns the CEK. With a certificate, only entries naming
 * it are tried; without one, every entry that fits the key type is tried in turn.
 */
export async function recoverContentKey(
  recipientInfos: readonly Asn1Node[],
  key: KeyObject,
  cert: Certificate | undefined,
  cekLength: number,
  policy: RecipientPolicy,
): Promise<{ cek: Uint8Array; recipient: RecipientUsed }> {
  const kind = keyKindOf(key);
  const candidates: Candidate[] = [];
  recipientInfos.forEach((ri, index) => {
    for (const c of candidatesOf(ri, index, key, kind, policy, cekLength)) {
      if (!cert || ridMatches(c.rid, cert)) candidates.push(c);
    }
  });
  if (candidates.length === 0) {
    throw new CmsError(CmsErrorCode.noMatchingRecipient, cert ? `no RecipientInfo names certificate '${cert.subjectText}'` : `no RecipientInfo for a ${kind} key`);
  }
  let lastError: unknown;
  for (const c of candidates) {
    try {
      const { cek, scheme } = await c.decrypt();
      if (cek.length !== cekLength) throw new CmsError(CmsErrorCode.decryptFailed, `recovered key is ${cek.length} bytes, the content cipher needs ${cekLength}`);
      return { cek, recipient: { index: c.index, type: c.type, scheme, identifier: c.rid } };
    } catch (err) {
      if (isCmsError(err) && (err.code === CmsErrorCode.algorithmRefused || err.code === CmsErrorCode.unsupported) && candidates.length === 1) throw err;
      lastError = err;
    }
  }
  if (isCmsError(lastError) && (lastError.code === CmsErrorCode.algorithmRefused || lastError.code === CmsErrorCode.unsupported)) throw lastError;
  if (cert) throw new CmsError(CmsErrorCode.decryptFailed, 'could not recover the content-encryption key for our RecipientInfo', { cause: lastError });
  throw new CmsError(CmsErrorCode.noMatchingRecipient, 'no RecipientInfo could be opened with this key', { cause: lastError });
}

function candidatesOf(ri: Asn1Node, index: number, key: KeyObject, kind: string, policy: RecipientPolicy, cekLength: number): Candidate[] {
  if (ri.tagClass === 0 && ri.tag === 0x10) {
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
  if (isContext(ri, 1)) return kariCandidates(ri, index, key, kind, policy);
  return []; // kekri [2], pwri [3], ori [4]: not for a key pair
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

const x963Schemes: Record<string, DigestName> = {
  [OID.stdDhSha1Kdf]: 'sha1',
  [OID.cofactorDhSha1Kdf]: 'sha1',
  [OID.stdDhSha224Kdf]: 'sha224',
  [OID.stdDhSha256Kdf]: 'sha256',
  [OID.stdDhSha384Kdf]: 'sha384',
  [OID.stdDhSha512Kdf]: 'sha512',
  // The NIST curves have cofactor 1, so cofactor ECDH equals standard ECDH (RFC 5753 §7.1.4).
  [OID.cofactorDhSha224Kdf]: 'sha224',
  [OID.cofactorDhSha256Kdf]: 'sha256',
  [OID.cofactorDhSha384Kdf]: 'sha384',
  [OID.cofactorDhSha512Kdf]: 'sha512',
};
const hkdfSchemes: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  [OID.stdDhHkdfSha256]: 'sha256',
  [OID.stdDhHkdfSha384]: 'sha384',
  [OID.stdDhHkdfSha512]: 'sha512',
};
const wrapKeyLength: Record<string, number> = { [OID.aes128Wrap]: 16, [OID.aes192Wrap]: 24, [OID.aes256Wrap]: 32 };

function kariCandidates(ri: Asn1Node, index: number, key: KeyObject, kind: string, policy: RecipientPolicy): Candidate[] {
  if (kind !== 'p256' && kind !== 'p384' && kind !== 'p521' && kind !== 'x25519') return [];
  const f = ri.children;
  if (readSmallInteger(f[0], 'kari.version') !== 3) throw malformed('KeyAgreeRecipientInfo version must be 3', ri.offset);
  let i = 1;
  const originator = expectTag(f[i++], 2, 0, 'kari.originator');
  const orig = originator.children[0];
  if (!isContext(orig, 1)) throw new CmsError(CmsErrorCode.unsupported, 'kari originator is not an originatorKey (static-static ECDH is not supported)');
  const origAlg = readAlgorithmIdentifier(orig.children[0], 'originatorKey.algorithm');
  const origKey = readBitString(orig.children[1], 'originatorKey.publicKey');
  let ukm: Uint8Array | undefined;
  if (isContext(f[i], 1)) ukm = readOctets(f[i++]!.children[0], 'kari.ukm');
  const kea = readAlgorithmIdentifier(f[i++], 'kari.keyEncryptionAlgorithm');
  const wrap = readAlgorithmIdentifier(kea.parameters, 'KeyWrapAlgorithm');
  const reks = sequenceChildren(f[i++], 'RecipientEncryptedKeys');
  if (i !== f.length) throw malformed('unexpected fields at the end of KeyAgreeRecipientInfo', ri.offset);
  const isX = kind === 'x25519';
  if (isX ? origAlg.algorithm !== OID.x25519 : origAlg.algorithm !== OID.ecPublicKey) return [];
  const kekLength = wrapKeyLength[wrap.algorithm];
  return reks.map((rek) => {
    const [ridNode, ekNode] = sequenceChildren(rek, 'RecipientEncryptedKey');
    const rid = decodeKariRid(ridNode);
    const wrapped = readOctets(ekNode, 'encryptedKey');
    return {
      index,
      type: 'kari' as const,
      rid,
      decrypt: async () => {
        if (kekLength === undefined) throw new CmsError(CmsErrorCode.unsupported, `key wrap algorithm ${wrap.algorithm}`);
        const sharedInfo = eccCmsSharedInfo(wrap.algorithm, ukm, kekLength);
        if (isX) {
          const digest = hkdfSchemes[kea.algorithm];
          if (!digest) throw new CmsError(CmsErrorCode.unsupported, `X25519 key agreement scheme ${kea.algorithm}`);
          const pub = x25519PublicKeyFromBytes(origKey);
          const z = new Uint8Array(diffieHellman({ privateKey: key, publicKey: pub }));
          // RFC 7748 §6.1: an all-zero shared secret means a small-order point; refuse it.
          if (z.every((b) => b === 0)) throw new CmsError(CmsErrorCode.malformed, 'X25519 originator key is a small-order point');
          return { cek: aesKeyUnwrap(hkdf(digest, z, ukm, sharedInfo, kekLength), wrapped), scheme: `x25519-hkdf-${digest}` };
        }
        const digest = x963Schemes[kea.algorithm];
        if (!digest) throw new CmsError(CmsErrorCode.unsupported, `ECDH key agreement scheme ${kea.algorithm}`);
        // RFC 5753 §7.2 lists SHA-1 first, but SHA-1 is not a KDF to key AES-256 with today: refused
        // unless asked for, like CBC and PKCS#1 v1.5 (docs/threat-model.md, downgrade).
        if (digest === 'sha1' && !policy.allowSha1Kdf) throw new CmsError(CmsErrorCode.algorithmRefused, 'ECDH with the SHA-1 KDF is refused (enable allowSha1Kdf to read it)');
        const pub = await ecPublicKeyFromPoint(kind as EcCurve, origKey);
        const z = new Uint8Array(diffieHellman({ privateKey: key, publicKey: pub }));
        return { cek: aesKeyUnwrap(x963Kdf(digest, z, sharedInfo, kekLength), wrapped), scheme: `ecdh-x963-${digest}` };
      },
    };
  });
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
