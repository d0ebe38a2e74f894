/**
 * open / openToFile: the inverse of seal. The envelope is read as a stream; plaintext is produced
 * while decrypting but is released only after the AES-GCM tag and then every signature verified:
 * open() holds it in memory (bounded), openToFile() writes a private temporary file next to the
 * destination and renames it into place at the very end, deleting it on any failure.
 *
 * The rule for any lower-level use: plaintext seen before `open*` resolves is unauthenticated and
 * must not leave the process or reach a renderer (RFC 5084 §1.1: GCM verifies only at the end).
 */
import { createDecipheriv, randomBytes, type Decipher, type KeyObject } from 'node:crypto';
import { rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isContext, readAlgorithmIdentifier, readOctets, readOid, readSmallInteger, setChildren, type Asn1Node } from '../asn1/ber-reader.js';
import { LateAadGcmVerifier } from '../crypto/gcm-late-aad.js';
import { decodeAttributes, readContentTypeAttribute, type Attribute } from './attributes.js';
import { BerStreamReader, type StreamHeader } from '../asn1/stream-reader.js';
import { CmsError, CmsErrorCode, isCmsError, malformed } from '../errors.js';
import { OID } from '../oids.js';
import { parseCertificate, type Certificate, type CertificateInput } from '../x509/certificate.js';
import { loadRecipientKey, type PrivateKeyInput } from '../x509/keys.js';
import type { KemPrivateKey } from '../x509/keys.js';
import { decodeContentAlgorithm, isGcm, type ContentCipher } from './content-cipher.js';
import { chunksOf, type ByteInput } from './input.js';
import { defaultLimits, type CmsLimits } from './limits.js';
import { recoverContentKeyWithPassword } from './recipients/pwri.js';
import { recoverContentKey } from './recipients/recipient-infos.js';
import type { RecipientUsed } from './recipients/types.js';
import { ownedFileChunks } from '../stream/file-chunks.js';
import { ReadBuffers } from '../stream/read-buffers.js';
import { release } from '../stream/release.js';
import { DIRECT_WRITE_MIN, SequentialFileWriter } from '../stream/sequential-writer.js';
import { readSignedData, type ParsedSignedData } from './signed-data-read.js';
import { verifySigners, type VerifiedSigner } from './signer-verify.js';

export interface OpenOptions {
  /**
   * Our private key (KeyObject, PEM, or DER PKCS#8/SEC1/PKCS#1; an ML-KEM or composite key as its
   * object or as PKCS#8). Either this or `password`.
   */
  readonly privateKey?: PrivateKeyInput | KemPrivateKey;
  /**
   * Open a PasswordRecipientInfo (RFC 3211) with this password instead of a key. A wrong password
   * fails with CMS_WRONG_PASSWORD.
   */
  readonly password?: string | Uint8Array;
  /** Accept PBKDF2 with HMAC-SHA-1, a salt under 16 bytes or under 10 000 iterations (OpenSSL's defaults). */
  readonly allowWeakPasswordDerivation?: boolean;
  /** Our certificate: selects the RecipientInfo naming it. Without it every fitting entry is tried. */
  readonly certificate?: CertificateInput;
  /**
   * Further keys of ours, each with its certificate (a printer with a classical and a
   * post-quantum key): tried in order after `privateKey` when no RecipientInfo is addressed to it.
   */
  readonly additionalKeys?: readonly { readonly privateKey: PrivateKeyInput | KemPrivateKey; readonly certificate: CertificateInput }[];
  /** Trust anchors for the signer's certificate; when given, the chain must verify. */
  readonly trustAnchors?: readonly CertificateInput[];
  readonly intermediates?: readonly CertificateInput[];
  /** Certificates to find the signer in when the message does not carry its certificate. */
  readonly signerCertificates?: readonly CertificateInput[];
  /** Refuse content that is not signed (default false). */
  readonly requireSignature?: boolean;
  /** Accept EnvelopedData with AES-CBC, which has no integrity (default false). */
  readonly allowUnauthenticated?: boolean;
  /** Accept RSA PKCS#1 v1.5 key transport (default false). */
  readonly allowRsaPkcs1v15?: boolean;
  /** Accept ECDH key agreement with the SHA-1 X9.63 KDF, OpenSSL's default (default false). */
  readonly allowSha1Kdf?: boolean;
  /** Accept SHA-1 in signatures (default false). */
  readonly allowSha1Signatures?: boolean;
  readonly verificationTime?: Date;
  /**
   * Whether decrypted id-data content may be a ContentInfo holding SignedData (the nesting
   * `openssl cms -sign | openssl cms -encrypt` and our seal() produce), which is then verified and
   * unwrapped. 'auto' (default): when it starts with a ContentInfo of id-signedData; true: it must;
   * false: never (the bytes are returned as they are).
   */
  readonly innerContentInfo?: boolean | 'auto';
  /** Encrypted content types accepted besides id-data and id-signedData (dotted OIDs). */
  readonly contentTypes?: readonly string[];
  readonly limits?: Partial<CmsLimits>;
}

export interface OpenedEnvelope {
  /** 'authEnvelopedData' (tag verified) or 'envelopedData' (CBC, only with allowUnauthenticated). */
  readonly envelope: 'authEnvelopedData' | 'envelopedData';
  readonly cipher: ContentCipher;
  readonly recipient: RecipientUsed;
  /** Content type of the innermost content (id-data unless the sender said otherwise). */
  readonly contentType: string;
  readonly contentLength: number;
  /** AuthEnvelopedData authAttrs (covered by the tag), including the content-type attribute. */
  readonly authAttributes: readonly Attribute[];
  /** The first signer, when the content was signed; `signers` lists all (each verified). */
  readonly signer?: VerifiedSigner;
  readonly signers: readonly VerifiedSigner[];
}

export interface OpenResult extends OpenedEnvelope {
  readonly plaintext: Uint8Array;
}

/** Opens an envelope held in memory or streamed; resolves only when authentic. */
export async function open(input: ByteInput, options: OpenOptions): Promise<OpenResult> {
  const limits = { ...defaultLimits, ...options.limits };
  const parts: Uint8Array[] = [];
  let size = 0;
  const meta = await openCore(input, options, (c) => {
    size += c.length;
    if (size > limits.maxInMemory) throw new CmsError(CmsErrorCode.limitExceeded, `plaintext larger than ${limits.maxInMemory} bytes; use openToFile`);
    parts.push(new Uint8Array(c));
  });
  return { ...meta, plaintext: new Uint8Array(Buffer.concat(parts, size)) };
}

/**
 * Opens into `destPath`: plaintext goes to a 0600 temporary file in the same directory and is
 * renamed into place only after the tag and signatures verified; on failure nothing is left.
 */
export async function openToFile(input: ByteInput, destPath: string, options: OpenOptions): Promise<OpenedEnvelope> {
  return openInto(input, destPath, options, undefined, 0);
}

/**
 * openToFile reading the envelope from the file `inputPath` itself: then every buffer it reads
 * and every plaintext buffer it writes is its own and is released as soon as it is done with
 * (see stream/release.ts), so the memory stays flat and low whatever the size.
 */
export async function openFile(inputPath: string, destPath: string, options: OpenOptions): Promise<OpenedEnvelope> {
  // 256 KiB reads: as fast as 1 MiB ones here, and ~3 MiB less held (issue 20, README).
  const owned = new ReadBuffers(256 * 1024);
  const size = await stat(inputPath).then((s) => s.size, () => 0); // an unreadable input fails in ownedFileChunks
  return openInto(ownedFileChunks(inputPath, owned), destPath, options, owned, size);
}

/** `expectedSize`: about how much plaintext will be written (0 when unknown). */
async function openInto(input: ByteInput, destPath: string, options: OpenOptions, owned: ReadBuffers | undefined, expectedSize: number): Promise<OpenedEnvelope> {
  const tmp = join(dirname(destPath), `.${basename(destPath)}.${randomBytes(6).toString('hex')}.part`);
  // Blocks written while the next ones are decrypted: disk and AES overlap. The plaintext comes in
  // 64 KiB pieces; writing each alone cost a promise chain per piece (most of open's garbage).
  let out: SequentialFileWriter;
  try {
    out = await SequentialFileWriter.create(tmp, { blockSize: WRITE_BLOCK, inFlight: 2, mode: 0o600, direct: expectedSize >= DIRECT_WRITE_MIN });
  } catch (err) {
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
    const meta = await openWith(input, options, owned, async (c, ours) => {
      if (c.length === 0) return;
      await writing(out.write(c));
      if (owned !== undefined && ours === true) release(c); // copied into a block
    });
    await writing(out.close());
    await rename(tmp, destPath).catch((err: unknown) => {
      throw new CmsError(CmsErrorCode.io, `renaming into '${destPath}' failed`, { cause: err });
    });
    return meta;
  } catch (err) {
    await out.abort();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * Largest input to one `Decipher.update`: each call mallocs its output, and megabyte blocks made
 * glibc's heap fragment and grow with the job (64 KiB blocks are recycled as they are freed).
 */
const DECIPHER_SLICE = 64 * 1024;

/** openToFile writes the plaintext in blocks of this size (two more in flight). */
const WRITE_BLOCK = 256 * 1024;

/** `ours`: nothing else refers to the chunk, so it may be released once written. */
type Sink = (chunk: Uint8Array, ours?: boolean) => Promise<void> | void;

/** Tries each of our keys in turn; only "no RecipientInfo for this key" moves on to the next. */
async function recoverWithAnyKey<T>(keys: readonly { key: KeyObject | KemPrivateKey; cert: Certificate | undefined }[], recover: (key: KeyObject | KemPrivateKey, cert: Certificate | undefined) => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await recover(keys[i]!.key, keys[i]!.cert);
    } catch (err) {
      if (i === keys.length - 1 || !isCmsError(err, CmsErrorCode.noMatchingRecipient)) throw err;
    }
  }
}

/** The streaming core shared by open and openToFile. */
export async function openCore(input: ByteInput, options: OpenOptions, sink: Sink): Promise<OpenedEnvelope> {
  return openWith(input, options, undefined, sink);
}

/** `owned`: the input buffers this call may release once read (see openFile). */
async function openWith(input: ByteInput, options: OpenOptions, owned: ReadBuffers | undefined, sink: Sink): Promise<OpenedEnvelope> {
  const limits: CmsLimits = { ...defaultLimits, ...options.limits };
  const input$ = chunksOf(input);
  try {
    return await openStream(input$, options, sink, limits, owned);
  } finally {
    // Stop the producer when we stop early (a refused envelope): a file stream is closed.
    await input$.return(undefined).catch(() => undefined);
  }
}

async function openStream(input$: AsyncGenerator<Uint8Array>, options: OpenOptions, sink: Sink, limits: CmsLimits, owned: ReadBuffers | undefined): Promise<OpenedEnvelope> {
  if ((options.privateKey === undefined) === (options.password === undefined)) throw new CmsError(CmsErrorCode.badOptions, 'open needs exactly one of privateKey and password');
  const key = options.privateKey === undefined ? undefined : loadRecipientKey(options.privateKey);
  const ourCert = options.certificate === undefined ? undefined : parseCertificate(options.certificate);
  const keys = key ? [{ key, cert: ourCert }, ...(options.additionalKeys ?? []).map((k) => ({ key: loadRecipientKey(k.privateKey), cert: parseCertificate(k.certificate) }))] : [];
  const certs = (l: readonly CertificateInput[] | undefined): Certificate[] | undefined => l?.map((c) => parseCertificate(c));
  const r = new BerStreamReader(input$, limits);

  // ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT ANY } (RFC 5652 §3)
  const ci = await expectConstructed(r, 0, 0x10, 'ContentInfo');
  const outerType = readOid(await r.readElement('contentType', 256), 'contentType');
  const gcmEnvelope = outerType === OID.authEnvelopedData;
  if (!gcmEnvelope && outerType !== OID.envelopedData) {
    throw new CmsError(outerType === OID.signedData ? CmsErrorCode.unsupported : CmsErrorCode.malformed, `content type ${outerType} is not an envelope (AuthEnvelopedData or EnvelopedData)`);
  }
  if (!gcmEnvelope && !options.allowUnauthenticated) throw new CmsError(CmsErrorCode.algorithmRefused, 'EnvelopedData (AES-CBC) has no integrity protection; refused unless allowUnauthenticated is set');
  const explicit = await expectConstructed(r, 2, 0, 'ContentInfo.content');
  const env = await expectConstructed(r, 0, 0x10, gcmEnvelope ? 'AuthEnvelopedData' : 'EnvelopedData');
  const version = readSmallInteger(await r.readElement('version', 16), 'version');
  // RFC 5083 §2.1: AuthEnvelopedData version is 0; RFC 5652 §6.1: EnvelopedData 0, 2, 3 or 4.
  if (gcmEnvelope ? version !== 0 : ![0, 2, 3, 4].includes(version)) throw malformed(`${gcmEnvelope ? 'AuthEnvelopedData' : 'EnvelopedData'} version ${version}`, env.offset);
  let next = await r.readElement('recipientInfos', limits.maxRecipientInfosBytes);
  if (isContext(next, 0)) next = await r.readElement('recipientInfos', limits.maxRecipientInfosBytes); // originatorInfo, unused
  const recipientInfos = setChildren(next, 'RecipientInfos');
  if (recipientInfos.length > limits.maxRecipientInfos) throw new CmsError(CmsErrorCode.limitExceeded, `more than ${limits.maxRecipientInfos} RecipientInfos`);

  const eci = await expectConstructed(r, 0, 0x10, 'EncryptedContentInfo');
  const contentType = readOid(await r.readElement('EncryptedContentInfo.contentType', 256), 'EncryptedContentInfo.contentType');
  // The encrypted content type is not covered by the GCM tag (we accept no authAttrs), so accept
  // only the types this package interprets, plus those the caller names.
  if (contentType !== OID.data && contentType !== OID.signedData && !options.contentTypes?.includes(contentType)) {
    throw new CmsError(CmsErrorCode.unsupported, `encrypted content type ${contentType} (expected id-data or id-signedData)`);
  }
  const params = decodeContentAlgorithm(readAlgorithmIdentifier(await r.readElement('contentEncryptionAlgorithm', 4096), 'contentEncryptionAlgorithm'), gcmEnvelope);
  if (!(await r.hasMore(eci))) throw new CmsError(CmsErrorCode.unsupported, 'detached encrypted content is not supported');
  const ec = await r.readHeader('encryptedContent');
  if (ec.tagClass !== 2 || ec.tag !== 0) throw malformed('encryptedContent must be [0] IMPLICIT OCTET STRING', ec.offset);

  const { cek, recipient } = key
    ? await recoverWithAnyKey(keys, (k, c) => recoverContentKey(recipientInfos, k, c, params.keyLength, { allowRsaPkcs1v15: options.allowRsaPkcs1v15, allowSha1Kdf: options.allowSha1Kdf }))
    : await recoverContentKeyWithPassword(recipientInfos, options.password!, params.keyLength, { maxIterations: limits.maxPbkdf2Iterations, allowWeak: options.allowWeakPasswordDerivation ?? false });
  const decipher = isGcm(params.cipher)
    ? createDecipheriv(params.cipher as 'aes-256-gcm', cek, params.iv, { authTagLength: params.tagLength })
    : createDecipheriv(params.cipher, cek, params.iv);

  const trailer: Trailer = { authAttributes: [] };
  const late = gcmEnvelope ? new LateAadGcmVerifier(params.cipher as 'aes-256-gcm', cek, params.iv) : undefined;
  const plaintext = decryptAndAuthenticate(r, { ci, explicit, env, eci, ec }, decipher, late, contentType, params.tagLength, limits, trailer, owned);
  // A source whose iteration cannot be cancelled by a consumer that stops early: we may still
  // need to drain it to learn whether the ciphertext was authentic.
  const source: AsyncIterator<Uint8Array> = { next: () => plaintext.next() };

  let signed: ParsedSignedData | undefined;
  let contentLength = 0;
  try {
    const write = guardedSink(sink);
    const countAndWrite = async (c: Uint8Array): Promise<void> => {
      contentLength += c.length;
      if (contentLength > limits.maxContentLength) throw new CmsError(CmsErrorCode.limitExceeded, `content longer than ${limits.maxContentLength} bytes`);
      await write(c, true); // fresh decipher output, or handed over by remaining(): ours alone
    };
    const nested = options.innerContentInfo ?? 'auto';
    if (contentType === OID.signedData) {
      const inner = new BerStreamReader(source, limits);
      signed = await readSignedData(inner, write, limits);
      if (!(await inner.atEnd())) throw malformed('bytes after the SignedData in the plaintext', inner.offset);
      contentLength = signed.contentLength;
    } else if (contentType === OID.data && nested !== false) {
      const inner = new BerStreamReader(source, limits);
      if (nested === true || startsWithSignedContentInfo(await inner.peek(24))) {
        const innerCi = await expectConstructed(inner, 0, 0x10, 'inner ContentInfo');
        const t = readOid(await inner.readElement('inner contentType', 256), 'inner contentType');
        if (t !== OID.signedData) throw new CmsError(CmsErrorCode.signatureMissing, `the inner ContentInfo holds ${t}, not SignedData`);
        const innerExplicit = await expectConstructed(inner, 2, 0, 'inner ContentInfo.content');
        signed = await readSignedData(inner, write, limits);
        await inner.close(innerExplicit, 'inner ContentInfo.content');
        await inner.close(innerCi, 'inner ContentInfo');
        if (!(await inner.atEnd())) throw malformed('bytes after the inner ContentInfo in the plaintext', inner.offset);
        contentLength = signed.contentLength;
      } else {
        for await (const c of inner.remaining()) await countAndWrite(c);
      }
    } else {
      for (let n = await source.next(); !n.done; n = await source.next()) await countAndWrite(n.value);
    }
  } catch (err) {
    // Output failures and policy limits stand on their own: no need to read the rest first.
    if (isCmsError(err, CmsErrorCode.io) || isCmsError(err, CmsErrorCode.limitExceeded)) throw err;
    // The inner structure failed to parse: was the ciphertext authentic at all? Report a tag
    // mismatch in preference to a parse error of forged plaintext.
    await drain(plaintext);
    throw err;
  }

  const signers = signed
    ? verifySigners(signed, {
        trustAnchors: certs(options.trustAnchors),
        intermediates: certs(options.intermediates),
        signerCertificates: certs(options.signerCertificates),
        verificationTime: options.verificationTime,
        allowSha1: options.allowSha1Signatures,
      })
    : [];
  if (options.requireSignature && signers.length === 0) throw new CmsError(CmsErrorCode.signatureMissing, 'the content is not signed and a signature is required');
  if (!gcmEnvelope && signers.length === 0 && !options.allowUnauthenticated) throw new CmsError(CmsErrorCode.algorithmRefused, 'unauthenticated content');
  return {
    envelope: gcmEnvelope ? 'authEnvelopedData' : 'envelopedData',
    cipher: params.cipher,
    recipient,
    contentType: signed ? signed.eContentType : contentType,
    contentLength,
    authAttributes: trailer.authAttributes,
    ...(signers[0] ? { signer: signers[0] } : {}),
    signers,
  };
}

/** A ContentInfo header followed by the id-signedData OID (RFC 5652 §3, §5.1), any length form. */
function startsWithSignedContentInfo(head: Uint8Array): boolean {
  if (head[0] !== 0x30 || head.length < 2) return false;
  const l = head[1]!;
  const at = l <= 0x80 ? 2 : 2 + (l & 0x7f);
  const oidTlv = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
  return oidTlv.every((b, i) => head[at + i] === b);
}

function guardedSink(sink: Sink): Sink {
  return async (c, ours) => {
    try {
      await sink(c, ours);
    } catch (err) {
      if (isCmsError(err)) throw err;
      throw new CmsError(CmsErrorCode.io, 'writing the plaintext failed', { cause: err });
    }
  };
}

async function drain(it: AsyncGenerator<Uint8Array>): Promise<void> {
  for (let n = await it.next(); !n.done; n = await it.next()) {
    // discard: only the authentication result matters now
  }
}

async function expectConstructed(r: BerStreamReader, tagClass: number, tag: number, what: string): Promise<StreamHeader> {
  const h = await r.readHeader(what);
  if (h.tagClass !== tagClass || h.tag !== tag || !h.constructed) throw malformed(`${what}: unexpected tag`, h.offset);
  return h;
}

interface OpenContainers {
  readonly ci: StreamHeader;
  readonly explicit: StreamHeader;
  readonly env: StreamHeader;
  readonly eci: StreamHeader;
  readonly ec: StreamHeader;
}

/**
 * Decrypts the encrypted content segment by segment, then reads what follows it (authAttrs, mac,
 * unauthAttrs / unprotectedAttrs) and finishes the cipher: a GCM tag mismatch or bad CBC padding
 * throws from the final step, so a consumer that reached the end holds authenticated plaintext.
 */
interface Trailer {
  authAttributes: Attribute[];
}

async function* decryptAndAuthenticate(
  r: BerStreamReader,
  c: OpenContainers,
  decipher: Decipher,
  late: LateAadGcmVerifier | undefined,
  contentType: string,
  tagLength: number,
  limits: CmsLimits,
  trailer: Trailer,
  owned: ReadBuffers | undefined,
): AsyncGenerator<Uint8Array> {
  const gcm = late !== undefined;
  let total = 0;
  let passing: ArrayBufferLike[] = []; // input buffers of ours the reader has been reading
  for await (const ct of r.octetStringContent(c.ec, 'encryptedContent')) {
    total += ct.length;
    if (total > limits.maxContentLength + 1024 * 1024) throw new CmsError(CmsErrorCode.limitExceeded, `encrypted content longer than the content limit`);
    late?.update(ct);
    // Decrypted in slices, each handed on (copied and released by openFile) before the next is
    // made, so malloc gives the next slice the same, still-mapped block (see CIPHER_SLICE in seal.ts).
    for (let at = 0; at < ct.length; at += DECIPHER_SLICE) {
      const p = decipher.update(ct.subarray(at, at + DECIPHER_SLICE));
      if (p.length > 0) yield p;
    }
    if (owned) {
      // Every view of an input buffer the reader handed out went through the cipher before it
      // read on; once the reader itself no longer refers to a buffer, nothing does.
      // Segments the reader joined into one buffer for us (OpenSSL's 1 KiB segments): fresh,
      // and not the reader's, since what it still reads from is its current buffer.
      if (!r.holds(ct.buffer) && !owned.has(ct.buffer)) release(ct);
      const current = r.currentBuffer;
      if (owned.has(current) && !passing.includes(current)) passing.push(current);
      passing = passing.filter((ab) => {
        if (r.holds(ab)) return true;
        owned.giveBack(ab);
        return false;
      });
    }
  }
  await r.close(c.eci, 'EncryptedContentInfo');
  let mac: Uint8Array | undefined;
  let authAttrs: Asn1Node | undefined;
  while (await r.hasMore(c.env)) {
    const el = await r.readElement('envelope trailer', limits.maxRecipientInfosBytes);
    if (gcm && isContext(el, 1) && mac === undefined && authAttrs === undefined) {
      authAttrs = el; // RFC 5083 §2.1 authAttrs [1] IMPLICIT AuthAttributes
    } else if (gcm && el.tagClass === 0 && el.tag === 0x04 && mac === undefined) {
      mac = readOctets(el, 'mac');
    } else if (isContext(el, gcm ? 2 : 1)) {
      // unauthAttrs / unprotectedAttrs: not interpreted
    } else throw malformed('unexpected field after the encrypted content', el.offset);
  }
  await r.close(c.explicit, 'ContentInfo.content');
  await r.close(c.ci, 'ContentInfo');
  if (!(await r.atEnd())) throw malformed('bytes after the ContentInfo', r.offset);
  if (gcm) {
    if (!mac) throw malformed('AuthEnvelopedData has no mac');
    if (mac.length !== tagLength) throw new CmsError(CmsErrorCode.tagMismatch, `mac is ${mac.length} bytes, aes-ICVlen says ${tagLength}`);
    if (authAttrs) {
      // RFC 5083 §2.2: the AAD is the DER of authAttrs with the EXPLICIT SET OF tag.
      const aad = new Uint8Array(authAttrs.bytes);
      aad[0] = 0x31;
      if (!late.verify(aad, mac)) throw new CmsError(CmsErrorCode.tagMismatch, 'the AES-GCM authentication tag does not verify over the content and authAttrs');
      trailer.authAttributes = decodeAttributes(authAttrs);
      const ct = readContentTypeAttribute(trailer.authAttributes);
      if (ct !== undefined && ct !== contentType) throw new CmsError(CmsErrorCode.malformed, `authAttrs content-type ${ct} differs from the encrypted content type ${contentType}`);
    } else {
      (decipher as unknown as { setAuthTag(t: Uint8Array): void }).setAuthTag(mac);
      try {
        decipher.final(); // OpenSSL compares the tag in constant time
      } catch (err) {
        throw new CmsError(CmsErrorCode.tagMismatch, 'the AES-GCM authentication tag does not verify: the envelope was altered or the key is wrong', { cause: err });
      }
      // RFC 5083 §2.1: authAttrs MUST be present when the content type is not id-data.
      if (contentType !== OID.data) throw malformed(`AuthEnvelopedData of ${contentType} without authAttrs (RFC 5083 §2.1)`);
    }
    return;
  }
  let last: Buffer;
  try {
    last = decipher.final();
  } catch (err) {
    throw new CmsError(CmsErrorCode.paddingInvalid, 'AES-CBC padding is invalid: wrong key or altered ciphertext', { cause: err });
  }
  if (last.length > 0) yield last;
}
