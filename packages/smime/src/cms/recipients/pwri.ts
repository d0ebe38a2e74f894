/**
 * PasswordRecipientInfo (RFC 5652 §6.2.4, RFC 3211): the content-encryption key wrapped to a key
 * derived from a password with PBKDF2 (RFC 8018), using the id-alg-PWRI-KEK wrap with AES-CBC.
 *
 *   PasswordRecipientInfo ::= [3] IMPLICIT SEQUENCE {
 *     version CMSVersion,   -- always 0
 *     keyDerivationAlgorithm [0] IMPLICIT KeyDerivationAlgorithmIdentifier OPTIONAL,
 *     keyEncryptionAlgorithm KeyEncryptionAlgorithmIdentifier,  -- id-alg-PWRI-KEK { aes-cbc, IV }
 *     encryptedKey EncryptedKey }
 *
 * We write PBKDF2 with HMAC-SHA-256, a 16-byte salt and 600 000 iterations (OWASP's 2023 figure for
 * this PRF). On read, a count above limits.maxPbkdf2Iterations is refused before any work, and
 * what OpenSSL writes by default (HMAC-SHA-1, an 8-byte salt, 2048 iterations) is refused unless
 * `allowWeakPasswordDerivation` is set.
 */
import { pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import {
  expectTag,
  isContext,
  parametersAbsentOrNull,
  readAlgorithmIdentifier,
  readOctets,
  readOid,
  readSmallInteger,
  readUnsignedInteger,
  sequenceChildren,
  type AlgorithmIdentifier,
  type Asn1Node,
} from '../../asn1/ber-reader.js';
import { algorithmIdentifier, contextTag, integer, octetString, oid, sequence } from '../../asn1/der-writer.js';
import { kekLengthOf, pwriUnwrap, pwriWrap, type PwriKekCipher } from '../../crypto/pwri-kek-wrap.js';
import { CmsError, CmsErrorCode, isCmsError, malformed } from '../../errors.js';
import { OID } from '../../oids.js';
import type { RecipientUsed } from './types.js';

export type PasswordPrf = 'sha256' | 'sha384' | 'sha512';

export interface PasswordRecipientOptions {
  /** The password (a PIN). A string is used as its UTF-8 bytes, as OpenSSL's -pwri_password does. */
  readonly password: string | Uint8Array;
  /** PBKDF2 iteration count; default 600 000. Fewer than 10 000 is refused. */
  readonly iterations?: number;
  /** PBKDF2 PRF; default HMAC-SHA-256. */
  readonly prf?: PasswordPrf;
  /** Cipher of the key wrap; default aes-256-cbc. */
  readonly kekCipher?: PwriKekCipher;
  /** Deterministic vectors only. */
  readonly salt?: Uint8Array;
  readonly kekIv?: Uint8Array;
}

export const DEFAULT_PBKDF2_ITERATIONS = 600_000;
export const MIN_PBKDF2_ITERATIONS = 10_000;
export const MIN_SALT_LENGTH = 16;

const prfOid: Record<PasswordPrf, string> = { sha256: OID.hmacWithSha256, sha384: OID.hmacWithSha384, sha512: OID.hmacWithSha512 };
const prfByOid: Record<string, PasswordPrf | 'sha1'> = {
  [OID.hmacWithSha1]: 'sha1',
  [OID.hmacWithSha256]: 'sha256',
  [OID.hmacWithSha384]: 'sha384',
  [OID.hmacWithSha512]: 'sha512',
};
const kekByOid: Record<string, PwriKekCipher> = {
  [OID.aes128Cbc]: 'aes-128-cbc',
  [OID.aes192Cbc]: 'aes-192-cbc',
  [OID.aes256Cbc]: 'aes-256-cbc',
};
const kekOid: Record<PwriKekCipher, string> = { 'aes-128-cbc': OID.aes128Cbc, 'aes-192-cbc': OID.aes192Cbc, 'aes-256-cbc': OID.aes256Cbc };

export const isPwri = (ri: Asn1Node): boolean => isContext(ri, 3);

export const isPasswordRecipient = (r: unknown): r is PasswordRecipientOptions => typeof r === 'object' && r !== null && 'password' in r;

const passwordBytes = (p: string | Uint8Array): Uint8Array => (typeof p === 'string' ? new TextEncoder().encode(p) : p);

/** Encodes a [3] PasswordRecipientInfo wrapping `cek`; PBKDF2 runs here, synchronously. */
export function encodePasswordRecipientInfo(r: PasswordRecipientOptions, cek: Uint8Array): Uint8Array {
  const password = passwordBytes(r.password);
  if (password.length === 0) throw new CmsError(CmsErrorCode.badOptions, 'the password is empty');
  const iterations = r.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < MIN_PBKDF2_ITERATIONS) throw new CmsError(CmsErrorCode.badOptions, `PBKDF2 iterations must be an integer of at least ${MIN_PBKDF2_ITERATIONS}`);
  const prf = r.prf ?? 'sha256';
  const kekCipher = r.kekCipher ?? 'aes-256-cbc';
  const salt = r.salt ?? new Uint8Array(randomBytes(MIN_SALT_LENGTH));
  if (salt.length < MIN_SALT_LENGTH) throw new CmsError(CmsErrorCode.badOptions, `the PBKDF2 salt must be at least ${MIN_SALT_LENGTH} bytes`);
  const iv = r.kekIv ?? new Uint8Array(randomBytes(16));
  if (iv.length !== 16) throw new CmsError(CmsErrorCode.badOptions, 'kekIv must be 16 bytes');
  const kek = new Uint8Array(pbkdf2Sync(password, salt, iterations, kekLengthOf(kekCipher), prf));
  const encryptedKey = pwriWrap(kekCipher, kek, iv, cek);
  kek.fill(0);
  // PBKDF2-params (RFC 8018 A.2): salt, iterationCount, keyLength omitted (the KEK cipher fixes
  // it), prf (not the SHA-1 default, so present).
  const params = sequence(octetString(salt), integer(iterations), algorithmIdentifier(prfOid[prf]));
  return contextTag(
    3,
    true,
    integer(0),
    contextTag(0, true, oid(OID.pbkdf2), params), // [0] IMPLICIT AlgorithmIdentifier
    algorithmIdentifier(OID.pwriKek, algorithmIdentifier(kekOid[kekCipher], octetString(iv))),
    octetString(encryptedKey),
  );
}

export interface PasswordPolicy {
  readonly maxIterations: number;
  /** Accept HMAC-SHA-1, salts shorter than 16 bytes and fewer than 10 000 iterations. */
  readonly allowWeak: boolean;
}

/** A parsed pwri, its parameters checked against the policy before any key derivation runs. */
export interface ParsedPasswordRecipient {
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly prf: PasswordPrf | 'sha1';
  readonly kekCipher: PwriKekCipher;
  readonly kekIv: Uint8Array;
  readonly encryptedKey: Uint8Array;
}

export function parsePasswordRecipientInfo(ri: Asn1Node, policy: PasswordPolicy): ParsedPasswordRecipient {
  const f = ri.children;
  if (ri.constructed && f.length === 3) throw new CmsError(CmsErrorCode.unsupported, 'PasswordRecipientInfo without keyDerivationAlgorithm (a KEK supplied out of band) is not supported');
  if (!ri.constructed || f.length !== 4) throw malformed('PasswordRecipientInfo must have 4 fields', ri.offset);
  if (readSmallInteger(f[0], 'pwri.version') !== 0) throw malformed('PasswordRecipientInfo version must be 0', ri.offset);
  const kdfNode = f[1]!;
  if (!isContext(kdfNode, 0) || !kdfNode.constructed) throw malformed('pwri.keyDerivationAlgorithm must be [0]', kdfNode.offset);
  const kdfChildren = kdfNode.children;
  if (kdfChildren.length !== 2) throw malformed('pwri.keyDerivationAlgorithm must have an algorithm and parameters', kdfNode.offset);
  const kdfOid = readOid(kdfChildren[0], 'keyDerivationAlgorithm.algorithm');
  if (kdfOid !== OID.pbkdf2) throw new CmsError(CmsErrorCode.unsupported, `key derivation algorithm ${kdfOid} (only PBKDF2)`);
  const p = sequenceChildren(kdfChildren[1], 'PBKDF2-params');
  if (p.length < 2 || p.length > 4) throw malformed('PBKDF2-params must have 2 to 4 fields', kdfChildren[1]!.offset);
  const salt = readOctets(expectTag(p[0], 0, 0x04, 'PBKDF2 salt (only the specified choice)'), 'salt');
  const iterations = readBoundedInteger(p[1], 'iterationCount', policy.maxIterations);
  let i = 2;
  let keyLength: number | undefined;
  if (p[i] && p[i]!.tagClass === 0 && p[i]!.tag === 0x02) keyLength = readBoundedInteger(p[i++], 'keyLength', 64);
  let prf: PasswordPrf | 'sha1' = 'sha1'; // RFC 8018 A.2: DEFAULT algid-hmacWithSHA1
  if (p[i]) {
    const alg = readAlgorithmIdentifier(p[i++], 'PBKDF2 prf');
    if (!parametersAbsentOrNull(alg)) throw malformed('PBKDF2 prf parameters must be absent or NULL', p[i - 1]!.offset);
    const found = prfByOid[alg.algorithm];
    if (!found) throw new CmsError(CmsErrorCode.unsupported, `PBKDF2 PRF ${alg.algorithm}`);
    prf = found;
  }
  if (i !== p.length) throw malformed('unexpected fields in PBKDF2-params', kdfChildren[1]!.offset);
  const kea = readAlgorithmIdentifier(f[2], 'pwri.keyEncryptionAlgorithm');
  if (kea.algorithm !== OID.pwriKek) throw new CmsError(CmsErrorCode.unsupported, `password key encryption algorithm ${kea.algorithm} (only id-alg-PWRI-KEK)`);
  const inner: AlgorithmIdentifier = readAlgorithmIdentifier(kea.parameters, 'id-alg-PWRI-KEK parameters');
  const kekCipher = kekByOid[inner.algorithm];
  if (!kekCipher) throw new CmsError(CmsErrorCode.unsupported, `PWRI key wrap cipher ${inner.algorithm} (only AES-CBC)`);
  const kekIv = readOctets(inner.parameters, 'PWRI KEK IV');
  if (kekIv.length !== 16) throw malformed(`PWRI KEK IV must be 16 bytes (got ${kekIv.length})`, inner.parameters?.offset);
  if (keyLength !== undefined && keyLength !== kekLengthOf(kekCipher)) throw malformed(`PBKDF2 keyLength ${keyLength} does not fit ${kekCipher}`, ri.offset);
  const encryptedKey = readOctets(f[3], 'pwri.encryptedKey');
  if (!policy.allowWeak) {
    const weak = prf === 'sha1' ? 'HMAC-SHA-1' : salt.length < MIN_SALT_LENGTH ? `a ${salt.length}-byte salt` : iterations < MIN_PBKDF2_ITERATIONS ? `${iterations} iterations` : undefined;
    if (weak) throw new CmsError(CmsErrorCode.algorithmRefused, `PBKDF2 with ${weak} is refused (set allowWeakPasswordDerivation to read it, e.g. OpenSSL's defaults)`);
  }
  if (salt.length === 0 || salt.length > 1024) throw malformed(`PBKDF2 salt of ${salt.length} bytes`, ri.offset);
  return { salt, iterations, prf, kekCipher, kekIv, encryptedKey };
}

function readBoundedInteger(node: Asn1Node | undefined, what: string, max: number): number {
  const bytes = readUnsignedInteger(node, what);
  // Decide on the encoded size first: a hostile 1000-byte integer is refused, not converted.
  let value = 0;
  for (const b of bytes) {
    value = value * 256 + b;
    if (value > max) throw new CmsError(CmsErrorCode.limitExceeded, `${what} exceeds ${max}`);
  }
  if (value < 1) throw malformed(`${what} must be at least 1`, node?.offset);
  return value;
}

const pbkdf2Async = promisify(pbkdf2);

/**
 * Derives the KEK and unwraps the CEK. PBKDF2 runs off the main thread (libuv pool), so a printer
 * stays responsive while a PIN is checked. Throws CMS_WRONG_PASSWORD for a wrong password.
 */
export async function unwrapWithPassword(r: ParsedPasswordRecipient, password: string | Uint8Array, cekLength: number): Promise<Uint8Array> {
  const kek = new Uint8Array(await pbkdf2Async(passwordBytes(password), r.salt, r.iterations, kekLengthOf(r.kekCipher), r.prf));
  try {
    return pwriUnwrap(r.kekCipher, kek, r.kekIv, r.encryptedKey, cekLength);
  } finally {
    kek.fill(0);
  }
}

/** At most this many pwri are tried: each costs a full PBKDF2 run. */
const MAX_PASSWORD_RECIPIENTS = 4;

/**
 * Recovers the content-encryption key from the envelope's PasswordRecipientInfos. Every pwri is
 * parsed and checked against the policy before PBKDF2 runs for any of them, so a hostile
 * iteration count is refused without spending the work.
 */
export async function recoverContentKeyWithPassword(
  recipientInfos: readonly Asn1Node[],
  password: string | Uint8Array,
  cekLength: number,
  policy: PasswordPolicy,
): Promise<{ cek: Uint8Array; recipient: RecipientUsed }> {
  const entries = recipientInfos.flatMap((ri, index) => (isPwri(ri) ? [{ index, parsed: parsePasswordRecipientInfo(ri, policy) }] : []));
  if (entries.length === 0) throw new CmsError(CmsErrorCode.noMatchingRecipient, 'the envelope has no PasswordRecipientInfo; it is not opened with a password');
  if (entries.length > MAX_PASSWORD_RECIPIENTS) throw new CmsError(CmsErrorCode.limitExceeded, `more than ${MAX_PASSWORD_RECIPIENTS} PasswordRecipientInfos`);
  let lastError: unknown;
  for (const { index, parsed } of entries) {
    try {
      const cek = await unwrapWithPassword(parsed, password, cekLength);
      return { cek, recipient: { index, type: 'pwri', scheme: `pbkdf2-${parsed.prf}-${parsed.kekCipher}`, identifier: { kind: 'password' } } };
    } catch (err) {
      if (!isCmsError(err, CmsErrorCode.wrongPassword)) throw err;
      lastError = err;
    }
  }
  throw lastError;
}
