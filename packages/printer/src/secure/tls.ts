/**
 * TLS credentials for ipps, generated on first start (docs/architecture.md "Configuration defaults"):
 * keys/tls.key.pem (0600) and certs/tls.pem, a self-signed P-256 certificate for the listening
 * host and localhost. Clients verify it by pinning its SHA-256 fingerprint (printed at start).
 */
import { readFile, rename, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { certificateToPem, createCertificate, generateKeyPair, loadPrivateKey, parseCertificate, privateKeyToPem } from '@trustnoone/smime';
import { PrinterError } from '../errors.js';
import type { StateLayout } from '../state/state-dir.js';

export interface TlsCredentials {
  readonly keyPem: string;
  readonly certificatePem: string;
  /** SHA-256 of the DER certificate, lowercase hex. */
  readonly fingerprint: string;
}

async function read(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new PrinterError('PRINTER_TLS', `cannot read ${file}`, { cause: err });
  });
}

export async function loadOrCreateTlsCredentials(layout: StateLayout, host: string): Promise<TlsCredentials> {
  const keyFile = join(layout.keys, 'tls.key.pem');
  const certFile = join(layout.certs, 'tls.pem');
  const [keyPem, certPem] = [await read(keyFile), await read(certFile)];
  if (keyPem !== undefined && certPem !== undefined) {
    const cert = parseCertificate(certPem);
    if (cert.notAfter.getTime() > Date.now()) return { keyPem, certificatePem: certPem, fingerprint: cert.fingerprint };
  }
  const key = keyPem !== undefined ? loadPrivateKey(keyPem) : generateKeyPair('p256').privateKey;
  const dnsNames = [...new Set(['localhost', ...(/^[0-9.:[\]]+$/.test(host) ? [] : [host])])];
  const cert = createCertificate({ subject: { commonName: host }, publicKey: key, signingKey: key, dnsNames, validityDays: 825 });
  const newKeyPem = privateKeyToPem(key);
  if (keyPem === undefined) {
    await writeFile(`${keyFile}.tmp`, newKeyPem, { mode: 0o600 });
    await chmod(`${keyFile}.tmp`, 0o600);
    await rename(`${keyFile}.tmp`, keyFile);
  }
  const certificatePem = certificateToPem(cert);
  await writeFile(certFile, certificatePem);
  return { keyPem: newKeyPem, certificatePem, fingerprint: cert.fingerprint };
}
