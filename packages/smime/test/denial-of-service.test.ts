// Denial-of-service checks, kept apart from the fast suite but bounded (a few seconds): reading
// cost must stay linear in the input however a hostile peer shapes or chunks it.
import { describe, expect, it } from 'vitest';
import { CmsError, open, sealToBytes } from '@trustnoone/smime';
import { createTestPki } from './helpers/pki.js';

const pki = createTestPki();

async function timeToOpen(bytes: Uint8Array, chunk: number, outcome: 'rejects' | 'opens'): Promise<number> {
  const chunks = function* (): Generator<Uint8Array> {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  };
  const start = performance.now();
  const p = open(chunks(), { privateKey: pki.ids.p256.privateKey });
  if (outcome === 'rejects') await expect(p).rejects.toBeInstanceOf(CmsError);
  else expect((await p).plaintext.length).toBe(0);
  return performance.now() - start;
}

/** ContentInfo / AuthEnvelopedData / version, then a RecipientInfos SET of `n` bytes of junk RIs. */
function bigRecipientInfos(n: number): Uint8Array {
  const ri = Buffer.from('3003020100', 'hex'); // a 5-byte SEQUENCE that is no valid RecipientInfo
  const body = Buffer.concat(Array.from({ length: Math.floor(n / ri.length) }, () => ri));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([Buffer.from('3080060b2a864886f70d0109100117a0803080020100', 'hex'), Buffer.from([0x31, 0x84]), len, body]);
}

describe('linear time on hostile shapes', () => {
  it('a large RecipientInfos element fed 7 bytes at a time: doubling the size does not quadruple the time', async () => {
    const small = await timeToOpen(bigRecipientInfos(200_000), 7, 'rejects');
    const large = await timeToOpen(bigRecipientInfos(400_000), 7, 'rejects');
    expect(large / Math.max(small, 1)).toBeLessThan(3.5);
  });

  it('a million empty ciphertext segments (legal BER) are consumed in linear time', async () => {
    const env = Buffer.from(await sealToBytes(new Uint8Array(0), { recipients: [pki.ids.p256.certificate] }));
    // Our empty envelope ends: A0 80 | 00 00 (encryptedContent) 00 00 (ECI) 04 10 <tag> 00 00 00 00 00 00.
    const tail = env.length - (2 + 2 + 18 + 6);
    const build = (n: number): Uint8Array => Buffer.concat([env.subarray(0, tail), Buffer.alloc(n * 2).fill(0x04).map((b, i) => (i % 2 ? 0 : b)), env.subarray(tail)]);
    const small = await timeToOpen(build(500_000), 65536, 'opens');
    const large = await timeToOpen(build(1_000_000), 65536, 'opens');
    expect(large / Math.max(small, 1)).toBeLessThan(3.5);
  });

  it('segments nested deeper than 8 inside the encrypted content are refused', async () => {
    const env = Buffer.from(await sealToBytes(new Uint8Array(0), { recipients: [pki.ids.p256.certificate] }));
    const tail = env.length - (2 + 2 + 18 + 6);
    const nested = Buffer.concat([Buffer.alloc(40).fill(0x24).map((b, i) => (i % 2 ? 0x80 : b)), Buffer.alloc(40)]);
    await expect(open(Buffer.concat([env.subarray(0, tail), nested, env.subarray(tail)]), { privateKey: pki.ids.p256.privateKey })).rejects.toMatchObject({ code: 'CMS_LIMIT_EXCEEDED' });
  });
});
