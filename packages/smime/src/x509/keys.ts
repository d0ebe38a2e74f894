/** Private keys: PKCS#8 (RFC 5958), SEC1 (RFC 5915) and PKCS#1, PEM or DER, or a node KeyObject. */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { CmsError, CmsErrorCode } from '../errors.js';
import { compositeKemByOid, compositeKemPrivateKeyFromPkcs8, CompositeKemPrivateKey } from './composite-kem-keys.js';
import { mlKemByOid } from '../crypto/ml-kem.js';
import { MlKemPrivateKey, mlKemPrivateKeyFromPkcs8, pkcs8AlgorithmOid, pkcs8Der } from './ml-kem-keys.js';

export type PrivateKeyInput = KeyObject | string | Uint8Array;

export function loadPrivateKey(input: PrivateKeyInput, passphrase?: string): KeyObject {
  if (typeof input === 'object' && !(input instanceof Uint8Array)) {
    if (input.type !== 'private') throw new CmsError(CmsErrorCode.badKey, `expected a private key, got a ${input.type} key`);
    return input;
  }
  const isPem = typeof input === 'string' || (input.length > 10 && new TextDecoder().decode(input.subarray(0, 11)) === '-----BEGIN ');
  if (isPem) {
    const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
    try {
      return createPrivateKey(passphrase === undefined ? { key: text } : { key: text, passphrase });
    } catch (err) {
      throw new CmsError(CmsErrorCode.badKey, 'not a usable PEM private key (PKCS#8, SEC1 or PKCS#1)', { cause: err });
    }
  }
  const der = Buffer.from(input);
  for (const type of ['pkcs8', 'sec1', 'pkcs1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch {
      // try the next encoding
    }
  }
  throw new CmsError(CmsErrorCode.badKey, 'not a usable DER private key (PKCS#8, SEC1 or PKCS#1)');
}

/** PKCS#8 PEM of a private key (for the key store and the tno command). */
export function privateKeyToPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** A private key that decapsulates (ML-KEM or composite ML-KEM), which node 20 cannot hold as a KeyObject. */
export type KemPrivateKey = MlKemPrivateKey | CompositeKemPrivateKey;

export const isKemKey = (key: unknown): key is KemPrivateKey => key instanceof MlKemPrivateKey || key instanceof CompositeKemPrivateKey;

/** A KEM private key from PKCS#8 PEM text or DER, or undefined when the key is of another kind. */
export function loadKemPrivateKey(input: string | Uint8Array): KemPrivateKey | undefined {
  const der = pkcs8Der(input);
  const oid = der && pkcs8AlgorithmOid(der);
  if (!oid) return undefined;
  if (mlKemByOid(oid)) return mlKemPrivateKeyFromPkcs8(der!);
  if (compositeKemByOid(oid)) return compositeKemPrivateKeyFromPkcs8(der!);
  return undefined;
}

/**
 * A key that opens envelopes: a KEM key (given as an object, or PKCS#8 naming an ML-KEM or
 * composite algorithm) or anything loadPrivateKey reads.
 */
export function loadRecipientKey(input: PrivateKeyInput | KemPrivateKey, passphrase?: string): KeyObject | KemPrivateKey {
  if (isKemKey(input)) return input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const kem = passphrase === undefined ? loadKemPrivateKey(input) : undefined;
    if (kem) return kem;
  }
  return loadPrivateKey(input, passphrase);
}
