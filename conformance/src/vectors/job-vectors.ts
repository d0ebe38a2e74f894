/**
 * vectors/jobs: complete sealed Print-Job requests (the outer cleartext IPP request followed by
 * the CMS envelope, exactly the HTTP body a client POSTs), the printer keys that open them, and
 * what a conforming printer must do with each. Built deterministically (see derive.ts) from the
 * key files in vectors/jobs/keys, so `generateJobVectors` reproduces every byte.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeHeader, encodeMessage, type IppAttribute } from '@trustnoone/ipp';
import { buildInnerRequest, buildOuterRequest } from '@trustnoone/profile';
import { parseCertificate, sealToBytes, type RecipientOptions, type SealOptions } from '@trustnoone/smime';
import { pwgRaster } from '../documents.js';
import { envelopeRegions, flipIn } from '../envelope-regions.js';
import { resealEdited } from '../reseal.js';
import { derive, derivedP256Key, derivedUuid } from './derive.js';

export const KEY_FILES = {
  printerP256: { key: 'printer-p256.key.pem', certificate: 'printer-p256.cert.pem' },
  printerRsa: { key: 'printer-rsa.key.pem', certificate: 'printer-rsa.cert.pem' },
  clientEd25519: { key: 'client-ed25519.key.pem', certificate: 'client-ed25519.cert.pem' },
  /** ML-KEM-768 printer (RFC 9935 key, seed form), issued by printerCaMlDsa. */
  printerMlKem768: { key: 'printer-mlkem768.key.pem', certificate: 'printer-mlkem768.cert.pem' },
  /** Composite ML-KEM-768 + X25519 printer (draft-ietf-lamps-pq-composite-kem-18), issued by printerCaMlDsa. */
  printerHybrid: { key: 'printer-mlkem768-x25519.key.pem', certificate: 'printer-mlkem768-x25519.cert.pem' },
  /** The ML-DSA-65 CA (RFC 9881) that issues the post-quantum printers' certificates (KEM keys cannot sign). */
  printerCaMlDsa: { key: 'printer-ca-ml-dsa-65.key.pem', certificate: 'printer-ca-ml-dsa-65.cert.pem' },
} as const;

type KeyName = keyof typeof KEY_FILES;

/** The key files the vectors are sealed to (and signed with); PEM text. */
export type VectorKeys = Readonly<Record<KeyName, { readonly keyPem: string; readonly certificatePem: string }>>;

/** Reads the key files of `dir` (vectors/jobs/keys). */
export async function readVectorKeys(dir: string): Promise<VectorKeys> {
  const out: Partial<Record<KeyName, { keyPem: string; certificatePem: string }>> = {};
  for (const [name, files] of Object.entries(KEY_FILES) as [KeyName, { key: string; certificate: string }][]) {
    out[name] = { keyPem: await readFile(join(dir, files.key), 'utf8'), certificatePem: await readFile(join(dir, files.certificate), 'utf8') };
  }
  return out as VectorKeys;
}

/** The printers a vector is sealed to. */
type PrinterKey = 'printerP256' | 'printerRsa' | 'printerMlKem768' | 'printerHybrid';
const POST_QUANTUM: Partial<Record<PrinterKey, { algorithm: 'ml-kem-768' | 'mlkem768-x25519'; randomness: number; recipient: string }>> = {
  printerMlKem768: {
    algorithm: 'ml-kem-768',
    randomness: 32,
    recipient: 'KEMRecipientInfo (RFC 9629, in ori) ML-KEM-768, HKDF-SHA-256, AES-256 key wrap (RFC 9936); the encapsulation message m derived',
  },
  printerHybrid: {
    algorithm: 'mlkem768-x25519',
    randomness: 64,
    recipient:
      'KEMRecipientInfo (RFC 9629, in ori) composite ML-KEM-768 + X25519 (id-MLKEM768-X25519-SHA3-256, 1.3.6.1.5.5.7.6.58, draft-ietf-lamps-pq-composite-kem-18), HKDF-SHA-256, AES-256 key wrap; the ML-KEM message m and the ephemeral X25519 key derived',
  },
};

export type Expectation =
  | {
      readonly outcome: 'completed';
      readonly status: 'successful-ok';
      readonly jobState: 'completed';
      readonly impressions: number;
      /** The fields of the printer's manifest (docs/architecture.md "Data at rest") this job must produce. */
      readonly manifest: {
        readonly renderFormat: string;
        readonly documentSha256: string;
        readonly documentBytes: number;
        readonly pageCount: number;
        readonly copies: number;
      };
    }
  | {
      readonly outcome: 'refused';
      readonly status: 'client-error-document-security-error';
      readonly jobState: 'aborted';
      readonly jobStateReasons: 'document-security-error';
      readonly impressions: 0;
      /** Why (docs/spec-notes.md §2); a printer reports it only in its local log. */
      readonly reason: string;
    };

export interface JobVector {
  readonly name: string;
  readonly description: string;
  /** Key file names under vectors/jobs/keys. */
  readonly printerKey: string;
  readonly printerCertificate: string;
  readonly printerUuid: string;
  readonly sealing: Record<string, string | number | boolean>;
  readonly expected: Expectation;
  /** Post-quantum printers: the CA certificate that issued the printer's (ML-DSA-65), and the KEM. */
  readonly printerIssuer?: string;
  readonly postQuantum?: 'ml-kem-768' | 'mlkem768-x25519';
  /** OpenSSL command that decrypts envelope.der back to inner.ipp (positive vectors). */
  readonly opensslVerify?: string;
}

export interface GeneratedVector {
  readonly meta: JobVector;
  /** The HTTP body: outer IPP request, then the envelope. */
  readonly request: Uint8Array;
  readonly envelope: Uint8Array;
  /** What was sealed: the inner IPP request, then the document. */
  readonly inner: Uint8Array;
}

const PRINTER_URI = 'ipp://printer.example/ipp/print';
const USER = 'alice';
const SIGNING_TIME = new Date('2026-01-01T00:00:00Z');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const TEXT = new TextEncoder().encode(
  'TRUSTNOONE job vector\n\nThis page was sealed to the printer key in vectors/jobs/keys.\nAn intermediary relaying it could read none of it.\n',
);

interface Recipe {
  readonly name: string;
  readonly description: string;
  readonly printer: PrinterKey;
  readonly format: 'image/pwg-raster' | 'text/plain';
  readonly document: Uint8Array;
  readonly pages: number;
  readonly copies?: number;
  readonly cipher: 'aes-256-gcm' | 'aes-128-gcm' | 'aes-256-cbc';
  readonly sign?: boolean;
  /** Seal for this printer-uuid instead of the printer's (a redirected job). */
  readonly otherPrinterUuid?: boolean;
  /**
   * 'signed-content': a byte of the signed document flipped and the envelope re-encrypted under its
   * own key (valid tag). 'kem-ciphertext': a byte of the ML-KEM half of the composite ciphertext
   * flipped (ML-KEM's implicit rejection gives another secret, so the key unwrap fails).
   */
  readonly damage?: 'tag' | 'truncate' | 'signed-content' | 'kem-ciphertext';
  readonly refusal?: string;
}

const RASTER = pwgRaster({ widthHmm: 21000, heightHmm: 29700, dpi: 150, pages: 2 });

const RECIPES: readonly Recipe[] = [
  { name: 'p256-aes256gcm-pwg-raster', description: 'ECDH P-256 (X9.63 KDF SHA-256, AES-256 key wrap), AES-256-GCM, two-page PWG Raster, unsigned', printer: 'printerP256', format: 'image/pwg-raster', document: RASTER, pages: 2, cipher: 'aes-256-gcm' },
  { name: 'p256-aes128gcm-text-signed', description: 'ECDH P-256, AES-128-GCM, text/plain with copies=2, signed (Ed25519, RFC 8419) before encryption', printer: 'printerP256', format: 'text/plain', document: TEXT, pages: 1, copies: 2, cipher: 'aes-128-gcm', sign: true },
  { name: 'rsa-oaep-aes256gcm-pwg-raster', description: 'RSA-OAEP SHA-256 key transport, AES-256-GCM, two-page PWG Raster', printer: 'printerRsa', format: 'image/pwg-raster', document: RASTER, pages: 2, cipher: 'aes-256-gcm' },
  { name: 'p256-tampered-tag', description: 'as p256-aes256gcm-pwg-raster with the last byte of the GCM tag flipped', printer: 'printerP256', format: 'image/pwg-raster', document: RASTER, pages: 2, cipher: 'aes-256-gcm', damage: 'tag', refusal: 'GCM tag mismatch (RFC 5083 §2.2)' },
  { name: 'p256-truncated', description: 'as p256-aes256gcm-pwg-raster cut 30 bytes short (tag and end-of-contents lost)', printer: 'printerP256', format: 'image/pwg-raster', document: RASTER, pages: 2, cipher: 'aes-256-gcm', damage: 'truncate', refusal: 'truncated envelope' },
  { name: 'p256-redirected', description: 'sealed correctly to the printer key, but its inner printer-uuid names another printer', printer: 'printerP256', format: 'image/pwg-raster', document: RASTER, pages: 2, cipher: 'aes-256-gcm', otherPrinterUuid: true, refusal: 'printer-uuid binding (docs/spec-notes.md §2)' },
  { name: 'p256-signed-content-altered', description: 'as p256-aes128gcm-text-signed, with one byte of the signed document flipped and the plaintext re-encrypted under the same key and nonce: the GCM tag is valid, the Ed25519 signature is not', printer: 'printerP256', format: 'text/plain', document: TEXT, pages: 1, copies: 2, cipher: 'aes-128-gcm', sign: true, damage: 'signed-content', refusal: 'signature does not verify (RFC 5652 §5.6)' },
  { name: 'mlkem768-aes256gcm-pwg-raster', description: 'ML-KEM-768 KEMRecipientInfo (RFC 9936), AES-256-GCM, two-page PWG Raster, unsigned; printer certificate issued by an ML-DSA-65 CA', printer: 'printerMlKem768', format: 'image/pwg-raster', document: RASTER, pages: 2, cipher: 'aes-256-gcm' },
  { name: 'mlkem768-x25519-aes256gcm-text-signed', description: 'hybrid: composite ML-KEM-768 + X25519 KEMRecipientInfo, AES-256-GCM, text/plain with copies=2, signed (Ed25519) before encryption; opening needs both the ML-KEM and the X25519 key', printer: 'printerHybrid', format: 'text/plain', document: TEXT, pages: 1, copies: 2, cipher: 'aes-256-gcm', sign: true },
  { name: 'mlkem768-x25519-kem-ciphertext-altered', description: 'as a hybrid PWG Raster job with one byte of the ML-KEM ciphertext in the composite KEM ciphertext flipped: decapsulation yields an unrelated secret (FIPS 203 implicit rejection), so the AES key unwrap fails', printer: 'printerHybrid', format: 'image/pwg-raster', document: RASTER, pages: 2, cipher: 'aes-256-gcm', damage: 'kem-ciphertext', refusal: 'content-encryption key not recovered (RFC 3394 integrity check)' },
  { name: 'p256-aes256cbc-downgrade', description: 'EnvelopedData with AES-256-CBC: no integrity, refused by default (RFC 8551 §2.7, docs/spec-notes.md §4)', printer: 'printerP256', format: 'image/pwg-raster', document: RASTER, pages: 2, cipher: 'aes-256-cbc', refusal: 'downgrade to unauthenticated encryption' },
];

function printerUuidOf(certificatePem: string): string {
  const uri = parseCertificate(certificatePem).uris.find((u) => /^urn:uuid:/i.test(u));
  if (!uri) throw new Error('vector printer certificate has no urn:uuid: subjectAltName');
  return uri.toLowerCase();
}

async function build(recipe: Recipe, keys: VectorKeys): Promise<GeneratedVector> {
  const printer = keys[recipe.printer];
  const printerUuid = printerUuidOf(printer.certificatePem);
  const v = recipe.name;
  const jobAttributes: IppAttribute[] = recipe.copies ? [{ name: 'copies', values: [{ tag: 'integer', value: recipe.copies }] }] : [];
  const innerRequest = buildInnerRequest({
    operation: 'Print-Job',
    printerUri: PRINTER_URI,
    requestId: 1,
    requestingUserName: USER,
    printerUuid: recipe.otherPrinterUuid ? derivedUuid(v, 'other-printer-uuid') : printerUuid,
    jobUuid: derivedUuid(v, 'job-uuid'),
    documentFormat: recipe.format,
    jobName: `vector ${v}`,
    documentName: recipe.format === 'text/plain' ? 'vector.txt' : 'vector.pwg',
    // Fixed, so the vectors regenerate byte for byte; a printer replaying them needs a replay
    // window reaching back to it (vectors-jobs.test.ts).
    createdAt: SIGNING_TIME,
    jobAttributes,
  });
  const header = encodeMessage(innerRequest);
  const inner = new Uint8Array(header.length + recipe.document.length);
  inner.set(header, 0);
  inner.set(recipe.document, header.length);

  const gcm = recipe.cipher !== 'aes-256-cbc';
  const keyLength = recipe.cipher === 'aes-128-gcm' ? 16 : 32;
  const cek = derive(v, 'content-encryption-key', keyLength);
  const iv = derive(v, 'iv', gcm ? 12 : 16);
  const pq = POST_QUANTUM[recipe.printer];
  const recipient: RecipientOptions = pq
    ? { certificate: printer.certificatePem, kemRandomness: derive(v, 'kem-randomness', pq.randomness) }
    : recipe.printer === 'printerRsa'
      ? { certificate: printer.certificatePem, oaepHash: 'sha256' as const, oaepSeed: derive(v, 'oaep-seed', 32) }
      : { certificate: printer.certificatePem, kdfDigest: 'sha256' as const, ephemeralKey: derivedP256Key(v, 'ephemeral-key') };
  const options: SealOptions = {
    recipients: [recipient],
    cipher: recipe.cipher,
    contentEncryptionKey: cek,
    iv,
    ...(recipe.sign ? { signer: { certificate: keys.clientEd25519.certificatePem, privateKey: keys.clientEd25519.keyPem, signingTime: SIGNING_TIME } } : {}),
  };
  let envelope = await sealToBytes(inner, options);
  if (recipe.damage === 'tag') envelope = flipIn(envelope, envelopeRegions(envelope).mac!, envelopeRegions(envelope).mac!.end - 1);
  if (recipe.damage === 'truncate') envelope = envelope.subarray(0, envelope.length - 30);
  if (recipe.damage === 'kem-ciphertext') envelope = flipIn(envelope, envelopeRegions(envelope).recipientInfos, kemCiphertextAt(envelope) + 100);
  if (recipe.damage === 'signed-content') {
    envelope = resealEdited(envelope, cek, iv, (p) => {
      const c = Uint8Array.from(p);
      const at = Buffer.from(p).indexOf(Buffer.from(recipe.document)); // the document inside the SignedData
      if (at < 0) throw new Error('signed document not found in the plaintext');
      c[at + 10]! ^= 0x01;
      return c;
    });
  }

  const outer = encodeHeader(buildOuterRequest({ operation: 'Print-Job', printerUri: PRINTER_URI, requestId: 1, requestingUserName: USER }));
  const request = new Uint8Array(outer.length + envelope.length);
  request.set(outer, 0);
  request.set(envelope, outer.length);

  const keyFiles = KEY_FILES[recipe.printer];
  const recipientText = pq
    ? pq.recipient
    : recipe.printer === 'printerRsa'
      ? 'KeyTransRecipientInfo RSAES-OAEP SHA-256 (RFC 8017), seed derived'
      : 'KeyAgreeRecipientInfo ECDH P-256, X9.63 KDF SHA-256, AES key wrap (RFC 5753, RFC 3394), ephemeral key derived';
  const expected: Expectation = recipe.refusal
    ? { outcome: 'refused', status: 'client-error-document-security-error', jobState: 'aborted', jobStateReasons: 'document-security-error', impressions: 0, reason: recipe.refusal }
    : {
        outcome: 'completed',
        status: 'successful-ok',
        jobState: 'completed',
        impressions: recipe.pages * (recipe.copies ?? 1),
        manifest: { renderFormat: recipe.format, documentSha256: sha256(recipe.document), documentBytes: recipe.document.length, pageCount: recipe.pages, copies: recipe.copies ?? 1 },
      };
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return {
    meta: {
      name: v,
      description: recipe.description,
      printerKey: `keys/${keyFiles.key}`,
      printerCertificate: `keys/${keyFiles.certificate}`,
      printerUuid,
      ...(pq ? { printerIssuer: `keys/${KEY_FILES.printerCaMlDsa.certificate}`, postQuantum: pq.algorithm } : {}),
      sealing: {
        envelope: gcm ? 'AuthEnvelopedData (RFC 5083)' : 'EnvelopedData (RFC 5652 §6)',
        cipher: recipe.cipher,
        contentEncryptionKey: hex(cek),
        iv: hex(iv),
        recipient: recipientText,
        signed: recipe.sign === true,
        jobUuid: derivedUuid(v, 'job-uuid'),
        derivation: 'SHA-256("trustnoone vector <name> <purpose> <block>"), see conformance/src/vectors/derive.ts',
      },
      expected,
      // OpenSSL reads what it decrypts only when the envelope is intact and unsigned, and (3.0) knows no ML-KEM.
      ...(!recipe.sign && !recipe.damage && !pq
        ? { opensslVerify: `openssl cms -decrypt -inform DER -in ${v}/envelope.der -inkey keys/${keyFiles.key} -recip keys/${keyFiles.certificate} -binary -out ${v}.inner.ipp && cmp ${v}.inner.ipp ${v}/inner.ipp` }
        : {}),
    },
    request,
    envelope,
    inner,
  };
}

/**
 * Where the composite KEM ciphertext's value starts: the one OCTET STRING of its exact length
 * (1120 bytes, 04 82 04 60) in the envelope.
 */
function kemCiphertextAt(envelope: Uint8Array): number {
  const header = Buffer.from([0x04, 0x82, 0x04, 0x60]);
  const at = Buffer.from(envelope).indexOf(header);
  if (at < 0 || Buffer.from(envelope).indexOf(header, at + 1) >= 0) throw new Error('composite KEM ciphertext not found exactly once');
  return at + header.length;
}

/** Every vector, built from `keys`; the same keys always give the same bytes. */
export async function generateJobVectors(keys: VectorKeys): Promise<GeneratedVector[]> {
  const out: GeneratedVector[] = [];
  for (const r of RECIPES) out.push(await build(r, keys));
  return out;
}

/** The files of one vector under vectors/jobs/<name>/. */
export function vectorFiles(v: GeneratedVector): Record<string, Uint8Array> {
  return {
    'request.ipp': v.request,
    'envelope.der': v.envelope,
    'inner.ipp': v.inner,
    'vector.json': new TextEncoder().encode(`${JSON.stringify(v.meta, null, 2)}\n`),
  };
}
