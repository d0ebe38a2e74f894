/**
 * Issue 20: a file printed sealed is read into two buffers used in turn (documents.ts openReused),
 * not a fresh buffer per read. Every block of the file differs, so a buffer overwritten before the
 * cipher was done with it would show; `openssl cms` (an independent implementation) opens the
 * envelope, unsigned and signed, and the document must come out byte-exact.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, IppOperation } from '@trustnoone/ipp';
import { print, TrustStore } from '@trustnoone/client';
import { startCapturePrinter, type CapturePrinter } from './helpers/capture-printer.js';
import { makeLeaf, pkiDir, type TestCert } from './helpers/pki.js';

const UUID = 'c0ffee00-2020-4abc-8def-0123456789ab';

let dir: string;
let printerCert: TestCert;
let signer: TestCert;
let big: string;
let printer: CapturePrinter | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue20-'));
  printerCert = makeLeaf({ cn: 'capture printer', uuid: UUID });
  signer = makeLeaf({ cn: 'alice' });
  big = join(dir, 'big.pdf');
  // 5.5 MiB of distinct random blocks: several 1 MiB reads and a short last one.
  await writeFile(big, Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(5.5 * 1024 * 1024)]));
});

afterEach(async () => {
  await printer?.close();
  printer = undefined;
});

afterAll(async () => {
  for (const d of [dir, pkiDir]) await rm(d, { recursive: true, force: true });
});

async function opensslOpen(ciphertext: Buffer, signed: boolean): Promise<Buffer> {
  const d = await mkdtemp(join(dir, 'openssl-'));
  await writeFile(join(d, 'ct.der'), ciphertext);
  execFileSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', join(d, 'ct.der'), '-recip', printerCert.certPath, '-inkey', printerCert.keyPath, '-out', join(d, 'pt.bin')], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (!signed) return readFile(join(d, 'pt.bin'));
  // The default nesting is a ContentInfo(SignedData), which openssl cms -verify reads as is.
  execFileSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', join(d, 'pt.bin'), '-noverify', '-out', join(d, 'content.bin')], { stdio: ['ignore', 'ignore', 'pipe'] });
  return readFile(join(d, 'content.bin'));
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('issue 20: sealed file from reused read buffers', () => {
  for (const signed of [false, true]) {
    it(`${signed ? 'signed' : 'unsigned'}: the document opens byte-exact with openssl`, async () => {
      printer = await startCapturePrinter({ certificatePem: printerCert.certPem, uuid: `urn:uuid:${UUID}` });
      await print({
        printer: printer.uri,
        documents: [{ path: big }],
        trust: { store: new TrustStore(await mkdtemp(join(dir, 'state-'))), firstUse: 'accept' },
        ...(signed ? { sign: { certificate: signer.certPem, privateKey: signer.keyPem } } : {}),
      });
      const sent = printer.requests.filter((r) => r.message.code === IppOperation.printJob);
      expect(sent).toHaveLength(1);
      const inner = decodeMessage(await opensslOpen(sent[0]!.data, signed));
      expect(sha(inner.data!)).toBe(sha(await readFile(big)));
    });
  }
});
