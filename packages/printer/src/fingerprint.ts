/** `tno printer --show-fingerprint`: the printer certificate's SHA-256, for out-of-band comparison (docs/spec-notes.md §3). */
import { formatFingerprint } from '@trustnoone/smime';
import { DEFAULTS, type PrinterOptions } from './options.js';
import { loadKeyStore } from './secure/key-store.js';
import { loadOrCreateIdentity } from './state/identity.js';
import { prepareState, stateLayout } from './state/state-dir.js';

export interface FingerprintInfo {
  readonly printerUuid: string;
  readonly algorithm: string;
  /** Lowercase hex SHA-256 of the DER certificate. */
  readonly fingerprint: string;
  /** The same, as colon-separated pairs for reading aloud. */
  readonly fingerprintFormatted: string;
  readonly certificateFile: string;
  readonly subject: string;
  readonly issuer: string;
}

/** Reads (or, on first use, creates) the key store and reports the certificate's fingerprint. */
export async function showFingerprint(options: Pick<PrinterOptions, 'stateDir' | 'keyAlgorithm' | 'issuer' | 'name'>): Promise<FingerprintInfo> {
  const layout = stateLayout(options.stateDir);
  await prepareState(layout);
  const ident = await loadOrCreateIdentity(layout.identityFile);
  const keys = await loadKeyStore(layout, {
    algorithm: options.keyAlgorithm ?? 'p256',
    printerUuid: ident.uuid,
    printerName: options.name ?? DEFAULTS.name,
    ...(options.issuer ? { issuer: options.issuer } : {}),
  });
  return {
    printerUuid: `urn:uuid:${ident.uuid}`,
    algorithm: keys.algorithm,
    fingerprint: keys.fingerprint,
    fingerprintFormatted: formatFingerprint(keys.fingerprint),
    certificateFile: keys.certificateFile,
    subject: keys.certificate.subjectText,
    issuer: keys.certificate.issuerText,
  };
}
