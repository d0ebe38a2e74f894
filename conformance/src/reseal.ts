/**
 * Re-encrypting an AuthEnvelopedData whose content-encryption key and nonce the test chose: the
 * plaintext is edited and encrypted again under the same key, giving a new, valid GCM tag. The
 * envelope then opens cleanly, and whatever was altered inside (signed content) must be caught by
 * the checks after decryption: the signature (RFC 5652 §5.4, §5.6).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { envelopeRegions } from './envelope-regions.js';

export function resealEdited(envelope: Uint8Array, cek: Uint8Array, iv: Uint8Array, edit: (plaintext: Uint8Array) => Uint8Array): Uint8Array {
  const r = envelopeRegions(envelope);
  if (!r.mac) throw new RangeError('resealEdited needs an AuthEnvelopedData');
  const algorithm = cek.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
  const ciphertext = Buffer.concat(r.segments.map((s) => envelope.subarray(s.start, s.end)));
  // The old tag is not checked: the edit replaces it. Only the keystream is reused, on purpose.
  const plaintext = createDecipheriv(algorithm, cek, iv, { authTagLength: 16 }).update(ciphertext);
  const edited = edit(new Uint8Array(plaintext));
  if (edited.length !== plaintext.length) throw new RangeError('the edit must keep the plaintext length');
  const cipher = createCipheriv(algorithm, cek, iv, { authTagLength: 16 });
  if (r.authAttrs) {
    // RFC 5083 §2.2: the additional data is the DER SET OF, with the SET tag in place of [1].
    const aad = Uint8Array.from(envelope.subarray(r.authAttrs.start, r.authAttrs.end));
    aad[0] = 0x31;
    cipher.setAAD(aad);
  }
  const out = Uint8Array.from(envelope);
  const ct = Buffer.concat([cipher.update(edited), cipher.final()]);
  let at = 0;
  for (const s of r.segments) {
    out.set(ct.subarray(at, at + (s.end - s.start)), s.start);
    at += s.end - s.start;
  }
  const tag = cipher.getAuthTag();
  if (tag.length !== r.mac.end - r.mac.start) throw new RangeError('tag length differs from the envelope mac');
  out.set(tag, r.mac.start);
  return out;
}
