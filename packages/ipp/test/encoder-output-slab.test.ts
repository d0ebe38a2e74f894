import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeHeader, encodeMessage } from '@trustnoone/ipp';
import type { IppMessage } from '@trustnoone/ipp';

/**
 * The encoder writes into a shared 256 KiB slab and moves a message that outgrows it to a buffer
 * of its own (src/writer.ts). Messages of every size around those boundaries, one after another,
 * must come out whole and must not overwrite the results handed out before them.
 */

function messageOfSize(values: number, textLength: number, seed: number): IppMessage {
  const text = (i: number): string => `${seed}-${i}-`.padEnd(textLength, String.fromCharCode(97 + ((seed + i) % 26)));
  return {
    version: { major: 2, minor: 0 },
    code: 0x000b,
    requestId: seed,
    groups: [
      {
        tag: 0x01,
        attributes: [
          { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
          { name: 'requested-attributes', values: Array.from({ length: values }, (_, i) => ({ tag: 'keyword' as const, value: text(i) })) },
          { name: 'document-name', values: [{ tag: 'nameWithoutLanguage', value: `résumé ${seed}`.padEnd(textLength, 'é') }] },
        ],
      },
    ],
  };
}

describe('encoder output slab', () => {
  it('messages from a few octets to several slabs, in sequence: each round-trips and earlier results stay intact', () => {
    const results: { bytes: Uint8Array; copy: Buffer; message: IppMessage }[] = [];
    let seed = 0;
    // 10 values of 70 characters (not cached) up to 4,000 values of 300: 1 KiB to ~1.2 MiB each.
    for (const [values, length] of [[10, 70], [900, 30], [1200, 200], [4000, 300], [3, 10], [700, 60], [2000, 63]] as const) {
      for (let k = 0; k < 4; k++) {
        const message = messageOfSize(values, length, seed++);
        const bytes = encodeMessage(message);
        results.push({ bytes, copy: Buffer.from(bytes), message });
        expect(decodeMessage(Buffer.from(bytes))).toEqual({ ...message });
        expect(Buffer.from(encodeHeader(message)).equals(Buffer.from(bytes)), `encodeHeader agrees, seed ${seed - 1}`).toBe(true);
      }
    }
    for (const [i, r] of results.entries()) expect(Buffer.from(r.bytes).equals(r.copy), `result ${i} unchanged by later encodings`).toBe(true);
  });
});
