/**
 * The printer's TRUSTNOONE key store (docs/architecture.md "Data at rest"), generated on first start:
 *
 *   keys/printer.key.pem      the decryption key (PKCS#8, mode 0600, never logged)
 *   certs/printer.pem         its certificate, subjectAltName urn:uuid:<printer-uuid> (docs/spec-notes.md §3)
 *   keys/printer-ca.key.pem   only for an X25519 key without an external CA: X25519 cannot sign,
 *   certs/printer-ca.pem      so a local P-256 issuer signs the certificate and the printer's answers
 *
 * When the key cannot sign, printer-pkcs7-public-key carries the certificate followed by the
 * issuer that signs the answers, so a client can check that issuer against the certificate it
 * pinned (docs/decisions.md "Who signs an X25519 printer's answers").
 *
 * With `postQuantum`, a second key and certificate for the same printer-uuid (docs/decisions.md
 * D14), issued by the external CA or the local issuer, since KEM keys cannot sign:
 *
 *   keys/printer-pq.key.pem   ML-KEM or composite ML-KEM-768 + X25519 key (PKCS#8, mode 0600)
 *   certs/printer-pq.pem      its certificate, advertised after the classical one and its issuer
 *
 * The key never leaves this module except as a KeyObject handed to smime's open/seal.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { chmod, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  certificateSignedBy,
  certificateToPem,
  CompositeKemPrivateKey,
  createCertificate,
  generateKeyPair,
  loadKemPrivateKey,
  loadPrivateKey,
  loadSigningKey,
  MlKemPrivateKey,
  parseCertificate,
  pemLines,
  privateKeyToPem,
  type Certificate,
  type KemAlgorithm,
  type KemPrivateKey,
  type SigningKey,
} from '@trustnoone/smime';
import { PrinterError } from '../errors.js';
import type { KeyAlgorithm } from '../options.js';
import type { StateLayout } from '../state/state-dir.js';

export interface KeyStore {
  readonly algorithm: KeyAlgorithm;
  /** Decrypts envelopes sealed to `certificate`. */
  readonly privateKey: KeyObject;
  readonly certificate: Certificate;
  readonly certificatePem: string;
  /**
   * printer-pkcs7-public-key values (docs/spec-notes.md §1): the PEM split into lines, empty ones dropped.
   * The printer's certificate first; then, when another key signs the answers, its certificate.
   */
  readonly certificatePemLines: readonly string[];
  /** SHA-256 of the DER certificate, lowercase hex. */
  readonly fingerprint: string;
  /** Signs what the printer sends (Get-Encrypted-Job-Attributes answers). */
  readonly signer: { readonly privateKey: SigningKey; readonly certificate: Certificate };
  /** The post-quantum (or hybrid) key and certificate, when configured. */
  readonly postQuantum?: { readonly privateKey: KemPrivateKey; readonly certificate: Certificate };
  readonly keyFile: string;
  readonly certificateFile: string;
}

export interface KeyStoreOptions {
  readonly algorithm: KeyAlgorithm;
  /** Bare UUID (no urn:uuid: prefix). */
  readonly printerUuid: string;
  readonly printerName: string;
  /** Issue the certificate from this CA instead of self-signing. */
  readonly issuer?: { readonly certificatePem: string; readonly privateKeyPem: string };
  /** Also hold a post-quantum key of this algorithm (docs/decisions.md D14). */
  readonly postQuantum?: KemAlgorithm;
}

const SMIME_ALGORITHM = { p256: 'p256', x25519: 'x25519', rsa: 'rsa3072' } as const;

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PrinterError('PRINTER_KEY_STORE', `cannot read ${file}`, { cause: err });
  }
}

/** Writes a secret atomically with mode 0600 (temp file, rename). */
async function writeSecret(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

async function loadOrCreateKey(file: string, algorithm: KeyAlgorithm | 'p256-issuer'): Promise<{ key: KeyObject; created: boolean }> {
  const pem = await readIfExists(file);
  if (pem !== undefined) {
    const st = await stat(file);
    if ((st.mode & 0o077) !== 0) await chmod(file, 0o600); // a key readable by others is fixed, not used as is
    try {
      return { key: loadPrivateKey(pem), created: false };
    } catch (err) {
      throw new PrinterError('PRINTER_KEY_STORE', `${file} is not a usable private key`, { cause: err });
    }
  }
  const { privateKey } = generateKeyPair(algorithm === 'p256-issuer' ? 'p256' : SMIME_ALGORITHM[algorithm]);
  await writeSecret(file, privateKeyToPem(privateKey));
  return { key: privateKey, created: true };
}

export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'p256';
  if (key.asymmetricKeyType === 'x25519') return 'x25519';
  if (key.asymmetricKeyType === 'rsa') return 'rsa';
  throw new PrinterError('PRINTER_KEY_ALGORITHM', `unsupported printer key type ${key.asymmetricKeyType ?? 'unknown'}`);
}

function signedBy(cert: Certificate, issuer: Certificate): boolean {
  return certificateSignedBy(cert, issuer); // handles an ML-DSA issuer, which node 20 cannot check
}

function names(cert: Certificate, uuid: string): boolean {
  return cert.uris.map((u) => u.toLowerCase()).includes(`urn:uuid:${uuid.toLowerCase()}`);
}

export async function loadKeyStore(layout: StateLayout, options: KeyStoreOptions): Promise<KeyStore> {
  const keyFile = join(layout.keys, 'printer.key.pem');
  const certificateFile = join(layout.certs, 'printer.pem');
  const { key: privateKey } = await loadOrCreateKey(keyFile, options.algorithm);
  const algorithm = keyAlgorithmOf(privateKey);

  // Who signs the certificate: an external CA, the key itself, or (X25519) a local issuer.
  let issuer: { privateKey: SigningKey; certificate: Certificate } | undefined;
  if (options.issuer) {
    try {
      issuer = { certificate: parseCertificate(options.issuer.certificatePem), privateKey: loadSigningKey(options.issuer.privateKeyPem) };
    } catch (err) {
      throw new PrinterError('PRINTER_KEY_STORE', 'the issuing CA certificate or key cannot be read', { cause: err });
    }
  } else if (algorithm === 'x25519') {
    issuer = await localIssuer(layout, options.printerName);
  }

  let certificate: Certificate | undefined;
  const existing = await readIfExists(certificateFile);
  if (existing !== undefined) {
    try {
      certificate = parseCertificate(existing);
    } catch (err) {
      throw new PrinterError('PRINTER_KEY_STORE', `${certificateFile} is not a certificate; remove it to have a new one issued`, { cause: err });
    }
    const stale =
      !names(certificate, options.printerUuid) ||
      certificate.notAfter.getTime() < Date.now() ||
      (options.issuer !== undefined && certificate.issuerText !== issuer!.certificate.subjectText) ||
      // The issuer's key was replaced (e.g. printer-ca.key.pem deleted): clients check that the
      // advertised issuer signed this certificate, so reissue it rather than advertise a broken pair.
      (issuer !== undefined && !signedBy(certificate, issuer.certificate)) ||
      !Buffer.from(certificate.spki).equals(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
    if (stale) certificate = undefined;
  }
  if (!certificate) {
    certificate = createCertificate({
      subject: { commonName: options.printerName, organization: 'trustnoone printer' },
      publicKey: privateKey,
      signingKey: issuer ? issuer.privateKey : privateKey,
      ...(issuer ? { issuer: { certificate: issuer.certificate } } : {}),
      uris: [`urn:uuid:${options.printerUuid.toLowerCase()}`],
    });
    await writeFile(certificateFile, certificateToPem(certificate));
  }
  const certificatePem = certificateToPem(certificate);
  const signer = algorithm === 'x25519' ? issuer! : { privateKey, certificate };
  // A client accepts answers from the certificate it trusts or from the issuer that signed it; it
  // can only check the issuer if it is advertised next to the certificate.
  let advertisedPem = signer.certificate === certificate ? certificatePem : certificatePem + certificateToPem(signer.certificate);
  let postQuantum: KeyStore['postQuantum'];
  if (options.postQuantum) {
    const pqIssuer = issuer ?? (await localIssuer(layout, options.printerName));
    postQuantum = await loadPostQuantum(layout, options, options.postQuantum, pqIssuer);
    // After the classical certificate and its issuer, so old clients see what they saw before.
    advertisedPem += certificateToPem(postQuantum.certificate);
    if (pqIssuer.certificate !== signer.certificate) advertisedPem += certificateToPem(pqIssuer.certificate);
  }
  return {
    algorithm,
    privateKey,
    certificate,
    certificatePem,
    certificatePemLines: pemLines(advertisedPem),
    fingerprint: certificate.fingerprint,
    signer,
    ...(postQuantum ? { postQuantum } : {}),
    keyFile,
    certificateFile,
  };
}

/** The post-quantum key and its CA-issued certificate, made on first start and reissued when stale. */
async function loadPostQuantum(
  layout: StateLayout,
  options: KeyStoreOptions,
  algorithm: KemAlgorithm,
  issuer: { privateKey: SigningKey; certificate: Certificate },
): Promise<{ privateKey: KemPrivateKey; certificate: Certificate }> {
  const keyFile = join(layout.keys, 'printer-pq.key.pem');
  const certFile = join(layout.certs, 'printer-pq.pem');
  let privateKey: KemPrivateKey | undefined;
  const pem = await readIfExists(keyFile);
  if (pem !== undefined) {
    try {
      privateKey = loadKemPrivateKey(pem);
    } catch (err) {
      throw new PrinterError('PRINTER_KEY_STORE', `${keyFile} is not a usable post-quantum private key`, { cause: err });
    }
    if (!privateKey) throw new PrinterError('PRINTER_KEY_STORE', `${keyFile} is not a post-quantum (ML-KEM or composite) private key`);
  }
  if (!privateKey || privateKey.algorithm !== algorithm) {
    privateKey = algorithm === 'mlkem768-x25519' ? CompositeKemPrivateKey.generate(algorithm) : MlKemPrivateKey.generate(algorithm);
    await writeSecret(keyFile, privateKey.toPem());
  }
  const key = privateKey;
  const existing = await readIfExists(certFile);
  let certificate = existing === undefined ? undefined : parseCertificate(existing);
  if (
    certificate &&
    (!names(certificate, options.printerUuid) ||
      certificate.notAfter.getTime() < Date.now() ||
      certificate.issuerText !== issuer.certificate.subjectText ||
      !signedBy(certificate, issuer.certificate) ||
      !Buffer.from(certificate.kemPublicKey ?? []).equals(Buffer.from(key.publicKey)))
  ) {
    certificate = undefined;
  }
  if (!certificate) {
    certificate = createCertificate({
      subject: { commonName: options.printerName, organization: 'trustnoone printer' },
      publicKey: key,
      signingKey: issuer.privateKey,
      issuer: { certificate: issuer.certificate },
      uris: [`urn:uuid:${options.printerUuid.toLowerCase()}`],
    });
    await writeFile(certFile, certificateToPem(certificate));
  }
  return { privateKey: key, certificate };
}

/** The local P-256 issuer an X25519 printer key needs (X25519 keys cannot sign). */
async function localIssuer(layout: StateLayout, printerName: string): Promise<{ privateKey: KeyObject; certificate: Certificate }> {
  const keyFile = join(layout.keys, 'printer-ca.key.pem');
  const certFile = join(layout.certs, 'printer-ca.pem');
  const { key, created } = await loadOrCreateKey(keyFile, 'p256-issuer');
  const pem = created ? undefined : await readIfExists(certFile);
  if (pem !== undefined) return { privateKey: key, certificate: parseCertificate(pem) };
  const certificate = createCertificate({
    subject: { commonName: `${printerName} issuer`, organization: 'trustnoone printer' },
    publicKey: key,
    signingKey: key,
    isCA: true,
    validityDays: 3650,
  });
  await writeFile(certFile, certificateToPem(certificate));
  return { privateKey: key, certificate };
}
