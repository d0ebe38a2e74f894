/**
 * ML-KEM encapsulation to a printer key already seen. FIPS 203 ML-KEM.Encaps spends about half its
 * time on work that depends only on the public key: the modulus check of ek (§7.2), H(ek), decoding
 * t̂ and expanding the matrix Â from ρ with SHAKE128 (K² SampleNTT calls). A client seals every job
 * of a printer to the same key, so that work is done once per key with @noble/post-quantum's
 * prepare() and kept here; only public data is held.
 *
 * Entries are found by the key's SHA-256 and then compared byte for byte with the key the entry
 * was prepared from, so a lookup can never hand back another key's encapsulator. The table is
 * bounded (least recently used out first): a client printing to many printers keeps only the last
 * few.
 */
import { createHash } from 'node:crypto';
import type { KEMPrepared } from '@noble/post-quantum/ml-kem.js';
import type { MlKemParameters } from './ml-kem.js';

type Prepared = KEMPrepared;

/** How many printer keys stay prepared (each costs ~10 KB: Â and t̂ of ML-KEM-1024). */
export const PREPARED_ENCAPSULATORS = 32;

const table = new Map<string, Prepared>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function preparedFor(p: MlKemParameters, publicKey: Uint8Array): Prepared {
  const id = `${p.name}:${createHash('sha256').update(publicKey).digest('hex')}`;
  const hit = table.get(id);
  if (hit && sameBytes(hit.publicKey, publicKey)) {
    table.delete(id); // most recently used last
    table.set(id, hit);
    return hit;
  }
  // prepare() runs the same checks as encapsulate() (length, FIPS 203 §7.2 modulus) and throws alike.
  const prepared = p.kem.prepare(publicKey);
  table.delete(id);
  table.set(id, prepared);
  if (table.size > PREPARED_ENCAPSULATORS) table.delete(table.keys().next().value!);
  return prepared;
}

/**
 * ML-KEM.Encaps(ek); the same result as `p.kem.encapsulate(publicKey, m)` for the same m.
 * `m` (vectors only) is the 32-byte message FIPS 203 draws at random.
 */
export function mlKemEncapsulate(p: MlKemParameters, publicKey: Uint8Array, m?: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array } {
  return preparedFor(p, publicKey).encapsulate(m);
}

/** The number of keys held (tests). */
export const preparedEncapsulatorCount = (): number => table.size;
