/**
 * RFC 5652 §3 ContentInfo / RFC 5083 AuthEnvelopedData: with checkEnvelope on, a document labelled
 * application/pkcs7-mime must start like an envelope. Real seals (ours and OpenSSL's) pass;
 * mislabelled plaintext and signed-only content are refused before anything is spooled.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { certificateToPem, createIdentity, sealToBytes } from '@trustnoone/smime';
import { startIntermediary, type RunningIntermediary } from '../src/index.js';
import { isEnvelopeHeader } from '../src/envelope-shape.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { sealedPrintJob, send } from './fixtures/client.js';

let printer: FakePrinter;
let inter: RunningIntermediary;
let state: string;
const recipient = createIdentity({ commonName: 'envelope printer' });

beforeAll(async () => {
  printer = await startFakePrinter();
  state = mkdtempSync(join(tmpdir(), 'tno-envelope-'));
  inter = await startIntermediary({ stateDir: state, upstreams: [{ uri: printer.uri }], checkEnvelope: true, port: 0, announce: () => {}, handleSignals: false, retryInitialMs: 20, pollMs: 20 });
});
afterAll(async () => {
  await inter?.close();
  await printer?.close();
});

describe('envelope shape check', () => {
  it('accepts AuthEnvelopedData from our seal and EnvelopedData from openssl cms', async () => {
    const ours = Buffer.from(await sealToBytes(Buffer.from('hello'), { recipients: [recipient.certificate] }));
    expect(isEnvelopeHeader(ours)).toBe(true);
    expect((await send(inter.uri, sealedPrintJob(inter.uri), ours)).status).toBe(0);

    const dir = mkdtempSync(join(tmpdir(), 'tno-envelope-openssl-'));
    writeFileSync(join(dir, 'cert.pem'), certificateToPem(recipient.certificate));
    writeFileSync(join(dir, 'in.txt'), 'hello from openssl');
    const r = spawnSync('openssl', ['cms', '-encrypt', '-binary', '-aes-256-cbc', '-outform', 'DER', '-in', join(dir, 'in.txt'), '-out', join(dir, 'out.der'), join(dir, 'cert.pem')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const theirs = readFileSync(join(dir, 'out.der'));
    expect(isEnvelopeHeader(theirs)).toBe(true);
    expect((await send(inter.uri, sealedPrintJob(inter.uri), theirs)).status).toBe(0);
  });

  it('refuses plaintext labelled application/pkcs7-mime, and spools nothing of it', async () => {
    const before = readdirSync(join(state, 'spool', 'jobs')).length;
    const a = await send(inter.uri, sealedPrintJob(inter.uri), Buffer.from('%PDF-1.7 this is not sealed at all, just labelled so'));
    expect(a.status).toBe(0x041a);
    expect(a.statusMessage).toMatch(/not a CMS enveloped object/);
    expect(readdirSync(join(state, 'spool', 'jobs')).length).toBe(before);
    expect(readdirSync(join(state, 'spool', 'tmp'))).toEqual([]);
  });

  it('refuses SignedData without an envelope (signed is not encrypted)', () => {
    const signedOid = Buffer.from([0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80]);
    expect(isEnvelopeHeader(signedOid)).toBe(false);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => void isEnvelopeHeader(Buffer.from(b))));
  });
});
