/**
 * Key derivation for key agreement recipients: the ANSI X9.63 KDF of RFC 5753 §7.2 (P-256/P-384)
 * and HKDF of RFC 8418 §2.2 (X25519), both fed the DER ECC-CMS-SharedInfo.
 */
import { createHash, hkdfSync } from 'node:crypto';
import { algorithmIdentifier, contextTag, octetString, sequence } from '../asn1/der-writer.js';
import type { DigestName } from '../oids.js';

/**
 * ECC-CMS-SharedInfo ::= SEQUENCE {
 *   keyInfo         AlgorithmIdentifier,          -- the key-wrap algorithm, parameters absent
 *   entityUInfo [0] EXPLICIT OCTET STRING OPTIONAL, -- the ukm
 *   suppPubInfo [2] EXPLICIT OCTET STRING }        -- KEK length in bits, 32-bit big-endian
 * (RFC 5753 §7.2)
 */
export function eccCmsSharedInfo(wrapOid: string, ukm: Uint8Array | undefined, kekLength: number): Uint8Array {
  const bits = new Uint8Array(4);
  new DataView(bits.buffer).setUint32(0, kekLength * 8);
  return sequence(
    algorithmIdentifier(wrapOid),
    ...(ukm ? [contextTag(0, true, octetString(ukm))] : []),
    contextTag(2, true, octetString(bits)),
  );
}

/** ANSI X9.63 KDF (SEC 1 §3.6.1): Hash(Z || counter32 || SharedInfo), counter from 1. */
export function x963Kdf(digest: DigestName, z: Uint8Array, sharedInfo: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const counter = new Uint8Array(4);
  let filled = 0;
  for (let i = 1; filled < length; i++) {
    new DataView(counter.buffer).setUint32(0, i);
    const block = createHash(digest).update(z).update(counter).update(sharedInfo).digest();
    out.set(block.subarray(0, Math.min(block.length, length - filled)), filled);
    filled += block.length;
  }
  return out;
}

/** RFC 8418 §2.2: HKDF with the ukm (or nothing) as salt and the SharedInfo as info. */
export function hkdf(digest: 'sha256' | 'sha384' | 'sha512', z: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array, length: number): Uint8Array {
  return new Uint8Array(hkdfSync(digest, z, salt ?? new Uint8Array(0), info, length));
}
