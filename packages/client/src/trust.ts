/**
 * Deciding whether to encrypt to the key a printer advertises (docs/spec-notes.md §3). The intermediary
 * relays `printer-pkcs7-public-key`, so it could substitute its own: the decision is made in a
 * fixed order and reported to the caller with the fingerprint, so it can be shown and compared out
 * of band.
 */
import { X509Certificate } from 'node:crypto';
import { certificateSignedBy, parseCertificate, type Certificate } from '@trustnoone/smime';
import { ClientError } from './errors.js';
import { fingerprintOf, formatFingerprint, type Pin, type PrinterBinding, type TrustStore } from './trust-store.js';

/** What to do on first use of a printer (no pin, no anchor). */
export type FirstUsePolicy =
  /** Pin the key and go on (trust on first use); the decision says `first-use` so callers warn. */
  | 'accept'
  /** Refuse: strict mode. */
  | 'refuse'
  /** Ask (e.g. an interactive prompt showing the fingerprint); true pins and goes on. */
  | ((candidate: TrustCandidate) => Promise<boolean>);

export interface TrustOptions {
  readonly store: TrustStore;
  /** Default 'refuse' (strict): a library must not trust silently. */
  readonly firstUse?: FirstUsePolicy;
  /** Time used to check certificate validity (tests); default now. */
  readonly now?: Date;
  /** Record what is accepted (bind the URI); false only says what would happen (tno trust show). Default true. */
  readonly record?: boolean;
}

export interface TrustCandidate {
  readonly printerUuid: string;
  /** Lowercase hex SHA-256 of the printer's DER certificate. */
  readonly fingerprint: string;
  readonly subject: string;
  readonly printerUri: string;
  /**
   * Set when this printer is trusted under other URIs and is now reached at one never used: the
   * callback must say whether this URI is a genuine way to it (a relay may be steering the job).
   */
  readonly knownAt?: readonly string[];
}

export type TrustDecision = TrustCandidate &
  (
    | { readonly kind: 'verified'; readonly anchor: string }
    | { readonly kind: 'pinned'; readonly pinnedAt: string }
    | { readonly kind: 'first-use' }
  );

const MAX_CHAIN = 6;

function oneLine(dn: string): string {
  return dn.split('\n').join(', ');
}

function parseChain(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0 || blocks.length > MAX_CHAIN) {
    throw new ClientError('CLIENT_TRUST_KEY_INVALID', `the printer advertises ${blocks.length} certificates in printer-pkcs7-public-key; expected 1 to ${MAX_CHAIN}`);
  }
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch (cause) {
    throw new ClientError('CLIENT_TRUST_KEY_INVALID', 'the printer-pkcs7-public-key of the printer is not a valid certificate', { cause });
  }
}

/** `URI:` entries of the subjectAltName extension. */
export function certificateUris(cert: X509Certificate): string[] {
  const san = cert.subjectAltName ?? '';
  return san
    .split(/,\s*/)
    .filter((e) => e.startsWith('URI:'))
    .map((e) => e.slice(4).replace(/^"|"$/g, ''));
}

function validAt(cert: X509Certificate, now: Date): boolean {
  return new Date(cert.validFrom) <= now && now <= new Date(cert.validTo);
}

const parsed = new WeakMap<X509Certificate, Certificate>();
const cmsCertificate = (c: X509Certificate): Certificate => {
  let p = parsed.get(c);
  if (!p) parsed.set(c, (p = parseCertificate(new Uint8Array(c.raw))));
  return p;
};
// keyUsage keyCertSign, RFC 5280 §4.2.1.3
const KEY_CERT_SIGN = 5;

/**
 * `issuer` signed `child`. The signature goes through smime's check, which verifies ML-DSA
 * (RFC 9881) with @noble/post-quantum: node 20's X509Certificate can neither verify an ML-DSA
 * signature nor, in checkIssued, match an issuer whose key type OpenSSL 3.0 does not know. For an
 * ML-DSA issuer the name match is smime's and keyCertSign is checked here; for the others
 * checkIssued does both, as before.
 */
function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  let c: Certificate;
  let i: Certificate;
  try {
    c = cmsCertificate(child);
    i = cmsCertificate(issuer);
  } catch {
    return false; // a certificate our parser refuses verifies nothing
  }
  if (!certificateSignedBy(c, i)) return false;
  return i.mlDsaPublicKey ? i.keyUsage === undefined || i.keyUsage.has(KEY_CERT_SIGN) : child.checkIssued(issuer);
}

/** RFC 5280 §6 path building, reduced to what a printer certificate needs: up to MAX_CHAIN links. */
export function chainToAnchor(chain: X509Certificate[], anchors: X509Certificate[], now: Date): X509Certificate | undefined {
  const leafFp = fingerprintOf(chain[0]!);
  const direct = anchors.find((a) => fingerprintOf(a) === leafFp);
  if (direct) return direct;
  let current = chain[0]!;
  if (!validAt(current, now)) return undefined;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    const anchor = anchors.find((a) => validAt(a, now) && issuedBy(current, a));
    if (anchor) return anchor;
    const next = chain.slice(1).find((c) => c.ca && validAt(c, now) && issuedBy(current, c));
    if (!next) return undefined;
    current = next;
  }
  return undefined;
}

function changed(printerUri: string, why: string, forgetHint: string): ClientError {
  return new ClientError(
    'CLIENT_TRUST_KEY_CHANGED',
    `the printer at ${printerUri} changed (${why}): a relay may be substituting keys, or routing your job to another printer. Not printing. ` +
      `If the printer really was replaced, compare the new fingerprint on the printer itself, then run '${forgetHint}' and pin it again`,
  );
}

/**
 * Decides trust in a printer's certificate (PEM, possibly followed by intermediates), in the order
 * of docs/spec-notes.md §3, bound to the URI the user named (docs/decisions.md D23):
 * 1. a certificate naming another printer's uuid is refused;
 * 2. a URI already trusted must reach the same printer-uuid (else CHANGED), whose key is verified
 *    by an anchor or equals the recorded one (else CHANGED);
 * 3. a URI never seen: verified by an anchor, or matching a pin made for that uuid without a URI,
 *    is accepted and bound — unless that printer is already trusted under another URI, which is
 *    never accepted silently (the first-use callback may be asked; 'accept' refuses);
 * 4. otherwise first use (pin and report, or refuse).
 * Throws ClientError for a refusal.
 */
export async function decideTrust(printerUri: string, printerUuid: string, certificatePem: string, options: TrustOptions): Promise<TrustDecision> {
  const uuid = printerUuid.toLowerCase();
  const chain = parseChain(certificatePem);
  const leaf = chain[0]!;
  const fingerprint = fingerprintOf(leaf);
  const candidate: TrustCandidate = { printerUuid: uuid, fingerprint, subject: oneLine(leaf.subject), printerUri };
  const uuids = certificateUris(leaf).filter((u) => /^urn:uuid:/i.test(u)).map((u) => u.toLowerCase());
  // A certificate naming another printer is someone else's key, whoever issued it.
  if (uuids.length > 0 && !uuids.includes(uuid)) {
    throw new ClientError(
      'CLIENT_TRUST_KEY_INVALID',
      `the certificate offered for printer ${uuid} names ${uuids.join(', ')} instead; a relay may be substituting another device's key — not printing`,
    );
  }
  const now = options.now ?? new Date();
  const store = options.store;
  const anchor = uuids.includes(uuid) ? chainToAnchor(chain, await store.anchors(), now) : undefined;
  const bound = await store.binding(printerUri);
  if (bound) {
    if (bound.printerUuid !== uuid) {
      throw changed(printerUri, `it was printer ${bound.printerUuid} (key ${formatFingerprint(bound.fingerprint)}) and now reports ${uuid} (key ${formatFingerprint(fingerprint)})`, `tno trust forget --printer ${printerUri}`);
    }
    if (anchor) return { ...candidate, kind: 'verified', anchor: oneLine(anchor.subject) };
    if (bound.fingerprint === fingerprint) return { ...candidate, kind: 'pinned', pinnedAt: bound.pinnedAt };
    throw changed(printerUri, `its key was ${formatFingerprint(bound.fingerprint)} and now is ${formatFingerprint(fingerprint)}`, `tno trust forget --printer ${printerUri}`);
  }

  const elsewhere = await store.bindingsOf(uuid);
  const bind = async (how: 'first-use' | 'manual' | 'anchor', pinnedAt = now.toISOString()): Promise<void> => {
    if (options.record !== false) await store.bind({ printerUri, printerUuid: uuid, fingerprint, pinnedAt, how, subject: candidate.subject });
  };
  if (elsewhere.length === 0) {
    if (anchor) {
      await bind('anchor');
      return { ...candidate, kind: 'verified', anchor: oneLine(anchor.subject) };
    }
    const uuidPin = await store.uuidPin(uuid);
    if (uuidPin) {
      if (uuidPin.fingerprint !== fingerprint) {
        throw changed(printerUri, `printer ${uuid} is pinned to ${formatFingerprint(uuidPin.fingerprint)} but offers ${formatFingerprint(fingerprint)}`, `tno trust forget ${uuid}`);
      }
      await bind(uuidPin.how, uuidPin.pinnedAt);
      return { ...candidate, kind: 'pinned', pinnedAt: uuidPin.pinnedAt };
    }
  } else {
    // The same printer reached through a URI the user never used: a print server in front of it,
    // or a relay steering this job to a printer trusted for somewhere else. Only the user can tell.
    const knownAt = elsewhere.map((b) => b.printerUri);
    const policy = options.firstUse ?? 'refuse';
    const asked = typeof policy === 'function' ? await policy({ ...candidate, knownAt }) : false;
    if (!asked) {
      throw new ClientError(
        'CLIENT_TRUST_OTHER_URI',
        `${printerUri} reaches printer ${uuid}, which you trust at ${knownAt.join(', ')}, not here: a relay at ${printerUri} may be routing your job to that printer. ` +
          `If ${printerUri} really is a way to it (a print server in front of it), run 'tno trust pin --printer ${printerUri} --fingerprint ${formatFingerprint(fingerprint)}' after comparing the fingerprint on the printer`,
      );
    }
    await bind('manual');
    return { ...candidate, kind: 'pinned', pinnedAt: now.toISOString() };
  }

  const policy = options.firstUse ?? 'refuse';
  const accepted = policy === 'accept' ? true : policy === 'refuse' ? false : await policy(candidate);
  if (!accepted) {
    throw new ClientError(
      'CLIENT_TRUST_FIRST_USE_REFUSED',
      `printer ${uuid} at ${printerUri} is not trusted yet (key fingerprint ${formatFingerprint(fingerprint)}): compare it with the printer's own display, ` +
        `then run 'tno trust pin --printer ${printerUri} --fingerprint ${fingerprint}', or print with --trust-on-first-use`,
    );
  }
  await bind('first-use');
  return { ...candidate, kind: 'first-use' };
}

/**
 * Whether a printer that offers no usable key now was trusted as a TRUSTNOONE printer, at this URI
 * or under its uuid anywhere (pinned, trusted on first use or verified through an anchor). Such a
 * printer is never sent a job in clear: a relay may be hiding its key (issue 11 item 7, D23).
 */
export async function trustedBefore(
  store: TrustStore,
  printerUri: string,
  printerUuid: string | undefined,
  certificatePem?: string,
): Promise<PrinterBinding | Pin | undefined> {
  const atUri = await store.binding(printerUri);
  if (atUri) return atUri;
  if (printerUuid === undefined) return undefined;
  const known = (await store.bindingsOf(printerUuid))[0] ?? (await store.uuidPin(printerUuid));
  if (known || certificatePem === undefined) return known;
  // A certificate still advertised (the relay hid only the pkcs7 format) that an anchor verifies.
  try {
    const chain = parseChain(certificatePem);
    const uuid = printerUuid.toLowerCase();
    if (!certificateUris(chain[0]!).some((u) => u.toLowerCase() === uuid)) return undefined;
    const anchor = chainToAnchor(chain, await store.anchors(), new Date());
    return anchor ? { fingerprint: fingerprintOf(chain[0]!), pinnedAt: new Date().toISOString(), how: 'anchor' } : undefined;
  } catch {
    return undefined;
  }
}
