/**
 * The PKCS#8 private key of a module-lattice scheme (ML-KEM, RFC 9935; ML-DSA, RFC 9881), read in
 * any of its three forms: the seed ([0] IMPLICIT OCTET STRING), the expanded key (OCTET STRING),
 * or both (SEQUENCE), where the expanded key must be the one the seed derives — compared in
 * constant time, since a mismatch is how a tampered key file would show. The two schemes differ
 * only in their OIDs, seed length and how a key is derived, which `family` supplies.
 */
import { timingSafeEqual } from 'node:crypto';
import { decodeBer, expectTag, readAlgorithmIdentifier, readOctets, readSmallInteger, sequenceChildren, type Asn1Node } from '../asn1/ber-reader.js';
import { CmsError, CmsErrorCode } from '../errors.js';

export interface SeedFormFamily<Name extends string, Key> {
  /** 'ML-KEM' or 'ML-DSA', for messages and the ASN.1 type name. */
  readonly label: string;
  /** The document that defines the key format, for messages. */
  readonly rfc: string;
  readonly seedLength: number;
  byOid(oid: string): { readonly name: Name } | undefined;
  fromSeed(name: Name, seed: Uint8Array): Key;
  fromExpanded(name: Name, expanded: Uint8Array): Key;
  /** The expanded private key a key holds, to compare with the one stored beside its seed. */
  expandedOf(key: Key): Uint8Array;
}

export function readSeedFormPkcs8<Name extends string, Key>(der: Uint8Array, family: SeedFormFamily<Name, Key>): Key {
  const f = sequenceChildren(decodeBer(der), 'PrivateKeyInfo');
  const version = readSmallInteger(f[0], 'PrivateKeyInfo.version');
  if (version !== 0 && version !== 1) throw new CmsError(CmsErrorCode.badKey, `PKCS#8 version ${version}`);
  const alg = readAlgorithmIdentifier(f[1], 'privateKeyAlgorithm');
  const p = family.byOid(alg.algorithm);
  if (!p) throw new CmsError(CmsErrorCode.badKey, `not an ${family.label} private key (algorithm ${alg.algorithm})`);
  if (alg.parameters) throw new CmsError(CmsErrorCode.badKey, `${p.name} algorithm parameters must be absent (${family.rfc})`);
  const badSeed = (): CmsError => new CmsError(CmsErrorCode.badKey, `${p.name} seed must be ${family.seedLength} bytes`);
  const choice: Asn1Node = decodeBer(readOctets(f[2], 'privateKey'));
  if (choice.tagClass === 2 && choice.tag === 0 && !choice.constructed) {
    if (choice.content.length !== family.seedLength) throw badSeed();
    return family.fromSeed(p.name, choice.content);
  }
  if (choice.tagClass === 0 && choice.tag === 0x04) return family.fromExpanded(p.name, readOctets(choice, 'expandedKey'));
  const [seedNode, expandedNode] = sequenceChildren(expectTag(choice, 0, 0x10, `${family.label}-PrivateKey`), 'both');
  const seed = readOctets(seedNode, 'seed');
  if (seed.length !== family.seedLength) throw badSeed();
  const fromSeed = family.fromSeed(p.name, seed);
  const expanded = readOctets(expandedNode, 'expandedKey');
  const derived = family.expandedOf(fromSeed);
  if (expanded.length !== derived.length || !timingSafeEqual(expanded, derived)) {
    throw new CmsError(CmsErrorCode.badKey, `${p.name} private key: the expanded key does not match the seed`);
  }
  return fromSeed;
}
