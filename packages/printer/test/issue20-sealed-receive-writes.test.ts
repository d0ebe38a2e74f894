/**
 * Issue 20, the sealed receive path's two writers: the kept ciphertext (batched writev, one write
 * in flight while decryption goes on) and the inner splitter (batched plaintext writes, each
 * chunk openCore gives up released once written). Whatever the chunking, every byte lands in its
 * file in order, and a released chunk is released only after it was written.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeMessage } from '@trustnoone/ipp';
import { KeptCiphertext } from '../src/secure/kept-ciphertext.js';
import { InnerSplitter } from '../src/secure/inner-splitter.js';
import { tempDir } from './support/ipp.js';

/** Chunks of mixed sizes: socket-sized ones, and runs of tiny ones (more pieces than one writev batch). */
function chunks(): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < 60; i++) out.push(randomBytes(16 * 1024 + ((i * 7919) % 50_000)));
  for (let i = 0; i < 700; i++) out.push(randomBytes(1 + (i % 13)));
  for (let i = 0; i < 20; i++) out.push(randomBytes(64 * 1024));
  return out;
}

describe('kept ciphertext (issue 20)', () => {
  it('keeps every received byte in order across batches, and is complete when close(true) resolves', async () => {
    const d = await tempDir();
    try {
      const file = join(d.path, 'document-1.p7m');
      let batches = 0;
      const kept = await KeptCiphertext.create(file, () => batches++);
      const sent = chunks();
      for (const c of sent) await kept.add(c);
      await kept.close(true);
      await kept.close(true); // a second close does nothing
      expect(Buffer.compare(await readFile(file), Buffer.concat(sent))).toBe(0);
      // Batched: far fewer writes than chunks, yet more than one (the fault point still fires mid-upload).
      expect(batches).toBeGreaterThan(2);
      expect(batches).toBeLessThan(sent.length / 10);
    } finally {
      await d.remove();
    }
  });

  it('keeps a document longer than the early-sync interval whole (syncs start while it arrives)', async () => {
    const d = await tempDir();
    try {
      const file = join(d.path, 'document-1.p7m');
      const kept = await KeptCiphertext.create(file, () => undefined);
      const piece = randomBytes(64 * 1024);
      const n = 40 * 16; // 40 MiB
      for (let i = 0; i < n; i++) {
        const c = Buffer.from(piece);
        c.writeUInt32BE(i, 0); // each chunk distinct, so order is checked too
        await kept.add(c);
      }
      await kept.close(true);
      const got = await readFile(file);
      expect(got.length).toBe(n * piece.length);
      for (let i = 0; i < n; i++) {
        expect(got.readUInt32BE(i * piece.length)).toBe(i);
        expect(Buffer.compare(got.subarray(i * piece.length + 4, (i + 1) * piece.length), piece.subarray(4))).toBe(0);
      }
    } finally {
      await d.remove();
    }
  });

  it('reports a failed write to the receiver instead of losing it', async () => {
    const d = await tempDir();
    try {
      const kept = await KeptCiphertext.create(join(d.path, 'k'), () => {
        throw new Error('injected');
      });
      await expect(
        (async () => {
          for (const c of chunks()) await kept.add(c);
          await kept.close(true);
        })(),
      ).rejects.toThrow('injected');
      await kept.close(false);
    } finally {
      await d.remove();
    }
  });
});

describe('inner splitter batches and releases (issue 20)', () => {
  it('writes every byte of the chunks it releases, and releases them only once written', async () => {
    const d = await tempDir();
    try {
      const head = encodeMessage({ version: { major: 2, minor: 0 }, code: 2, requestId: 1, groups: [{ tag: 1, attributes: [{ name: 'job-name', values: [{ tag: 'nameWithoutLanguage', value: 'x' }] }] }] });
      const document = Buffer.concat(chunks());
      const plain = Buffer.concat([head, document]);
      const s = await InnerSplitter.create(join(d.path, 'h'), join(d.path, 'd'));
      const given: { chunk: Buffer; size: number }[] = [];
      for (let at = 0; at < plain.length; at += 64 * 1024) {
        // A fresh buffer of its own, as a decipher's output is.
        const chunk = Buffer.from(new Uint8Array(plain.subarray(at, at + 64 * 1024)).buffer);
        given.push({ chunk, size: chunk.length });
        await s.write(chunk, true);
      }
      const r = await s.close();
      expect(r.split).toBe(true);
      expect(Buffer.compare(await readFile(join(d.path, 'h')), Buffer.from(head))).toBe(0);
      expect(Buffer.compare(await readFile(join(d.path, 'd')), document)).toBe(0);
      // Released: every chunk large enough to be worth it is detached (its memory given back
      // without a GC), and the files above still hold its bytes.
      const large = given.filter((g) => g.size >= 16 * 1024);
      expect(large.length).toBeGreaterThan(50);
      expect(large.every((g) => g.chunk.byteLength === 0)).toBe(true);
    } finally {
      await d.remove();
    }
  });
});
