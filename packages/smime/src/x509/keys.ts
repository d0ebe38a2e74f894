/** Private keys: PKCS#8 (RFC 5958), SEC1 (RFC 5915) and PKCS#1, PEM or DER, or a node KeyObject. */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { CmsError, CmsErrorCode } from '../errors.js';
import { loadMlKemPrivateKey, MlKemPrivateKey } from './ml-kem-keys.js';

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

/**
 * A key that opens envelopes: an ML-KEM key (given as MlKemPrivateKey, or PKCS#8 naming an ML-KEM
 * algorithm, which node 20 cannot load) or anything loadPrivateKey reads.
 */
export function loadRecipientKey(input: PrivateKeyInput | MlKemPrivateKey, passphrase?: string): KeyObject | MlKemPrivateKey {
  if (input instanceof MlKemPrivateKey) return input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const kem = passphrase === undefined ? loadMlKemPrivateKey(input) : undefined;
    if (kem) return kem;
  }
  return loadPrivateKey(input, passphrase);
}
