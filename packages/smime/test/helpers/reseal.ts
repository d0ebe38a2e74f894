// Test helper: given an envelope sealed with a known CEK, decrypt its content, let the test alter
// the plaintext, and encrypt it again under the same CEK with a valid tag. The result is
// re-encoded by asn1js with a primitive (definite-length) encryptedContent, so it also exercises
// the non-streamed form on read. Used to reach the signature checks behind the GCM tag.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import * as asn1js from 'asn1js';

type Node = asn1js.AsnType & { valueBlock: { value: Node[]; valueHexView: Uint8Array } } & asn1js.BaseBlock;
const kids = (n: Node): Node[] => n.valueBlock.value;
function octets(n: Node): Uint8Array {
  // A primitive OCTET STRING is its bytes. asn1js also tries to read them as nested BER, and a
  // random GCM tag or ciphertext chunk sometimes parses (e.g. 32 80 ...): never use that guess.
  if (!n.idBlock.isConstructed) return n.valueBlock.valueHexView;
  return Buffer.concat(n.valueBlock.value.map(octets));
}

export function reseal(envelope: Uint8Array, cek: Uint8Array, alter: (plaintext: Buffer) => Buffer): Uint8Array {
  const parsed = asn1js.fromBER(envelope);
  if (parsed.offset === -1) throw new Error(parsed.result.error);
  const ci = parsed.result as unknown as Node;
  const aed = kids(kids(ci)[1]!)[0]!;
  const fields = kids(aed);
  const eci = fields[2]!;
  const nonce = octets(kids(kids(kids(eci)[1]!)[1]!)[0]!);
  const cipher = cek.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
  const d = createDecipheriv(cipher, cek, nonce);
  d.setAuthTag(octets(fields[3]!));
  const plain = Buffer.concat([d.update(octets(kids(eci)[2]!)), d.final()]);
  const e = createCipheriv(cipher, cek, nonce);
  const ct = Buffer.concat([e.update(alter(plain)), e.final()]);
  kids(eci)[2] = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: ct }) as unknown as Node;
  fields[3] = new asn1js.OctetString({ valueHex: e.getAuthTag() }) as unknown as Node;
  return new Uint8Array(ci.toBER(false));
}
