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
import { parseCertificate, sealToBytes, type SealOptions } from '@trustnoone/smime';
import { pwgRaster } from '../documents.js';
import { envelopeRegions, flipIn } from '../envelope-regions.js';
import { resealEdited } from '../reseal.js';
import { derive, derivedP256Key, derivedUuid } from './derive.js';

/** The key files the vectors are sealed to (and signed with); PEM text. */
export interface VectorKeys {
  readonly printerP256: { readonly keyPem: string; readonly certificatePem: string };
  readonly printerRsa: { readonly keyPem: string; readonly certificatePem: string };
  readonly clientEd25519: { readonly keyPem: string; readonly certificatePem: string };
}

export const KEY_FILES = {
  printerP256: { key: 'printer-p256.key.pem', certificate: 'printer-p256.cert.pem' },
  printerRsa: { key: 'printer-rsa.key.pem', certificate: 'printer-rsa.cert.pem' },
  clientEd25519: { key: 'client-ed25519.key.pem', certificate: 'client-ed25519.cert.pem' },
} as const;

/** Reads the key files of `dir` (vectors/jobs/keys). */
export async function readVectorKeys(dir: string): Promise<VectorKeys> {
  const pair = async (files: { readonly key: string; readonly certificate: string }) => ({
    keyPem: await readFile(join(dir, files.key), 'utf8'),
    certificatePem: await readFile(join(dir, files.certificate), 'utf8'),
  });
  return { printerP256: await pair(KEY_FILES.printerP256), printerRsa: await pair(KEY_FILES.printerRsa), clientEd25519: await pair(KEY_FILES.clientEd25519) };
}

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
  readonly printer: 'printerP256' | 'printerRsa';
  readonly format: 'image/pwg-raster' | 'text/plain';
  readonly document: Uint8Array;
  readonly pages: number;
  readonly copies?: number;
  readonly cipher: 'aes-256-gcm' | 'aes-128-gcm' | 'aes-256-cbc';
  readonly sign?: boolean;
  /** Seal for this printer-uuid instead of the printer's (a redirected job). */
  readonly otherPrinterUuid?: boolean;
  /** 'signed-content': a byte of the signed document flipped and the envelope re-encrypted under its own key (valid tag). */
  readonly damage?: 'tag' | 'truncate' | 'signed-content';
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
  const recipient =
    recipe.printer === 'printerRsa'
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
      sealing: {
        envelope: gcm ? 'AuthEnvelopedData (RFC 5083)' : 'EnvelopedData (RFC 5652 §6)',
        cipher: recipe.cipher,
        contentEncryptionKey: hex(cek),
        iv: hex(iv),
        recipient: recipe.printer === 'printerRsa' ? 'KeyTransRecipientInfo RSAES-OAEP SHA-256 (RFC 8017), seed derived' : 'KeyAgreeRecipientInfo ECDH P-256, X9.63 KDF SHA-256, AES key wrap (RFC 5753, RFC 3394), ephemeral key derived',
        signed: recipe.sign === true,
        jobUuid: derivedUuid(v, 'job-uuid'),
        derivation: 'SHA-256("trustnoone vector <name> <purpose> <block>"), see conformance/src/vectors/derive.ts',
      },
      expected,
      // OpenSSL reads what it decrypts only when the envelope is intact and unsigned.
      ...(!recipe.sign && !recipe.damage
        ? { opensslVerify: `openssl cms -decrypt -inform DER -in ${v}/envelope.der -inkey keys/${keyFiles.key} -recip keys/${keyFiles.certificate} -binary -out ${v}.inner.ipp && cmp ${v}.inner.ipp ${v}/inner.ipp` }
        : {}),
    },
    request,
    envelope,
    inner,
  };
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
