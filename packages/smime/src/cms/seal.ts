/**
 * seal: sign-then-encrypt as one streaming call. Output is a BER ContentInfo holding
 * AuthEnvelopedData (RFC 5083) with AES-GCM (RFC 5084), written with indefinite lengths so that
 * the ciphertext streams out as it is produced, in constant memory:
 *
 *   ContentInfo ::= SEQUENCE { contentType id-ct-authEnvelopedData, content [0] EXPLICIT
 *     AuthEnvelopedData ::= SEQUENCE {
 *       version CMSVersion (0),
 *       recipientInfos SET OF RecipientInfo,
 *       authEncryptedContentInfo SEQUENCE { contentType, contentEncryptionAlgorithm,
 *                                           encryptedContent [0] IMPLICIT OCTET STRING (chunked) },
 *       mac MessageAuthenticationCode (OCTET STRING, the GCM tag) } }
 *
 * With a signer, the encrypted content is a SignedData (contentType id-signedData; RFC 5652 §5).
 * EnvelopedData with AES-CBC can be written only when asked (`cipher: 'aes-256-cbc'`), for peers
 * that cannot read AuthEnvelopedData; it has no integrity protection.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { concat, integer, lengthBytes, oid, setOf } from '../asn1/der-writer.js';
import { CmsError, CmsErrorCode } from '../errors.js';
import { OID } from '../oids.js';
import { contentTypeAttribute, encodeAttribute, type Attribute } from './attributes.js';
import { encodeCbcAlgorithm, encodeGcmAlgorithm, type CbcCipher, type GcmCipher } from './content-cipher.js';
import { chunksOf, coalesce, type ByteInput } from './input.js';
import { encodePasswordRecipientInfo, isPasswordRecipient, type PasswordRecipientOptions } from './recipients/pwri.js';
import { encodeRecipientInfo, normalizeRecipient, type RecipientInput } from './recipients/recipient-infos.js';
import { prepareSigner, signedDataStream, type SignerOptions } from './signed-data-write.js';
import { fileChunks } from '../stream/file-chunks.js';
import { release } from '../stream/release.js';
import { DIRECT_WRITE_MIN, SequentialFileWriter } from '../stream/sequential-writer.js';

export interface SealOptions {
  /**
   * One or more recipients: certificates (PEM/DER/parsed), RecipientOptions, or a password
   * (PasswordRecipientInfo, RFC 3211; only ever nested inside an envelope to a key, since a short
   * password alone can be searched offline by whoever holds the ciphertext).
   */
  readonly recipients: readonly (RecipientInput | PasswordRecipientOptions)[];
  /** Default aes-256-gcm. CBC writes EnvelopedData and must be asked for explicitly. */
  readonly cipher?: GcmCipher | CbcCipher;
  /** Sign the content first (sign-then-encrypt). */
  readonly signer?: SignerOptions;
  /**
   * How signed content is nested (RFC 5652 allows both):
   * - 'contentInfo' (default): the encrypted content is id-data holding a ContentInfo(SignedData),
   *   the shape `openssl cms -sign | openssl cms -encrypt` makes, readable by every OpenSSL;
   * - 'signedData': the encrypted content type is id-signedData, with authAttrs carrying the
   *   content type (RFC 5083 §2.1). OpenSSL up to 3.0.19/3.5.x mis-tags authAttrs and cannot read
   *   this shape (openssl/openssl#26101); BouncyCastle and newer OpenSSL can.
   */
  readonly signedNesting?: 'contentInfo' | 'signedData';
  /** Content type of the innermost content; default id-data. */
  readonly contentType?: string;
  /** Minimum ciphertext segment size (bytes); small input chunks are coalesced. Default 64 KiB. */
  readonly segmentSize?: number;
  /**
   * Extra authenticated attributes (AuthEnvelopedData authAttrs, GCM additional data). A
   * content-type attribute is added whenever authAttrs are written, and they are always written
   * when the encrypted content is not id-data (RFC 5083 §2.1), e.g. when signed.
   */
  readonly authAttributes?: readonly Attribute[];
  /** Deterministic vectors only: fixed content-encryption key and nonce/IV. */
  readonly contentEncryptionKey?: Uint8Array;
  readonly iv?: Uint8Array;
}

const EOC = Uint8Array.of(0, 0);

/**
 * Largest input to one `Cipher.update`. Each call allocates its output with malloc: at 1 MiB that
 * is above glibc's mmap threshold until the first free raises the threshold, after which the
 * megabyte blocks come from the heap and fragment it, so the process grew with the job's size.
 * 64 KiB blocks are recycled by malloc as they are freed, and AES-GCM runs fastest at that size.
 */
const CIPHER_SLICE = 64 * 1024;

/**
 * Starts sealing `input`. Recipients and the signer are checked synchronously (a bad certificate
 * throws here); the returned stream yields the DER/BER ContentInfo as the input is consumed.
 */
export function seal(input: ByteInput, options: SealOptions): Readable {
  return Readable.from(sealChunks(input, options), { objectMode: false, highWaterMark: 1 });
}

/** Seals to a single buffer (convenience for small messages and tests). */
export async function sealToBytes(input: ByteInput, options: SealOptions): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of sealChunks(input, options)) parts.push(c);
  return new Uint8Array(Buffer.concat(parts));
}

/** Read and write size of sealFile, and its default segment size. */
const FILE_CHUNK = 1024 * 1024;

/**
 * Seals the file `inputPath` into `destPath`, the fast file-to-file path: the input is read into
 * two reused buffers (1 MiB, or `segmentSize` when larger) with the next read running while a
 * segment is encrypted; the envelope is copied into 1 MiB blocks written with two in flight
 * (O_DIRECT for large inputs, D37), and each ciphertext buffer is released as soon as it is copied.
 * Memory stays flat whatever the size. The output goes to a temporary file in the destination's
 * directory, renamed into place when complete (removed on failure), so `destPath` never holds a
 * partial envelope.
 */
export async function sealFile(inputPath: string, destPath: string, options: SealOptions): Promise<void> {
  const segment = Math.max(options.segmentSize ?? FILE_CHUNK, 1);
  // Chunks of at least the segment size pass through coalesce uncopied (see fileChunks).
  const chunks = sealChunks(fileChunks(inputPath, Math.max(segment, FILE_CHUNK)), { ...options, segmentSize: segment });
  const tmp = join(dirname(destPath), `.${basename(destPath)}.${randomBytes(6).toString('hex')}.part`);
  const inputSize = await stat(inputPath).then((s) => s.size, () => 0); // an unreadable input fails in fileChunks
  let out: SequentialFileWriter;
  try {
    out = await SequentialFileWriter.create(tmp, { blockSize: FILE_CHUNK, inFlight: 2, mode: 0o644, direct: inputSize >= DIRECT_WRITE_MIN });
  } catch (err) {
    await chunks.return(undefined).catch(() => undefined);
    throw new CmsError(CmsErrorCode.io, `cannot create a temporary file next to '${destPath}'`, { cause: err });
  }
  const writing = async (step: Promise<void>): Promise<void> => {
    try {
      await step;
    } catch (err) {
      throw new CmsError(CmsErrorCode.io, `writing '${tmp}' failed`, { cause: err });
    }
  };
  try {
    for await (const c of chunks) {
      await writing(out.write(c));
      release(c); // copied into a block; every chunk sealChunks yields is ours alone
    }
    await writing(out.close());
    await rename(tmp, destPath).catch((err: unknown) => {
      throw new CmsError(CmsErrorCode.io, `renaming into '${destPath}' failed`, { cause: err });
    });
  } catch (err) {
    await out.abort();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * The generator behind seal(); setup runs eagerly, before the first chunk is requested. Every
 * chunk it yields is a fresh buffer the consumer alone holds (sealFile releases them once written).
 */
export function sealChunks(input: ByteInput, options: SealOptions): AsyncGenerator<Uint8Array> {
  if (!options.recipients || options.recipients.length === 0) throw new CmsError(CmsErrorCode.badOptions, 'seal needs at least one recipient');
  const cipher = options.cipher ?? 'aes-256-gcm';
  const gcm = cipher === 'aes-256-gcm' || cipher === 'aes-128-gcm';
  const keyLength = cipher.startsWith('aes-128') ? 16 : cipher.startsWith('aes-192') ? 24 : cipher.startsWith('aes-256') ? 32 : 0;
  if (keyLength === 0) throw new CmsError(CmsErrorCode.badOptions, `unknown cipher '${cipher}' (aes-256-gcm, aes-128-gcm, aes-256-cbc, aes-128-cbc)`);
  const cek = options.contentEncryptionKey ?? new Uint8Array(randomBytes(keyLength));
  if (cek.length !== keyLength) throw new CmsError(CmsErrorCode.badOptions, `contentEncryptionKey must be ${keyLength} bytes for ${cipher}`);
  const iv = options.iv ?? new Uint8Array(randomBytes(gcm ? 12 : 16));
  if (iv.length !== (gcm ? 12 : 16)) throw new CmsError(CmsErrorCode.badOptions, `iv must be ${gcm ? 12 : 16} bytes for ${cipher}`);
  const passwords = options.recipients.filter(isPasswordRecipient);
  const recipients = options.recipients.filter((r) => !isPasswordRecipient(r)).map((r) => normalizeRecipient(r as RecipientInput));
  const recipientInfos = [...recipients.map((r) => encodeRecipientInfo(r, cek)), ...passwords.map((p) => encodePasswordRecipientInfo(p, cek))];
  // RFC 5652 §6.1: EnvelopedData is version 3 with any pwri or ori, else 0 when every RecipientInfo is
  // version 0 (ktri by issuerAndSerialNumber), else 2 (kari is v3, ktri by subjectKeyIdentifier v2).
  const allV0 = recipients.every((r) => r.cert.keyKind === 'rsa' && (r.identifier ?? 'issuerAndSerialNumber') === 'issuerAndSerialNumber');
  const anyOri = recipients.some((r) => r.cert.kemPublicKey !== undefined);
  const envelopedVersion = passwords.length > 0 || anyOri ? 3 : allV0 ? 0 : 2;
  const signer = options.signer ? prepareSigner(options.signer) : undefined;
  const innerType = options.contentType ?? OID.data;
  const algorithm = gcm ? encodeGcmAlgorithm(cipher as GcmCipher, iv) : encodeCbcAlgorithm(cipher as CbcCipher, iv);
  const segment = options.segmentSize ?? 64 * 1024;
  const nesting = options.signedNesting ?? 'contentInfo';
  const encryptedType = signer ? (nesting === 'signedData' ? OID.signedData : OID.data) : innerType;
  if (!gcm && options.authAttributes?.length) throw new CmsError(CmsErrorCode.badOptions, 'authAttributes need an AES-GCM cipher (AuthEnvelopedData)');
  // RFC 5083 §2.1–2.2: authAttrs, DER SET OF with the content type, are the GCM additional data.
  const authAttrs = gcm && (encryptedType !== OID.data || options.authAttributes?.length) ? setOf([contentTypeAttribute(encryptedType), ...(options.authAttributes ?? [])].map(encodeAttribute)) : undefined;
  const header = concat([
    Uint8Array.of(0x30, 0x80),
    oid(gcm ? OID.authEnvelopedData : OID.envelopedData),
    Uint8Array.of(0xa0, 0x80, 0x30, 0x80),
    integer(gcm ? 0 : envelopedVersion), // RFC 5083 §2.1: AuthEnvelopedData is always version 0
    setOf(recipientInfos),
    Uint8Array.of(0x30, 0x80),
    oid(encryptedType),
    algorithm,
    Uint8Array.of(0xa0, 0x80), // encryptedContent [0] IMPLICIT OCTET STRING, constructed
  ]);
  const plaintext = !signer
    ? chunksOf(input)
    : nesting === 'signedData'
      ? signedDataStream(chunksOf(input), signer, innerType)
      : inContentInfo(OID.signedData, signedDataStream(chunksOf(input), signer, innerType));
  return encryptStream(header, coalesce(plaintext, segment), cipher, cek, iv, gcm, authAttrs);
}

async function* encryptStream(header: Uint8Array, plaintext: AsyncIterable<Uint8Array>, cipher: string, cek: Uint8Array, iv: Uint8Array, gcm: boolean, authAttrs: Uint8Array | undefined): AsyncGenerator<Uint8Array> {
  const c = gcm ? createCipheriv(cipher as 'aes-256-gcm', cek, iv, { authTagLength: 16 }) : createCipheriv(cipher, cek, iv);
  if (authAttrs) (c as unknown as { setAAD(b: Uint8Array): void }).setAAD(authAttrs);
  yield header;
  for await (const chunk of plaintext) {
    if (chunk.length === 0) continue;
    // One segment header, then the segment encrypted in slices (see CIPHER_SLICE).
    if (!gcm) {
      const ct = c.update(chunk);
      if (ct.length === 0) continue;
      yield concat([Uint8Array.of(0x04), lengthBytes(ct.length)]);
      yield ct;
      continue;
    }
    yield concat([Uint8Array.of(0x04), lengthBytes(chunk.length)]);
    for (let at = 0; at < chunk.length; at += CIPHER_SLICE) yield c.update(chunk.subarray(at, at + CIPHER_SLICE));
  }
  const last = c.final();
  const tail: Uint8Array[] = [];
  if (last.length > 0) tail.push(Uint8Array.of(0x04), lengthBytes(last.length), last);
  tail.push(EOC, EOC); // end of encryptedContent, end of EncryptedContentInfo
  if (authAttrs) tail.push(Uint8Array.of(0xa1), authAttrs.subarray(1)); // [1] IMPLICIT, same length and content
  if (gcm) {
    const tag = (c as unknown as { getAuthTag(): Buffer }).getAuthTag();
    tail.push(Uint8Array.of(0x04, tag.length), tag); // mac
  }
  tail.push(EOC, EOC, EOC); // end of (Auth)EnvelopedData, of [0], of ContentInfo
  yield concat(tail);
}

/** ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT } around streamed content (RFC 5652 §3). */
async function* inContentInfo(contentType: string, content: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield concat([Uint8Array.of(0x30, 0x80), oid(contentType), Uint8Array.of(0xa0, 0x80)]);
  yield* content;
  yield Uint8Array.of(0, 0, 0, 0);
}
