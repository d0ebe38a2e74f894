/**
 * KeyAgreeRecipientInfo (RFC 5652 §6.2.2): the content-encryption key wrapped (RFC 3394) under a
 * key derived from an ephemeral-static key agreement.
 *
 *   KeyAgreeRecipientInfo ::= [1] IMPLICIT SEQUENCE {
 *     version CMSVersion,  -- always set to 3
 *     originator [0] EXPLICIT OriginatorIdentifierOrKey,
 *     ukm [1] EXPLICIT UserKeyingMaterial OPTIONAL,
 *     keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,
 *     recipientEncryptedKeys RecipientEncryptedKeys }
 *
 * ECDH on P-256/P-384/P-521 with the X9.63 KDF (RFC 5753; any digest, with or without ukm, on
 * read) and X25519 with HKDF (RFC 8418). Only an ephemeral originatorKey is accepted.
 */
import { diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { expectTag, isContext, readAlgorithmIdentifier, readBitString, readOctets, readSmallInteger, sequenceChildren, type Asn1Node } from '../../asn1/ber-reader.js';
import { algorithmIdentifier, bitString, contextTag, integer, octetString, sequence } from '../../asn1/der-writer.js';
import { eccCmsSharedInfo, hkdf, x963Kdf } from '../../crypto/kdf.js';
import { aesKeyUnwrap, aesKeyWrap, wrapOidForKeyLength } from '../../crypto/key-wrap.js';
import { ecPublicKeyFromPoint, rawPublicKey, x25519PublicKeyFromBytes, type EcCurve } from '../../crypto/raw-keys.js';
import { CmsError, CmsErrorCode, malformed } from '../../errors.js';
import { OID, type DigestName } from '../../oids.js';
import type { Certificate } from '../../x509/certificate.js';
import { decodeKariRid, encodeKariRid, type IdentifierKind } from '../recipient-identifier.js';
import type { Candidate, KeyRecipient, RecipientPolicy } from './types.js';

export const isKari = (ri: Asn1Node): boolean => isContext(ri, 1);

const x963SchemeOid: Record<'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512', string> = {
  sha1: OID.stdDhSha1Kdf,
  sha224: OID.stdDhSha224Kdf,
  sha256: OID.stdDhSha256Kdf,
  sha384: OID.stdDhSha384Kdf,
  sha512: OID.stdDhSha512Kdf,
};

export function encodeKari(r: KeyRecipient, kind: IdentifierKind, cek: Uint8Array): Uint8Array {
  const cert = r.cert;
  const isX25519 = cert.keyKind === 'x25519';
  const eph = r.ephemeralKey ?? generateEphemeral(cert);
  const z = new Uint8Array(diffieHellman({ privateKey: eph, publicKey: cert.publicKey }));
  const wrapOid = wrapOidForKeyLength(cek.length);
  const kekLength = cek.length;
  const sharedInfo = eccCmsSharedInfo(wrapOid, r.ukm, kekLength);
  let schemeOid: string;
  let kek: Uint8Array;
  if (isX25519) {
    schemeOid = OID.stdDhHkdfSha256; // RFC 8418 §2.2
    kek = hkdf('sha256', z, r.ukm, sharedInfo, kekLength);
  } else {
    const digest: DigestName = r.kdfDigest ?? (cert.keyKind === 'p256' ? 'sha256' : cert.keyKind === 'p384' ? 'sha384' : 'sha512');
    schemeOid = x963SchemeOid[digest];
    kek = x963Kdf(digest, z, sharedInfo, kekLength);
  }
  const originatorAlg = isX25519 ? algorithmIdentifier(OID.x25519) : algorithmIdentifier(OID.ecPublicKey);
  // originator [0] EXPLICIT OriginatorIdentifierOrKey, choice originatorKey [1] IMPLICIT (RFC 5652 §6.2.2)
  const originator = contextTag(0, true, contextTag(1, true, originatorAlg, bitString(rawPublicKey(eph))));
  const rek = sequence(encodeKariRid(cert, kind), octetString(aesKeyWrap(kek, cek)));
  return contextTag(
    1,
    true,
    integer(3),
    originator,
    ...(r.ukm ? [contextTag(1, true, octetString(r.ukm))] : []),
    algorithmIdentifier(schemeOid, algorithmIdentifier(wrapOid)),
    sequence(rek),
  );
}

function generateEphemeral(cert: Certificate): KeyObject {
  if (cert.keyKind === 'x25519') return generateKeyPairSync('x25519').privateKey;
  const namedCurve = cert.keyKind === 'p256' ? 'prime256v1' : cert.keyKind === 'p384' ? 'secp384r1' : 'secp521r1';
  return generateKeyPairSync('ec', { namedCurve }).privateKey;
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

export function kariCandidates(ri: Asn1Node, index: number, key: KeyObject, kind: string, policy: RecipientPolicy): Candidate[] {
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

