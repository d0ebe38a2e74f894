// Issue 20: `tno smime seal|open` file to file grew with the job's size (61.5 → 67.5 MiB seal,
// 67 → 73 MiB open, 256 MiB → 1 GiB). The cause: megabyte blocks allocated per chunk — every
// Cipher.update output and, in openFile, every read buffer — which glibc serves from its heap once
// the first free raised its mmap threshold, and that heap fragmented. Now the cipher runs in 64 KiB
// slices (blocks malloc recycles) while the envelope keeps its 1 MiB segments, and openFile reads
// into a few recycled 256 KiB buffers. Peak RSS itself is measured by benchmark/run.ts (README), not here.
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openCore, openFile, sealChunks, sealFile } from '@trustnoone/smime';
import { createTestPki, type TestPki } from './helpers/pki.js';
import { opensslOk } from './helpers/openssl.js';

const MiB = 1024 * 1024;
const SLICE = 64 * 1024;
let pki: TestPki;
let dir: string;
let data: Buffer;

beforeAll(() => {
  pki = createTestPki();
  dir = mkdtempSync(join(tmpdir(), 'tno-issue20-'));
  data = randomFillSync(Buffer.alloc(5 * MiB + 4321));
  writeFileSync(join(dir, 'in'), data);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('issue 20: memory flat in the job size', () => {
  it('seal yields ciphertext in blocks of at most 64 KiB, framed in 1 MiB segments openssl reads', async () => {
    const sizes: number[] = [];
    const parts: Uint8Array[] = [];
    const pieces = Array.from({ length: Math.ceil(data.length / MiB) }, (_, i) => data.subarray(i * MiB, (i + 1) * MiB));
    for await (const c of sealChunks(pieces, { recipients: [pki.ids.p256.certificate], segmentSize: MiB })) {
      sizes.push(c.length);
      parts.push(Uint8Array.from(c));
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(SLICE);
    const envelope = Buffer.concat(parts);
    // encryptedContent segments: OCTET STRING headers of 1 MiB (04 83 10 00 00), five of them.
    expect(envelope.toString('hex').split('0483100000').length - 1).toBeGreaterThanOrEqual(5);
    writeFileSync(join(dir, 'env.p7m'), envelope);
    const out = opensslOk(['cms', '-decrypt', '-inform', 'DER', '-in', join(dir, 'env.p7m'), '-recip', pki.ids.p256.certPath, '-inkey', pki.ids.p256.keyPath]);
    expect(out.equals(data)).toBe(true);
  });

  it('open hands the plaintext on in blocks of at most 64 KiB', async () => {
    await sealFile(join(dir, 'in'), join(dir, 'sealed.p7m'), { recipients: [pki.ids.p256.certificate] });
    const sizes: number[] = [];
    const parts: Buffer[] = [];
    await openCore(readFileSync(join(dir, 'sealed.p7m')), { privateKey: pki.ids.p256.privateKey }, (c) => {
      sizes.push(c.length);
      parts.push(Buffer.from(c));
    });
    expect(Math.max(...sizes)).toBeLessThanOrEqual(SLICE);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
  });

  it('openFile reads a 5 MiB envelope into at most three 256 KiB buffers, reused', async () => {
    await sealFile(join(dir, 'in'), join(dir, 'sealed2.p7m'), { recipients: [pki.ids.p256.certificate] });
    const alloc = vi.spyOn(Buffer, 'allocUnsafeSlow');
    await openFile(join(dir, 'sealed2.p7m'), join(dir, 'out'), { privateKey: pki.ids.p256.privateKey });
    expect(readFileSync(join(dir, 'out')).equals(data)).toBe(true);
    const readBuffers = alloc.mock.calls.filter(([n]) => n === 256 * 1024).length;
    expect(readBuffers).toBeGreaterThan(0);
    expect(readBuffers).toBeLessThanOrEqual(3);
  });
});
