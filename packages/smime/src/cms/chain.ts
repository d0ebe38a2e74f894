/**
 * Certification path check (a deliberately small subset of RFC 5280 §6): each certificate is
 * signed by the next, valid at the given time, issuers are CAs, and the path ends at a trust
 * anchor. Name constraints and policies are not processed; anchors are trusted as configured.
 */
import { CmsError, CmsErrorCode } from '../errors.js';
import { allowsKeyUsage, toX509, type Certificate } from '../x509/certificate.js';
import { mlDsaByOid, mlDsaVerify } from '../crypto/ml-dsa.js';

// keyUsage bits, RFC 5280 §4.2.1.3
const KEY_CERT_SIGN = 5;

export interface TrustResult {
  readonly trust: 'verified' | 'unchecked';
  readonly chain: readonly Certificate[];
}

const MAX_PATH = 8;

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** True when `issuer`'s key signed `cert` and `cert` names it as issuer (ML-DSA issuers included). */
export function certificateSignedBy(cert: Certificate, issuer: Certificate): boolean {
  return signedBy(cert, issuer);
}

function signedBy(cert: Certificate, issuer: Certificate): boolean {
  if (!equal(cert.issuer, issuer.subject)) return false;
  // RFC 9881 §3: node 20 has no ML-DSA, so an ML-DSA certificate signature is checked here
  // (pure mode, empty context, parameters absent, and only with an issuer key of the same set).
  const dsa = mlDsaByOid(cert.signatureAlgorithm.algorithm);
  if (dsa || issuer.mlDsaPublicKey) {
    if (!dsa || issuer.keyKind !== dsa.name || cert.signatureAlgorithm.parameters) return false;
    return mlDsaVerify(dsa, issuer.mlDsaPublicKey!, cert.tbs, cert.signature);
  }
  try {
    return toX509(cert).verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function checkValidity(cert: Certificate, at: Date): void {
  if (at < cert.notBefore || at > cert.notAfter) {
    throw new CmsError(CmsErrorCode.untrusted, `certificate '${cert.subjectText}' is not valid at ${at.toISOString()} (valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`);
  }
}

export function verifyChain(leaf: Certificate, pool: readonly Certificate[], anchors: readonly Certificate[] | undefined, at: Date): TrustResult {
  if (!anchors) return { trust: 'unchecked', chain: [leaf] };
  const chain: Certificate[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_PATH; depth++) {
    checkValidity(current, at);
    if (anchors.some((a) => a.fingerprint === current.fingerprint)) return { trust: 'verified', chain };
    const anchor = anchors.find((a) => signedBy(current, a));
    if (anchor) {
      if (!anchor.isCA || !allowsKeyUsage(anchor, KEY_CERT_SIGN)) throw new CmsError(CmsErrorCode.untrusted, `trust anchor '${anchor.subjectText}' is not a CA certificate allowed to sign certificates`);
      chain.push(anchor);
      return { trust: 'verified', chain };
    }
    const next = pool.find((c) => c.isCA && allowsKeyUsage(c, KEY_CERT_SIGN) && c.fingerprint !== current.fingerprint && !chain.includes(c) && signedBy(current, c));
    if (!next) break;
    chain.push(next);
    current = next;
  }
  throw new CmsError(CmsErrorCode.untrusted, `certificate '${leaf.subjectText}' does not chain to a trust anchor`);
}
