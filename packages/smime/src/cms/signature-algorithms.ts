/**
 * Signature algorithms for SignerInfo: Ed25519 (RFC 8419), ECDSA (RFC 5753 §2.1.1, RFC 5758),
 * RSASSA-PSS (RFC 4056), ML-DSA (RFC 9882, pure mode), and RSA PKCS#1 v1.5 for verification only.
 */
import { constants, sign, verify } from 'node:crypto';
import { algorithmIdentifier, contextTag, integer, sequence } from '../asn1/der-writer.js';
import { isContext, readAlgorithmIdentifier, readSmallInteger, sequenceChildren, type AlgorithmIdentifier } from '../asn1/ber-reader.js';
import { CmsError, CmsErrorCode } from '../errors.js';
import { digestByOid, OID, oidByDigest, type DigestName } from '../oids.js';
import { keyKindOf, type Certificate } from '../x509/certificate.js';
import { isMlDsaKey, type SigningKey } from '../x509/keys.js';
import { mlDsaByOid, mlDsaVerify } from '../crypto/ml-dsa.js';

export interface SignatureScheme {
  readonly digest: DigestName;
  readonly algorithm: Uint8Array;
  readonly name: string;
  /** Signs with the key the scheme was made for. */
  readonly sign: (data: Uint8Array) => Uint8Array;
}

const PSS_SALT: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 };

export function rsaPssParameters(digest: 'sha256' | 'sha384' | 'sha512'): Uint8Array {
  const h = algorithmIdentifier(oidByDigest[digest]);
  return sequence(contextTag(0, true, h), contextTag(1, true, algorithmIdentifier(OID.mgf1, h)), contextTag(2, true, integer(PSS_SALT[digest]!)));
}

/** The scheme we write for a signing key (Ed25519 → SHA-512 per RFC 8419 §3; ML-DSA → SHA-512). */
export function schemeForKey(key: SigningKey, digestOverride?: 'sha256' | 'sha384' | 'sha512'): SignatureScheme {
  if (isMlDsaKey(key)) {
    // RFC 9882 §3: SHA-512 is the digest every ML-DSA implementation supports; a caller's choice
    // must be at least as strong as the parameter set. The signature algorithm has no parameters.
    const p = key.parameters;
    const digest = digestOverride ?? 'sha512';
    if (!p.digests.includes(digest)) throw new CmsError(CmsErrorCode.badOptions, `${p.name} needs a digest at least as strong as itself (${p.digests.join(', ')}), not ${digest}`);
    return { digest, algorithm: algorithmIdentifier(p.oid), name: p.name, sign: (d) => key.sign(d) };
  }
  const kind = keyKindOf(key);
  switch (kind) {
    case 'ed25519':
      return { digest: 'sha512', algorithm: algorithmIdentifier(OID.ed25519), name: 'ed25519', sign: (d) => new Uint8Array(sign(null, d, key)) };
    case 'p256':
    case 'p384':
    case 'p521': {
      const digest = digestOverride ?? (kind === 'p256' ? 'sha256' : kind === 'p384' ? 'sha384' : 'sha512');
      const oid = digest === 'sha256' ? OID.ecdsaWithSha256 : digest === 'sha384' ? OID.ecdsaWithSha384 : OID.ecdsaWithSha512;
      return { digest, algorithm: algorithmIdentifier(oid), name: `ecdsa-${digest}`, sign: (d) => new Uint8Array(sign(digest, d, key)) };
    }
    case 'rsa':
    case 'rsa-pss': {
      const digest = digestOverride ?? 'sha256';
      return {
        digest,
        algorithm: algorithmIdentifier(OID.rsassaPss, rsaPssParameters(digest)),
        name: `rsassa-pss-${digest}`,
        sign: (d) => new Uint8Array(sign(digest, d, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT[digest]! })),
      };
    }
    default:
      throw new CmsError(CmsErrorCode.unsupported, `cannot sign with a ${kind} key`);
  }
}

const weakDigests = new Set<DigestName>(['sha1']);

/**
 * Algorithm policy, checked before any digest or signature is compared: SHA-1 refused unless
 * allowed, and ML-DSA with a digest weaker than its parameter set refused (RFC 9882 §3).
 */
export function checkSignerAlgorithms(alg: AlgorithmIdentifier, digestAlg: DigestName, allowSha1: boolean): void {
  if (weakDigests.has(digestAlg) && !allowSha1) throw new CmsError(CmsErrorCode.algorithmRefused, 'SHA-1 signatures are refused');
  const dsa = mlDsaByOid(alg.algorithm);
  if (dsa && !dsa.digests.includes(digestAlg)) throw new CmsError(CmsErrorCode.algorithmRefused, `${dsa.name} with the weaker digest ${digestAlg} is refused (RFC 9882 §3)`);
}

/**
 * Verifies `signature` over `data` with the algorithm named in a SignerInfo. Throws
 * CMS_SIGNATURE_INVALID on a bad signature (never returns false).
 */
export function verifySignature(alg: AlgorithmIdentifier, digestAlg: DigestName, data: Uint8Array, signature: Uint8Array, signer: Certificate, allowSha1: boolean): string {
  if (weakDigests.has(digestAlg) && !allowSha1) throw new CmsError(CmsErrorCode.algorithmRefused, 'SHA-1 signatures are refused');
  const dsa = mlDsaByOid(alg.algorithm);
  if (dsa) return verifyMlDsa(dsa, alg, digestAlg, data, signature, signer);
  if (signer.mlDsaPublicKey) throw mismatch(alg.algorithm, signer.keyKind);
  const key = signer.publicKey;
  const kind = keyKindOf(key);
  let ok: boolean;
  let name: string;
  switch (alg.algorithm) {
    case OID.ed25519:
      if (kind !== 'ed25519') throw mismatch(alg.algorithm, kind);
      ok = verify(null, data, key, signature);
      name = 'ed25519';
      break;
    case OID.ecdsaWithSha256:
    case OID.ecdsaWithSha384:
    case OID.ecdsaWithSha512:
    case OID.ecPublicKey: {
      if (kind !== 'p256' && kind !== 'p384' && kind !== 'p521') throw mismatch(alg.algorithm, kind);
      const d = alg.algorithm === OID.ecdsaWithSha256 ? 'sha256' : alg.algorithm === OID.ecdsaWithSha384 ? 'sha384' : alg.algorithm === OID.ecdsaWithSha512 ? 'sha512' : digestAlg;
      ok = verify(d, data, key, signature);
      name = `ecdsa-${d}`;
      break;
    }
    case OID.rsassaPss: {
      if (kind !== 'rsa' && kind !== 'rsa-pss') throw mismatch(alg.algorithm, kind);
      const p = pssParams(alg);
      if (weakDigests.has(p.digest) && !allowSha1) throw new CmsError(CmsErrorCode.algorithmRefused, 'RSA-PSS with SHA-1 is refused');
      ok = verify(p.digest, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.saltLength }, signature);
      name = `rsassa-pss-${p.digest}`;
      break;
    }
    case OID.rsaEncryption:
    case OID.sha256WithRsa:
    case OID.sha384WithRsa:
    case OID.sha512WithRsa: {
      if (kind !== 'rsa') throw mismatch(alg.algorithm, kind);
      const d = alg.algorithm === OID.sha256WithRsa ? 'sha256' : alg.algorithm === OID.sha384WithRsa ? 'sha384' : alg.algorithm === OID.sha512WithRsa ? 'sha512' : digestAlg;
      ok = verify(d, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      name = `rsa-pkcs1-v1_5-${d}`;
      break;
    }
    default:
      throw new CmsError(CmsErrorCode.unsupported, `signature algorithm ${alg.algorithm}`);
  }
  if (!ok) throw new CmsError(CmsErrorCode.signatureInvalid, `the ${name} signature does not verify`);
  return name;
}

/** RFC 9882 §3: pure ML-DSA over the DER signed attributes, parameters absent, a strong enough digest. */
function verifyMlDsa(dsa: NonNullable<ReturnType<typeof mlDsaByOid>>, alg: AlgorithmIdentifier, digestAlg: DigestName, data: Uint8Array, signature: Uint8Array, signer: Certificate): string {
  if (alg.parameters) throw new CmsError(CmsErrorCode.unsupported, `${dsa.name} signature algorithm parameters must be absent (RFC 9882 §3)`);
  if (signer.keyKind !== dsa.name || !signer.mlDsaPublicKey) throw mismatch(alg.algorithm, signer.keyKind);
  if (!dsa.digests.includes(digestAlg)) throw new CmsError(CmsErrorCode.algorithmRefused, `${dsa.name} with the weaker digest ${digestAlg} is refused (RFC 9882 §3)`);
  if (!mlDsaVerify(dsa, signer.mlDsaPublicKey, data, signature)) throw new CmsError(CmsErrorCode.signatureInvalid, `the ${dsa.name} signature does not verify`);
  return dsa.name;
}

function mismatch(alg: string, kind: string): CmsError {
  return new CmsError(CmsErrorCode.signatureInvalid, `signature algorithm ${alg} does not match the signer's ${kind} key`);
}

/** RSASSA-PSS-params (RFC 4055 §3.1): MGF1 with the same hash, trailer field 1. */
function pssParams(alg: AlgorithmIdentifier): { digest: DigestName; saltLength: number } {
  let digest: DigestName = 'sha1';
  let mgfDigest: DigestName = 'sha1';
  let saltLength = 20;
  for (const f of alg.parameters ? sequenceChildren(alg.parameters, 'RSASSA-PSS-params') : []) {
    if (isContext(f, 0)) digest = digestOf(readAlgorithmIdentifier(f.children[0], 'hashAlgorithm').algorithm);
    else if (isContext(f, 1)) {
      const mgf = readAlgorithmIdentifier(f.children[0], 'maskGenAlgorithm');
      if (mgf.algorithm !== OID.mgf1) throw new CmsError(CmsErrorCode.unsupported, 'PSS mask generation other than MGF1');
      mgfDigest = digestOf(readAlgorithmIdentifier(mgf.parameters, 'MGF1 hash').algorithm);
    } else if (isContext(f, 2)) saltLength = readSmallInteger(f.children[0], 'saltLength');
    else if (isContext(f, 3) && readSmallInteger(f.children[0], 'trailerField') !== 1) throw new CmsError(CmsErrorCode.unsupported, 'PSS trailer field other than 1');
  }
  if (digest !== mgfDigest) throw new CmsError(CmsErrorCode.unsupported, `PSS with hash ${digest} and MGF1 hash ${mgfDigest}`);
  return { digest, saltLength };
}

export function digestOf(oid: string): DigestName {
  const d = digestByOid[oid];
  if (!d) throw new CmsError(CmsErrorCode.unsupported, `digest algorithm ${oid}`);
  return d;
}
