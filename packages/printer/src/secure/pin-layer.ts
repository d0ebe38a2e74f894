/**
 * Recognising a document behind a release code (docs/profile.md "PIN release"): the inner
 * document data is a CMS ContentInfo of AuthEnvelopedData (RFC 5083). The inner document-format
 * keeps naming the real format (the profile forbids nested formats there), and no format this
 * printer renders starts like a ContentInfo: a PDF, JPEG or PWG raster has its own magic, and
 * plain text cannot hold the control bytes of the OID's encoding. Reading the ContentInfo's type
 * is smime's business (contentInfoType); this file only asks it.
 */
import { open } from 'node:fs/promises';
import { CONTENT_INFO_HEAD_BYTES, contentInfoType, OID } from '@trustnoone/smime';

/** True when `head` starts a ContentInfo of id-ct-authEnvelopedData, in any length form. */
export function isPinLayerHead(head: Uint8Array): boolean {
  return contentInfoType(head) === OID.authEnvelopedData;
}

export async function startsWithPinLayer(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(CONTENT_INFO_HEAD_BYTES);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return isPinLayerHead(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}
