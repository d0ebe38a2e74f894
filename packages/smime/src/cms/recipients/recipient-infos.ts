/**
 * RecipientInfos (RFC 5652 §6.2) as a whole: which module handles each kind, in both directions.
 * Writing picks the kind from the recipient's key (RSA: ktri; P-curves and X25519: kari; ML-KEM:
 * ori with a KEMRecipientInfo; passwords: pwri, written by seal). Opening with a key pair collects
 * the entries addressed to a key of its kind and tries them; kekri entries never are.
 */
import type { KeyObject } from 'node:crypto';
import type { Asn1Node } from '../../asn1/ber-reader.js';
import { CmsError, CmsErrorCode, isCmsError } from '../../errors.js';
import { keyKindOf, parseCertificate, type Certificate, type CertificateInput } from '../../x509/certificate.js';
import { ridMatches } from '../recipient-identifier.js';
import { encodeKari, isKari, kariCandidates } from './kari.js';
import { encodeKemri, type KemPrivateKey } from './kem.js';
import { encodeKtri, isKtri, ktriCandidates } from './ktri.js';
import { isOri, oriCandidates } from './ori.js';
import { isKemKey } from '../../x509/keys.js';
import type { Candidate, KeyRecipient, RecipientOptions, RecipientPolicy, RecipientUsed } from './types.js';

export type RecipientInput = CertificateInput | RecipientOptions;

export function normalizeRecipient(r: RecipientInput): KeyRecipient {
  if (typeof r === 'string' || r instanceof Uint8Array || 'der' in r) return { certificate: r, cert: parseCertificate(r) };
  return { ...r, cert: parseCertificate(r.certificate) };
}

export function encodeRecipientInfo(r: KeyRecipient, cek: Uint8Array): Uint8Array {
  const kind = r.identifier ?? 'issuerAndSerialNumber';
  switch (r.cert.keyKind) {
    case 'rsa':
      return encodeKtri(r, kind, cek);
    case 'p256':
    case 'p384':
    case 'p521':
    case 'x25519':
      return encodeKari(r, kind, cek);
    case 'ml-kem-512':
    case 'ml-kem-768':
    case 'ml-kem-1024':
    case 'mlkem768-x25519':
      return encodeKemri(r, kind, cek);
    default:
      throw new CmsError(CmsErrorCode.unsupported, `cannot encrypt to a ${r.cert.keyKind} key (certificate '${r.cert.subjectText}')`);
  }
}

/**
 * Finds the RecipientInfo for our key and returns the CEK. With a certificate, only entries naming
 * it are tried; without one, every entry that fits the key type is tried in turn.
 */
export async function recoverContentKey(
  recipientInfos: readonly Asn1Node[],
  key: KeyObject | KemPrivateKey,
  cert: Certificate | undefined,
  cekLength: number,
  policy: RecipientPolicy,
): Promise<{ cek: Uint8Array; recipient: RecipientUsed }> {
  const kind = isKemKey(key) ? key.algorithm : keyKindOf(key);
  const candidates: Candidate[] = [];
  recipientInfos.forEach((ri, index) => {
    for (const c of candidatesOf(ri, index, key, kind, policy, cekLength)) {
      if (!cert || ridMatches(c.rid, cert)) candidates.push(c);
    }
  });
  if (candidates.length === 0) {
    throw new CmsError(CmsErrorCode.noMatchingRecipient, cert ? `no RecipientInfo names certificate '${cert.subjectText}'` : `no RecipientInfo for a ${kind} key`);
  }
  let lastError: unknown;
  for (const c of candidates) {
    try {
      const { cek, scheme } = await c.decrypt();
      if (cek.length !== cekLength) throw new CmsError(CmsErrorCode.decryptFailed, `recovered key is ${cek.length} bytes, the content cipher needs ${cekLength}`);
      return { cek, recipient: { index: c.index, type: c.type, scheme, identifier: c.rid } };
    } catch (err) {
      if (isCmsError(err) && (err.code === CmsErrorCode.algorithmRefused || err.code === CmsErrorCode.unsupported) && candidates.length === 1) throw err;
      lastError = err;
    }
  }
  if (isCmsError(lastError) && (lastError.code === CmsErrorCode.algorithmRefused || lastError.code === CmsErrorCode.unsupported)) throw lastError;
  if (cert) throw new CmsError(CmsErrorCode.decryptFailed, 'could not recover the content-encryption key for our RecipientInfo', { cause: lastError });
  throw new CmsError(CmsErrorCode.noMatchingRecipient, 'no RecipientInfo could be opened with this key', { cause: lastError });
}

function candidatesOf(ri: Asn1Node, index: number, key: KeyObject | KemPrivateKey, kind: string, policy: RecipientPolicy, cekLength: number): Candidate[] {
  if (isKemKey(key)) return isOri(ri) ? oriCandidates(ri, index, key) : [];
  if (isKtri(ri)) return ktriCandidates(ri, index, key, kind, policy, cekLength);
  if (isKari(ri)) return kariCandidates(ri, index, key, kind, policy);
  return []; // kekri [2], pwri [3] (opened with a password, pwri.ts), ori [4] (a KEM key's)
}
