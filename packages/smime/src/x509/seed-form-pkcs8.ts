/**
 * The PKCS#8 private key of a module-lattice scheme (ML-KEM, RFC 9935; ML-DSA, RFC 9881), written
 * and read in any of its three forms: the seed ([0] IMPLICIT OCTET STRING), the expanded key (OCTET STRING),
 * or both (SEQUENCE), where the expanded key must be the one the seed derives — compared in
 * constant time, since a mismatch is how a tampered key file would show. The two schemes differ
 * only in their OIDs, seed length and how a key is derived, which `family` supplies.
 */
import { timingSafeEqual } from 'node:crypto';
import { decodeBer, expectTag, readAlgorithmIdentifier, readOctets, readSmallInteger, sequenceChildren, type Asn1Node } from '../asn1/ber-reader.js';
import { algorithmIdentifier, contextTag, integer, octetString, sequence } from '../asn1/der-writer.js';
import { CmsError, CmsErrorCode } from '../errors.js';

export type SeedForm = 'seed' | 'expanded' | 'both';

/**
 * PKCS#8 (RFC 5958 OneAsymmetricKey v0) DER of a key in `form`; the seed form, which RFC 9935 and
 * RFC 9881 recommend, needs the seed, which a key read in the expanded form does not have.
 */
export function writeSeedFormPkcs8(key: { readonly algorithm: string; readonly seed: Uint8Array | undefined }, oid: string, expanded: Uint8Array, form: SeedForm): Uint8Array {
  const seed = key.seed;
  if (form !== 'expanded' && !seed) throw new CmsError(CmsErrorCode.badOptions, `this ${key.algorithm} key has no seed; only the expanded form can be written`);
  const inner = form === 'seed' ? contextTag(0, false, seed!) : form === 'expanded' ? octetString(expanded) : sequence(octetString(seed!), octetString(expanded));
  return sequence(integer(0), algorithmIdentifier(oid), octetString(inner));
}

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
