// vectors/cms/: deterministic envelopes of every shape we write. They must regenerate byte for
// byte, OpenSSL must open the ones it can, and the X25519 (RFC 8418) and Ed25519 (RFC 8419) ones,
// which OpenSSL 3.0 cannot handle, are checked by an independent computation: asn1js parses them,
// @noble/curves and @noble/hashes redo the key agreement, KDF and signature check.
import { createDecipheriv, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { open } from '@trustnoone/smime';
import { buildVectors, fixed, vectorsDir, type VectorSet } from './helpers/cms-vectors.js';
import { openssl } from './helpers/openssl.js';

let set: VectorSet;
beforeAll(async () => {
  set = await buildVectors();
});

const manifest = JSON.parse(readFileSync(join(vectorsDir, 'manifest.json'), 'utf8')) as VectorSet['envelopes'];
const keyFile = (r: string): string => join(vectorsDir, 'keys', r === 'rsa' ? 'rsa-recipient.key' : `${r}.key`);

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

describe('vectors/cms regenerate byte-identically', () => {
  it('the manifest lists what the generator produces', () => {
    expect(set.envelopes).toEqual(manifest);
  });
  it('every file', () => {
    for (const [name, bytes] of set.files) {
      const onDisk = readFileSync(join(vectorsDir, name));
      expect(firstDifference(onDisk, bytes), `${name}: first differing offset`).toBe(-1);
    }
  });
});

describe('each vector opens', () => {
  for (const v of manifest) {
    it(`${v.file}: ours`, async () => {
      const res = await open(readFileSync(join(vectorsDir, v.file)), {
        privateKey: readFileSync(keyFile(v.recipient), 'utf8'),
        certificate: readFileSync(join(vectorsDir, 'keys', `${v.recipient}.crt`), 'utf8'),
        allowUnauthenticated: v.file.startsWith('enveloped-'),
        trustAnchors: [readFileSync(join(vectorsDir, 'keys', 'ca.crt'), 'utf8')],
        requireSignature: v.signed,
        verificationTime: fixed.signingTime,
      });
      expect(Buffer.from(res.plaintext).equals(Buffer.from(fixed.content))).toBe(true);
      if (v.signed) expect(res.signer?.trust).toBe('verified');
    });
    if (v.opensslCheck) {
      it(`${v.file}: openssl cms -decrypt`, () => {
        const r = openssl(['cms', '-decrypt', '-inform', 'DER', '-in', join(vectorsDir, v.file), '-inkey', keyFile(v.recipient), '-recip', join(vectorsDir, 'keys', `${v.recipient}.crt`)]);
        expect(r.status, r.stderr).toBe(0);
        if (!v.signed) expect(r.stdout.equals(Buffer.from(fixed.content))).toBe(true);
      });
    }
  }
});

// ---- an independent reading with asn1js ----
type Node = asn1js.AsnType & { idBlock: { tagClass: number; tagNumber: number }; valueBlock: { value?: Node[]; valueHexView?: Uint8Array } };
const kids = (n: Node): Node[] => n.valueBlock.value ?? [];
function octets(n: Node): Uint8Array {
  if (n.valueBlock.value && n.valueBlock.value.length >= 0 && !n.valueBlock.valueHexView?.length) return Buffer.concat(kids(n).map(octets));
  return n.valueBlock.valueHexView ?? new Uint8Array(0);
}
function parse(bytes: Uint8Array): Node {
  const r = asn1js.fromBER(bytes);
  if (r.offset === -1) throw new Error(`asn1js: ${r.result.error}`);
  return r.result as unknown as Node;
}

describe('RFC 8418 X25519 vector, recomputed with @noble/curves and @noble/hashes', () => {
  it('Z is the RFC 7748 §6.1 shared secret, HKDF-SHA-256 gives the KEK that unwraps the CEK, GCM opens', () => {
    const ci = parse(readFileSync(join(vectorsDir, 'auth-enveloped-x25519.der')));
    const aed = kids(kids(ci)[1]!)[0]!;
    const [, recipientInfos, eci, mac] = kids(aed);
    const kari = kids(recipientInfos!)[0]!;
    expect(kari.idBlock.tagClass).toBe(3); // [1] context
    const [version, originator, kea, reks] = kids(kari);
    expect(octets(version!)[0]).toBe(3);
    const origKey = kids(kids(originator!)[0]!);
    const ephemeralPublic = octets(origKey[1]!);
    expect(Buffer.from(ephemeralPublic).equals(Buffer.from(x25519.getPublicKey(fixed.x25519Ephemeral)))).toBe(true);
    expect((kids(kea!)[0] as unknown as asn1js.ObjectIdentifier).valueBlock.toString()).toBe('1.2.840.113549.1.9.16.3.19');
    const z = x25519.getSharedSecret(fixed.x25519Recipient, ephemeralPublic);
    expect(Buffer.from(z).toString('hex')).toBe(fixed.x25519SharedSecret);
    // ECC-CMS-SharedInfo { keyInfo aes256-wrap, suppPubInfo [2] 256 bits } (RFC 5753 §7.2), by hand.
    const info = Buffer.from('3015' + '300b0609608648016503040' + '12d' + 'a206040400000100', 'hex');
    const kek = hkdf(sha256, z, new Uint8Array(0), info, 32);
    const wrapped = octets(kids(kids(reks!)[0]!)[1]!);
    const d = createDecipheriv('id-aes256-wrap', kek, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
    const cek = Buffer.concat([d.update(wrapped), d.final()]);
    expect(cek.toString('hex')).toBe(Buffer.from(fixed.cek256).toString('hex'));
    const gcmParams = kids(kids(kids(eci!)[1]!)[1]!);
    expect(Buffer.from(octets(gcmParams[0]!)).toString('hex')).toBe(Buffer.from(fixed.nonce).toString('hex'));
    const g = createDecipheriv('aes-256-gcm', cek, octets(gcmParams[0]!));
    g.setAuthTag(octets(mac!));
    const pt = Buffer.concat([g.update(octets(kids(eci!)[2]!)), g.final()]);
    expect(pt.equals(Buffer.from(fixed.content))).toBe(true);
  });
});

describe('RFC 8419 Ed25519 SignedData vector, checked with @noble/curves', () => {
  it('the signature over the signed attributes verifies under the RFC 8410 §10.3 public key, and message-digest is SHA-512 of the content', () => {
    const ci = parse(readFileSync(join(vectorsDir, 'signed-ed25519-auth-enveloped-x25519.der')));
    const [, , eci, mac] = kids(kids(kids(ci)[1]!)[0]!);
    const nonce = octets(kids(kids(kids(eci!)[1]!)[1]!)[0]!);
    const g = createDecipheriv('aes-256-gcm', fixed.cek256, nonce);
    g.setAuthTag(octets(mac!));
    // Default nesting: id-data holding ContentInfo { id-signedData, [0] SignedData }.
    const innerCi = parse(Buffer.concat([g.update(octets(kids(eci!)[2]!)), g.final()]));
    expect((kids(innerCi)[0] as unknown as asn1js.ObjectIdentifier).valueBlock.toString()).toBe('1.2.840.113549.1.7.2');
    const signedData = kids(kids(innerCi)[1]!)[0]!;
    const [, digestAlgs, encap, , signerInfos] = kids(signedData);
    expect((kids(kids(digestAlgs!)[0]!)[0] as unknown as asn1js.ObjectIdentifier).valueBlock.toString()).toBe('2.16.840.1.101.3.4.2.3'); // SHA-512, RFC 8419 §3
    const content = octets(kids(kids(encap!)[1]!)[0]!);
    expect(Buffer.from(content).equals(Buffer.from(fixed.content))).toBe(true);
    const si = kids(kids(signerInfos!)[0]!);
    const signedAttrs = si[3]!;
    const sigAlg = (kids(si[4]!)[0] as unknown as asn1js.ObjectIdentifier).valueBlock.toString();
    expect(sigAlg).toBe('1.3.101.112');
    const der = new Uint8Array(signedAttrs.toBER(false));
    der[0] = 0x31; // RFC 5652 §5.4: signed as SET OF
    const publicKey = Buffer.from('19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1', 'hex'); // RFC 8410 §10.3
    expect(ed25519.verify(octets(si[5]!), der, publicKey)).toBe(true);
    const md = kids(signedAttrs).find((a) => (kids(a)[0] as unknown as asn1js.ObjectIdentifier).valueBlock.toString() === '1.2.840.113549.1.9.4')!;
    expect(Buffer.from(octets(kids(kids(md)[1]!)[0]!)).equals(createHash('sha512').update(content).digest())).toBe(true);
  });
});
