/**
 * Pinning a printer's key deliberately (docs/spec-notes.md §3): the user has compared the fingerprint out
 * of band (the printer's panel, web page or QR code) and records it for the URI it was reached at
 * and the printer-uuid found there (docs/decisions.md D23).
 */
import { X509Certificate } from 'node:crypto';
import { ClientError } from './errors.js';
import { printerInfo } from './print.js';
import type { Connection } from './transport.js';
import { fingerprintOf, formatFingerprint, type Pin, type TrustStore } from './trust-store.js';

export interface PinOptions {
  readonly store: TrustStore;
  /** The fingerprint the user read on the printer itself (hex, colons optional). Strongly advised. */
  readonly fingerprint?: string;
}

export interface PinResult {
  readonly printerUuid: string;
  readonly fingerprint: string;
  readonly subject: string;
  /** The pin this one replaced, if any. */
  readonly previous: Pin | undefined;
}

function normalize(fp: string): string {
  return fp.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
}

/**
 * Fetches the printer's key and pins it. With `fingerprint`, the key must match it (this is the
 * only way to replace an existing, different pin); without it, an existing different pin is kept
 * and the call refused, since nothing shows the new key is genuine.
 */
export async function pinPrinter(conn: Connection, options: PinOptions): Promise<PinResult> {
  const info = await printerInfo(conn);
  if (!info.trustnoone || !info.certificatePem || !info.printerUuid) {
    throw new ClientError('CLIENT_NOT_TRUSTNOONE', `${conn.printer} does not advertise a TRUSTNOONE key and printer-uuid; there is nothing to pin`);
  }
  // The pin is the printer's own certificate, the first one advertised; an issuer may follow it
  // (docs/decisions.md D6) and is covered through its signature on this one.
  const leafPem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(info.certificatePem)?.[0] ?? info.certificatePem;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(leafPem);
  } catch (cause) {
    throw new ClientError('CLIENT_TRUST_KEY_INVALID', `the printer-pkcs7-public-key of ${conn.printer} is not a certificate`, { cause });
  }
  const fingerprint = fingerprintOf(cert);
  if (options.fingerprint !== undefined) {
    const expected = normalize(options.fingerprint);
    if (expected.length !== 64) throw new ClientError('CLIENT_BAD_INPUT', `--fingerprint must be a SHA-256 fingerprint (64 hex digits), got ${options.fingerprint}`);
    if (expected !== fingerprint) {
      throw new ClientError(
        'CLIENT_TRUST_KEY_CHANGED',
        `the key offered by ${conn.printer} has fingerprint ${formatFingerprint(fingerprint)}, not the ${formatFingerprint(expected)} you gave: a relay may be substituting keys; not pinning`,
      );
    }
  }
  const previous = await options.store.binding(conn.printer);
  if (previous && (previous.fingerprint !== fingerprint || previous.printerUuid !== info.printerUuid) && options.fingerprint === undefined) {
    throw new ClientError(
      'CLIENT_TRUST_KEY_CHANGED',
      `${conn.printer} is pinned to printer ${previous.printerUuid} with key ${formatFingerprint(previous.fingerprint)} but now reaches ${info.printerUuid} with key ${formatFingerprint(fingerprint)}: ` +
        `a relay may be substituting keys. If the printer really changed, read the new fingerprint on the printer and pass it with --fingerprint`,
    );
  }
  const subject = cert.subject.split('\n').join(', ');
  await options.store.bind({ printerUri: conn.printer, printerUuid: info.printerUuid, fingerprint, pinnedAt: new Date().toISOString(), how: 'manual', subject });
  return { printerUuid: info.printerUuid, fingerprint, subject, previous };
}
