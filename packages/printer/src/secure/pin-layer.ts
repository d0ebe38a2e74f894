/**
 * Recognising a document behind a release code (docs/profile.md "PIN release"): the inner
 * document data is a CMS ContentInfo of AuthEnvelopedData (RFC 5083). The inner document-format
 * keeps naming the real format (the profile forbids nested formats there), and no format this
 * printer renders starts with these bytes: a PDF, JPEG or PWG raster has its own magic, and plain
 * text cannot hold the control bytes of the OID's encoding.
 */
import { open } from 'node:fs/promises';

// 06 0B 2A 86 48 86 F7 0D 01 09 10 01 17: OBJECT IDENTIFIER 1.2.840.113549.1.9.16.1.23 (id-ct-authEnvelopedData)
const AUTH_ENVELOPED_OID = Uint8Array.of(0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17);

/** True when `head` starts with SEQUENCE { id-ct-authEnvelopedData, ... } in any length form. */
export function isPinLayerHead(head: Uint8Array): boolean {
  if (head[0] !== 0x30 || head.length < 2) return false;
  const l = head[1]!;
  if (l > 0x84) return false;
  const at = l <= 0x80 ? 2 : 2 + (l & 0x7f);
  return AUTH_ENVELOPED_OID.every((b, i) => head[at + i] === b);
}

export async function startsWithPinLayer(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(32);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return isPinLayerHead(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}
