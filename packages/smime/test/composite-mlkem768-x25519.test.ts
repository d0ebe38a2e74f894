/**
 * The hybrid recipient: composite ML-KEM-768 + X25519 (id-MLKEM768-X25519-SHA3-256,
 * draft-ietf-lamps-pq-composite-kem-18) in a KEMRecipientInfo. The draft's own test vector
 * (Appendix G) decapsulates to its shared secret; envelopes we seal open; and opening needs both
 * halves of the key: the right X25519 key with another ML-KEM key fails, and so does the reverse.
 * A downgrade that strips the ML-KEM half of the ciphertext is refused.
 *
 * No OpenSSL cross-check: OpenSSL 3.0 (Debian 12) has neither ML-KEM nor composite KEMs; the
 * draft's vector, made by another implementation, is the independent check.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  CompositeKemPrivateKey,
  createCertificateAuthority,
  createKemIdentity,
  loadKemPrivateKey,
  open,
  openCore,
  seal,
  sealToBytes,
} from '@trustnoone/smime';

const vector = JSON.parse(readFileSync(new URL('../../../vectors/cms/composite-kem/mlkem768-x25519.json', import.meta.url), 'utf8')) as Record<string, string>;
const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

describe('id-MLKEM768-X25519-SHA3-256: the draft-18 Appendix G vector', () => {
  it('the PKCS#8 key (seed ‖ X25519 key) equals the raw dk and decapsulates c to k', () => {
    const key = loadKemPrivateKey(b64(vector.dk_pkcs8!));
    expect(key, 'dk_pkcs8').toBeInstanceOf(CompositeKemPrivateKey);
    const raw = CompositeKemPrivateKey.fromBytes('mlkem768-x25519', b64(vector.dk!));
    expect(Buffer.from(key!.publicKey).equals(Buffer.from(raw.publicKey)), 'public key from dk and dk_pkcs8').toBe(true);
    expect(Buffer.from(key!.decapsulate(b64(vector.c!))).toString('base64'), 'k').toBe(vector.k);
  });
});

const ca = createCertificateAuthority({ commonName: 'hybrid test CA' });
const printer = createKemIdentity({ commonName: 'hybrid printer', algorithm: 'mlkem768-x25519', ca, printerUuid: '6a0f1c3e-8b1e-4d2b-9b55-0f2b7c1e9a10' });
const key = printer.privateKey as CompositeKemPrivateKey;

describe('composite ML-KEM-768 + X25519 recipients, written and read', () => {
  it('the certificate carries the 1216-byte composite key for keyEncipherment only', () => {
    expect(printer.certificate.keyKind).toBe('mlkem768-x25519');
    expect(printer.certificate.kemPublicKey?.length).toBe(1216);
    expect(printer.certificate.keyUsage).toEqual(new Set([2]));
  });

  it('seals as a stream and opens with the composite key (PKCS#8 round trip too)', async () => {
    const chunks = Array.from({ length: 30 }, (_, i) => new Uint8Array(40_000).fill(i + 1));
    const parts: Buffer[] = [];
    for await (const c of seal(Readable.from(chunks), { recipients: [printer.certificate] })) parts.push(c as Buffer);
    const out: Uint8Array[] = [];
    const meta = await openCore(Buffer.concat(parts), { privateKey: key.toPem(), certificate: printer.certificate }, (c) => void out.push(Uint8Array.from(c)));
    expect(Buffer.concat(out).equals(Buffer.concat(chunks))).toBe(true);
    expect(meta.recipient).toMatchObject({ type: 'kemri', scheme: 'mlkem768-x25519-hkdf-sha256' });
  });
});

describe('the hybrid needs both keys', () => {
  const seedOf = (k: CompositeKemPrivateKey): Uint8Array => k.mlkem.seed!;
  const other = CompositeKemPrivateKey.generate('mlkem768-x25519');

  it('the right X25519 key with another ML-KEM key does not open it', async () => {
    const der = await sealToBytes(new TextEncoder().encode('secret'), { recipients: [printer.certificate] });
    const x25519Only = CompositeKemPrivateKey.fromBytes('mlkem768-x25519', new Uint8Array([...seedOf(other), ...key.x25519SecretKey]));
    await expect(open(der, { privateKey: x25519Only, certificate: printer.certificate })).rejects.toMatchObject({ code: 'CMS_DECRYPT_FAILED' });
  });

  it('the right ML-KEM key with another X25519 key does not open it', async () => {
    const der = await sealToBytes(new TextEncoder().encode('secret'), { recipients: [printer.certificate] });
    const mlkemOnly = CompositeKemPrivateKey.fromBytes('mlkem768-x25519', new Uint8Array([...seedOf(key), ...other.x25519SecretKey]));
    await expect(open(der, { privateKey: mlkemOnly, certificate: printer.certificate })).rejects.toMatchObject({ code: 'CMS_DECRYPT_FAILED' });
    expect(new TextDecoder().decode((await open(der, { privateKey: key, certificate: printer.certificate })).plaintext)).toBe('secret');
  });

  it('a downgrade that strips the ML-KEM half of the ciphertext (leaving the X25519 key share) is refused: CMS_MALFORMED', async () => {
    const der = Buffer.from(await sealToBytes(new TextEncoder().encode('secret'), { recipients: [printer.certificate] }));
    // kemct: OCTET STRING of 1120 bytes (04 82 04 60) = ML-KEM ciphertext (1088) ‖ X25519 share (32).
    const at = der.indexOf(Buffer.from('04820460', 'hex'));
    expect(at).toBeGreaterThan(0);
    const share = der.subarray(at + 4 + 1088, at + 4 + 1120);
    const stripped = Buffer.concat([der.subarray(0, at), Buffer.from([0x04, 0x20]), share, der.subarray(at + 4 + 1120)]);
    // Re-encode the lengths of the enclosing definite-length elements (ori, KEMRecipientInfo, SET) so
    // only the ciphertext is wrong, not the framing: each shrinks by 1088 + 2 bytes.
    const shrink = 1088 + 2;
    const fixed = fixLengths(stripped, at, shrink);
    await expect(open(fixed, { privateKey: key, certificate: printer.certificate })).rejects.toMatchObject({ code: 'CMS_MALFORMED', message: expect.stringMatching(/ciphertext of 32 bytes/) });
  });
});

describe('the hybrid KEMRecipientInfo: what is refused (RFC 9629 checks, as for ML-KEM)', () => {
  const hkdf256 = '300d060b2a864886f70d010910031c';
  const seal = async (): Promise<Buffer> => Buffer.from(await sealToBytes(new TextEncoder().encode('secret'), { recipients: [printer.certificate] }));
  const patched = (der: Buffer, from: string, to: string): Buffer => {
    const at = der.indexOf(Buffer.from(from, 'hex'));
    expect(at, from).toBeGreaterThan(0);
    const out = Buffer.from(der);
    Buffer.from(to, 'hex').copy(out, at);
    return out;
  };
  const opening = (der: Uint8Array) => open(der, { privateKey: key, certificate: printer.certificate });

  it('a kekLength that is not the AES-256 key wrap size: CMS_MALFORMED', async () => {
    await expect(opening(patched(await seal(), hkdf256 + '020120', hkdf256 + '020118'))).rejects.toMatchObject({ code: 'CMS_MALFORMED' });
  });

  it('an unknown KDF in place of hkdf-with-sha256: CMS_UNSUPPORTED', async () => {
    await expect(opening(patched(await seal(), hkdf256, '300d060b2a864886f70d010910031f'))).rejects.toMatchObject({ code: 'CMS_UNSUPPORTED' });
  });

  it('one flipped byte in either half of the composite ciphertext: CMS_DECRYPT_FAILED', async () => {
    for (const offset of [4 + 500, 4 + 1088 + 7]) {
      const der = await seal();
      const at = der.indexOf(Buffer.from('04820460', 'hex'));
      der[at + offset]! ^= 0x01;
      await expect(opening(der), `byte ${offset - 4} of kemct`).rejects.toMatchObject({ code: 'CMS_DECRYPT_FAILED' });
    }
  });
});

/** Shortens every 0x82-form length in the header before `end` whose element contains `end`. */
function fixLengths(buf: Buffer, end: number, by: number): Buffer {
  const out = Buffer.from(buf);
  for (let i = 0; i < end - 3; i++) {
    if (out[i + 1] !== 0x82) continue;
    const tag = out[i]!;
    if (tag !== 0x31 && tag !== 0x30 && tag !== 0xa4) continue;
    const len = out.readUInt16BE(i + 2);
    if (i + 4 + len > end && len > by) out.writeUInt16BE(len - by, i + 2);
  }
  return out;
}
