/**
 * Who may sign a printer's sealed answers (Get-Encrypted-Job-Attributes; docs/decisions.md "Who
 * signs an X25519 printer's answers", docs/profile.md). The user trusts one certificate per
 * printer, the first in printer-pkcs7-public-key (verified by an anchor, or pinned). An answer is
 * accepted when it is signed by
 *   (a) that certificate, or
 *   (b) the certificate advertised after it that verifiably issued it: an X25519 key cannot sign,
 *       so such a printer signs with the issuer of its certificate.
 * In (b) the trust reaches the issuer only through the signature on the trusted certificate, so
 * the pin keeps covering it: a relay that advertises another issuer cannot produce one whose key
 * verifies that signature. That holds for ECDSA on a named curve and Ed25519; with RSA a forger
 * can construct a key under which a given signature verifies (duplicate-signature key selection),
 * so an RSA issuer is accepted only when the user configured it as a trust anchor.
 */
import { X509Certificate } from 'node:crypto';
import { certificateSignedBy, parseCertificates, type Certificate } from '@trustnoone/smime';
import { ClientError } from './errors.js';

/** Which of the printer's certificates signed the answer. */
export type AnswerSigner = 'printer-certificate' | 'printer-issuer';

export interface AnswerSignerCheck {
  /** printer-pkcs7-public-key joined back into PEM text: the trusted certificate first. */
  readonly advertisedPem: string;
  /** SHA-256 of the certificate the trust decision was made on (lowercase hex). */
  readonly trustedFingerprint: string;
  /** The certificate the answer's SignerInfo verified with. */
  readonly signer: Certificate;
  /** SHA-256 fingerprints of the user's trust anchors. */
  readonly anchorFingerprints: readonly string[];
  /** Time the issuer must be valid at; default now. */
  readonly now?: Date;
}

/** keyUsage bit keyCertSign (RFC 5280 §4.2.1.3). */
const KEY_CERT_SIGN = 5;
/** Signature schemes under which nobody can construct a second key that verifies a given signature. */
// ML-DSA signs μ = H(H(pk) ‖ M′) (FIPS 204 Algorithm 7), so a signature is bound to the one key.
const BINDING_ISSUER_KINDS = new Set(['p256', 'p384', 'p521', 'ed25519', 'ml-dsa-44', 'ml-dsa-65', 'ml-dsa-87']);
/** Same bound as the trust decision: a printer's chain is short. */
const MAX_ADVERTISED = 6;

function refuse(why: string): never {
  throw new ClientError('CLIENT_SEALED_ANSWER_INVALID', `the answer is not signed by the printer's trusted key (${why}); a relay may be forging it`);
}

function validAt(cert: Certificate, now: Date): boolean {
  return cert.notBefore <= now && now <= cert.notAfter;
}

/** Throws CLIENT_SEALED_ANSWER_INVALID unless the answer's signer is one the user's trust covers. */
export function checkAnswerSigner(check: AnswerSignerCheck): AnswerSigner {
  let advertised: Certificate[];
  try {
    advertised = parseCertificates(check.advertisedPem);
  } catch (cause) {
    throw new ClientError('CLIENT_TRUST_KEY_INVALID', 'the printer-pkcs7-public-key of the printer is not a valid certificate', { cause });
  }
  if (advertised.length > MAX_ADVERTISED) refuse(`${advertised.length} certificates advertised`);
  const [leaf, ...rest] = advertised;
  // The decision was made on this very text; a mismatch means the caller passed something else.
  if (leaf?.fingerprint !== check.trustedFingerprint) refuse('the advertised certificate is not the trusted one');
  if (check.signer.fingerprint === leaf.fingerprint) return 'printer-certificate';

  const issuer = rest.find((c) => c.fingerprint === check.signer.fingerprint);
  if (!issuer) refuse('signed by a certificate the printer does not advertise');
  if (!issuer.isCA || (issuer.keyUsage !== undefined && !issuer.keyUsage.has(KEY_CERT_SIGN))) {
    refuse('the advertised issuer is not a CA certificate (basicConstraints cA, keyUsage keyCertSign)');
  }
  if (!validAt(issuer, check.now ?? new Date())) refuse('the advertised issuer is outside its validity period');
  if (issuer.keyKind.startsWith('ml-dsa-')) {
    // node 20 has no ML-DSA: the issuer name and the RFC 9881 signature are checked by smime.
    if (!certificateSignedBy(leaf, issuer)) refuse('the advertised issuer did not sign the trusted certificate');
  } else {
    const leafX509 = new X509Certificate(Buffer.from(leaf.der));
    const issuerX509 = new X509Certificate(Buffer.from(issuer.der));
    if (!leafX509.checkIssued(issuerX509) || !leafX509.verify(issuer.publicKey)) refuse('the advertised issuer did not sign the trusted certificate');
  }
  if (!BINDING_ISSUER_KINDS.has(issuer.keyKind) && !check.anchorFingerprints.includes(issuer.fingerprint)) {
    refuse(`the issuer has a ${issuer.keyKind} key, which does not bind it to the trusted certificate; add it as a trust anchor to accept it`);
  }
  return 'printer-issuer';
}
