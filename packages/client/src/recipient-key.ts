/**
 * Which of the printer's advertised keys a job is sealed to (issue 18, docs/decisions.md D14). A
 * printer may list, after its classical certificate and chain, a post-quantum one for the same
 * printer-uuid: ML-KEM, or the composite ML-KEM-768 + X25519 whose job needs both keys broken.
 * Old clients take the first certificate and build its chain from the CA certificates only, so the
 * extra leaf does not disturb them.
 *
 * A post-quantum certificate is used only when it chains to one of the configured trust anchors
 * and names the printer. The relay delivers the whole list, so it could add a key of its own; a
 * pin covers the classical certificate only, so under pinning or first use the post-quantum
 * certificate is ignored (and `requirePostQuantum` refuses). Preference: hybrid, then ML-KEM by
 * strength, then the classical certificate the trust decision covered.
 */
import { X509Certificate } from 'node:crypto';
import { parseCertificate, isCmsError, type Certificate } from '@trustnoone/smime';
import { ClientError } from './errors.js';
import { certificateUris, chainToAnchor, type TrustDecision } from './trust.js';

export type KeyProtection = 'hybrid' | 'post-quantum' | 'classical';

export interface RecipientKey {
  /** PEM of the certificate the job is sealed to. */
  readonly certificatePem: string;
  readonly protection: KeyProtection;
  /** The key's algorithm as smime names it ('mlkem768-x25519', 'ml-kem-768', 'x25519', 'p256', ...). */
  readonly algorithm: string;
}

const PREFERENCE = ['mlkem768-x25519', 'ml-kem-1024', 'ml-kem-768', 'ml-kem-512'] as const;

export interface RecipientKeyOptions {
  /** Refuse a printer that offers no trusted post-quantum or hybrid key. */
  readonly requirePostQuantum?: boolean;
  readonly now?: Date;
}

/**
 * Picks the certificate to seal to from printer-pkcs7-public-key (`advertisedPem`), given the trust
 * decision already made on its first certificate and the configured anchors.
 */
export function chooseRecipientKey(advertisedPem: string, printerUuid: string, trust: TrustDecision, anchors: readonly X509Certificate[], options: RecipientKeyOptions = {}): RecipientKey {
  const blocks = advertisedPem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const classicalPem = `${blocks[0]}\n`;
  const classical = parseCertificate(classicalPem);
  const x509s = blocks.map((b) => new X509Certificate(b));
  const now = options.now ?? new Date();
  const uuid = printerUuid.toLowerCase();
  const candidates: { pem: string; cert: Certificate }[] = [];
  for (let i = 1; i < blocks.length; i++) {
    let cert: Certificate;
    try {
      cert = parseCertificate(blocks[i]!);
    } catch (err) {
      if (isCmsError(err)) continue; // not one we could seal to anyway
      throw err;
    }
    if (!(PREFERENCE as readonly string[]).includes(cert.keyKind) || cert.isCA) continue;
    if (!certificateUris(x509s[i]!).map((u) => u.toLowerCase()).includes(uuid)) continue;
    // Its own path to an anchor: the trust decision on the first certificate does not cover it.
    const chain = [x509s[i]!, ...x509s.filter((_, j) => j !== i)];
    if (trust.kind !== 'verified' || !chainToAnchor(chain, [...anchors], now)) continue;
    candidates.push({ pem: `${blocks[i]}\n`, cert });
  }
  candidates.sort((a, b) => PREFERENCE.indexOf(a.cert.keyKind as (typeof PREFERENCE)[number]) - PREFERENCE.indexOf(b.cert.keyKind as (typeof PREFERENCE)[number]));
  const best = candidates[0];
  if (best) return { certificatePem: best.pem, protection: best.cert.keyKind === 'mlkem768-x25519' ? 'hybrid' : 'post-quantum', algorithm: best.cert.keyKind };
  if (options.requirePostQuantum) {
    const offered = blocks.length > 1 ? ' (a post-quantum certificate that does not chain to a configured trust anchor is not used: a relay could have added it)' : '';
    throw new ClientError(
      'CLIENT_POST_QUANTUM_UNAVAILABLE',
      `printer ${uuid} offers no trusted post-quantum or hybrid key${offered}; not printing because --require-pq was given`,
    );
  }
  return { certificatePem: classicalPem, protection: 'classical', algorithm: classical.keyKind };
}
