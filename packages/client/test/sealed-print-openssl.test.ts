/**
 * The sealed submission of docs/spec-notes.md §2, checked from the outside: a capture endpoint records what
 * the client sends, `openssl cms -decrypt` (an independent CMS implementation) opens it with the
 * printer's key, and the profile's printer-side checks read the inner request.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, GroupTag, IppOperation } from '@trustnoone/ipp';
import { checkBinding, checkOuterRequest, MemoryReplayCache, parseInnerRequest, PKCS7_MIME } from '@trustnoone/profile';
import { ClientError, encryptedJobAttributes, print, TrustStore, type PrintProgress } from '@trustnoone/client';
import { certificateToPem, createIdentity, privateKeyToPem } from '@trustnoone/smime';
import { startCapturePrinter, type CapturePrinter } from './helpers/capture-printer.js';
import { makeLeaf, pkiDir, type TestCert } from './helpers/pki.js';

const UUID = 'c0ffee00-1234-4abc-8def-0123456789ab';
const PRINTER_UUID = `urn:uuid:${UUID}`;
const CANARY = 'CANARY-7f3e9b1c-TOP-SECRET-PAYROLL';

let dir: string;
let printerCert: TestCert;
let otherKey: TestCert;
let signer: TestCert;
let pdf: string;
let text: string;
let printer: CapturePrinter | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-sealed-'));
  printerCert = makeLeaf({ cn: 'capture printer', uuid: UUID });
  otherKey = makeLeaf({ cn: 'substituted key', uuid: UUID });
  signer = makeLeaf({ cn: 'alice' });
  pdf = join(dir, 'payroll.pdf');
  await writeFile(pdf, `%PDF-1.4\n% ${CANARY}\n${'x'.repeat(5000)}\n%%EOF\n`);
  text = join(dir, 'notes.txt');
  await writeFile(text, `second document ${CANARY}\n`);
});

afterEach(async () => {
  await printer?.close();
  printer = undefined;
});

afterAll(async () => {
  for (const d of [dir, pkiDir]) await rm(d, { recursive: true, force: true });
});

async function freshStore(): Promise<TrustStore> {
  return new TrustStore(await mkdtemp(join(dir, 'state-')));
}

/** openssl cms -decrypt with the printer's key; for a signed job, then -verify to reach the content. */
async function opensslOpen(ciphertext: Buffer, signed: boolean): Promise<Buffer> {
  const d = await mkdtemp(join(dir, 'openssl-'));
  await writeFile(join(d, 'ct.der'), ciphertext);
  execFileSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', join(d, 'ct.der'), '-recip', printerCert.certPath, '-inkey', printerCert.keyPath, '-out', join(d, 'pt.bin')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (!signed) return readFile(join(d, 'pt.bin'));
  // The envelope holds either a ContentInfo(SignedData) (id-data content, the S/MIME habit) or, with
  // content type id-signedData (RFC 5652 §6.1), the bare SignedData; openssl reads a ContentInfo, so
  // wrap the latter (BER indefinite length): SEQUENCE { signedData OID, [0] { ... } }.
  const oidSignedData = Buffer.from('06092a864886f70d010702', 'hex');
  const sd = await readFile(join(d, 'pt.bin'));
  const isContentInfo = sd.subarray(0, 16).includes(oidSignedData);
  if (!isContentInfo) await writeFile(join(d, 'pt.bin'), Buffer.concat([Buffer.from('3080', 'hex'), oidSignedData, Buffer.from('a080', 'hex'), sd, Buffer.alloc(4)]));
  // -noverify skips the chain (alice is self-signed) but not the signature itself.
  execFileSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', join(d, 'pt.bin'), '-noverify', '-signer', join(d, 'signer.pem'), '-out', join(d, 'content.bin')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  expect((await readFile(join(d, 'signer.pem'), 'utf8')).trim()).toBe(signer.certPem.trim());
  return readFile(join(d, 'content.bin'));
}

function submissions(p: CapturePrinter) {
  return p.requests.filter((r) => [IppOperation.printJob, IppOperation.createJob, IppOperation.sendDocument].includes(r.message.code as 2 | 5 | 6));
}

describe('docs/spec-notes.md §2 sealed Print-Job, opened by openssl cms', () => {
  it('sends only routing attributes in clear and the real request sealed to the printer', async () => {
    printer = await startCapturePrinter({ certificatePem: printerCert.certPem, uuid: PRINTER_UUID });
    const events: PrintProgress[] = [];
    const r = await print({
      printer: printer.uri,
      userName: 'alice',
      documents: [{ path: pdf }],
      jobName: 'Payroll November',
      attributes: { copies: 2, sides: 'two-sided-long-edge' },
      trust: { store: await freshStore(), firstUse: 'accept' },
      onProgress: (e) => events.push(e),
    });
    expect(r).toMatchObject({ encrypted: true, signed: false, printerUuid: PRINTER_UUID });
    expect(r.trust?.kind).toBe('first-use');
    expect(r.status?.state).toBe('completed');
    expect(events.map((e) => e.phase)).toContain('trust');

    const [outer, ...rest] = submissions(printer);
    expect(rest).toHaveLength(0);
    expect(outer!.message.code).toBe(IppOperation.printJob);
    // What an intermediary sees passes its policy, and holds neither the canary nor the real names.
    expect(checkOuterRequest(outer!.message)).toEqual([]);
    for (const secret of [CANARY, 'Payroll November', 'payroll.pdf', 'two-sided-long-edge']) {
      expect(outer!.raw.includes(Buffer.from(secret)), secret).toBe(false);
    }
    const ops = outer!.message.groups[0]!.attributes;
    expect(ops.find((x) => x.name === 'document-format')!.values[0]).toMatchObject({ value: PKCS7_MIME });

    const inner = decodeMessage(await opensslOpen(outer!.data, false));
    const parsed = parseInnerRequest(inner);
    expect(parsed).toMatchObject({ operation: 'Print-Job', printerUuid: PRINTER_UUID, documentFormat: 'application/pdf', jobName: 'Payroll November', documentName: 'payroll.pdf' });
    expect(parsed.jobAttributes.map((x) => [x.name, x.values[0]])).toEqual([
      ['copies', { tag: 'integer', value: 2 }],
      ['sides', { tag: 'keyword', value: 'two-sided-long-edge' }],
    ]);
    await checkBinding(parsed, { operation: 'Print-Job', printerUuid: PRINTER_UUID, expectedDocumentNumber: 1, replay: new MemoryReplayCache() });
    expect(Buffer.from(inner.data!).equals(await readFile(pdf))).toBe(true);
  });

  it('signs then encrypts when asked: openssl verifies the SignedData inside', async () => {
    printer = await startCapturePrinter({ certificatePem: printerCert.certPem, uuid: PRINTER_UUID });
    const r = await print({
      printer: printer.uri,
      documents: [{ path: text }],
      sign: { certificate: signer.certPem, privateKey: signer.keyPem },
      trust: { store: await freshStore(), firstUse: 'accept' },
    });
    expect(r.signed).toBe(true);
    const inner = decodeMessage(await opensslOpen(submissions(printer)[0]!.data, true));
    expect(parseInnerRequest(inner).documentFormat).toBe('text/plain');
    expect(Buffer.from(inner.data!).toString()).toContain(CANARY);
  });

  it('sends several documents as Create-Job + one sealed Send-Document each, bound by nonce and order', async () => {
    printer = await startCapturePrinter({ certificatePem: printerCert.certPem, uuid: PRINTER_UUID });
    await print({ printer: printer.uri, documents: [{ path: pdf }, { path: text }], attributes: { copies: 3 }, trust: { store: await freshStore(), firstUse: 'accept' } });
    const [create, d1, d2] = submissions(printer);
    expect([create, d1, d2].map((x) => x!.message.code)).toEqual([IppOperation.createJob, IppOperation.sendDocument, IppOperation.sendDocument]);
    expect(create!.message.groups.some((g) => g.tag === GroupTag.job)).toBe(false);
    for (const x of [create, d1, d2]) expect(checkOuterRequest(x!.message)).toEqual([]);
    const lastOf = (m: typeof d1) => m!.message.groups[0]!.attributes.find((x) => x.name === 'last-document')!.values[0];
    expect([lastOf(d1), lastOf(d2)]).toEqual([{ tag: 'boolean', value: false }, { tag: 'boolean', value: true }]);

    const replay = new MemoryReplayCache();
    const i1 = parseInnerRequest(decodeMessage(await opensslOpen(d1!.data, false)));
    const b1 = await checkBinding(i1, { operation: 'Send-Document', printerUuid: PRINTER_UUID, expectedDocumentNumber: 1, outerLastDocument: false, replay });
    const m2 = decodeMessage(await opensslOpen(d2!.data, false));
    const i2 = parseInnerRequest(m2);
    const b2 = await checkBinding(i2, { operation: 'Send-Document', printerUuid: PRINTER_UUID, jobNonce: b1.jobNonce, expectedDocumentNumber: 2, outerLastDocument: true, replay });
    expect(b2.lastDocument).toBe(true);
    expect(i1.jobAttributes.map((x) => x.name)).toEqual(['copies']);
    expect(i2.jobAttributes).toEqual([]);
    expect(Buffer.from(m2.data!).equals(await readFile(text))).toBe(true);
  });

  it('streams a large document with progress, byte-exact after decryption', async () => {
    printer = await startCapturePrinter({ certificatePem: printerCert.certPem, uuid: PRINTER_UUID });
    const big = join(dir, 'big.pdf');
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < block.length; i++) block[i] = (i * 131 + 7) & 0xff;
    await writeFile(big, Buffer.concat([Buffer.from('%PDF-1.7\n'), ...Array.from({ length: 12 }, () => block)]));
    let last = 0;
    let updates = 0;
    await print({
      printer: printer.uri,
      documents: [{ path: big }],
      trust: { store: await freshStore(), firstUse: 'accept' },
      onProgress: (e) => {
        if (e.phase === 'upload') {
          expect(e.bytes).toBeGreaterThanOrEqual(last);
          last = e.bytes;
          updates++;
        }
      },
    });
    expect(last).toBe(12 * (1 << 20) + 9);
    expect(updates).toBeGreaterThan(10);
    const inner = decodeMessage(await opensslOpen(submissions(printer)[0]!.data, false));
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    expect(sha(inner.data!)).toBe(sha(await readFile(big)));
  });
});

describe('docs/spec-notes.md §3 trust before anything is sent', () => {
  it('refuses first use under the default (strict) policy and sends no job', async () => {
    printer = await startCapturePrinter({ certificatePem: printerCert.certPem, uuid: PRINTER_UUID });
    const err = await print({ printer: printer.uri, documents: [{ path: pdf }], trust: { store: await freshStore() } }).catch((e: unknown) => e);
    expect((err as ClientError).code).toBe('CLIENT_TRUST_FIRST_USE_REFUSED');
    expect(submissions(printer)).toHaveLength(0);
  });

  it('refuses a changed key (a relay substituting keys) and sends no job', async () => {
    printer = await startCapturePrinter({ certificatePem: printerCert.certPem, uuid: PRINTER_UUID });
    const store = await freshStore();
    await print({ printer: printer.uri, documents: [{ path: text }], trust: { store, firstUse: 'accept' } });
    printer.setCertificate(otherKey.certPem);
    const err = await print({ printer: printer.uri, documents: [{ path: pdf }], trust: { store, firstUse: 'accept' } }).catch((e: unknown) => e);
    expect((err as ClientError).code).toBe('CLIENT_TRUST_KEY_CHANGED');
    expect((err as ClientError).message).toContain('a relay may be substituting keys');
    expect(submissions(printer)).toHaveLength(1);
  });

  it('checks formats and attributes before trusting, so a bad request pins nothing', async () => {
    printer = await startCapturePrinter({ certificatePem: printerCert.certPem, uuid: PRINTER_UUID });
    const store = await freshStore();
    const err = await print({ printer: printer.uri, documents: [{ path: pdf }], attributes: { copies: 500 }, trust: { store, firstUse: 'accept' } }).catch((e: unknown) => e);
    expect((err as ClientError).code).toBe('CLIENT_ATTRIBUTE_NOT_SUPPORTED');
    const jpeg = join(dir, 'photo.jpg');
    await writeFile(jpeg, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]));
    const err2 = await print({ printer: printer.uri, documents: [{ path: jpeg }], trust: { store, firstUse: 'accept' } }).catch((e: unknown) => e);
    expect((err2 as ClientError).code).toBe('CLIENT_FORMAT_NOT_SUPPORTED');
    expect(await store.pins()).toEqual({});
  });

  it('reports the printer\'s verdict on a job it refused for security reasons', async () => {
    printer = await startCapturePrinter({ certificatePem: printerCert.certPem, uuid: PRINTER_UUID });
    printer.setJobOutcome(8, ['document-security-error']);
    const r = await print({ printer: printer.uri, documents: [{ path: text }], trust: { store: await freshStore(), firstUse: 'accept' } });
    expect(r.status).toMatchObject({ state: 'aborted', stateReasons: ['document-security-error'] });
  });
});

describe('docs/spec-notes.md §2 Get-Encrypted-Job-Attributes', () => {
  it('returns the job attributes sealed to the owner and signed by the trusted printer key', async () => {
    const owner = makeLeaf({ cn: 'alice' });
    const jobNonce = 'urn:uuid:0d6f8a52-1c9e-4b3a-9f1e-6a2b3c4d5e6f';
    printer = await startCapturePrinter({ certificatePem: printerCert.certPem, uuid: PRINTER_UUID, answerSigner: { certificate: printerCert.certPem, privateKey: printerCert.keyPem }, answerJobNonce: jobNonce });
    const store = await freshStore();
    await print({ printer: printer.uri, documents: [{ path: text }], trust: { store, firstUse: 'accept' } });
    const r = await encryptedJobAttributes({ printer: printer.uri }, 1, { certificate: owner.certPem, privateKey: owner.keyPem, trust: { store }, jobNonce });
    expect(r.jobVerified).toBe(true);
    expect(r.trust.kind).toBe('pinned');
    expect(r.attributes.map((x) => [x.name, x.values[0]])).toEqual([
      ['job-name', { tag: 'nameWithoutLanguage', value: 'Payroll November' }],
      ['copies', { tag: 'integer', value: 2 }],
    ]);
    const req = printer.requests.find((x) => x.message.code === IppOperation.getEncryptedJobAttributes)!;
    expect(req.raw.includes(Buffer.from(owner.certPem.split('\n')[1]!))).toBe(true);
  });

  it('refuses an answer signed by any other key (a relay forging it)', async () => {
    const owner = makeLeaf({ cn: 'alice' });
    printer = await startCapturePrinter({ certificatePem: printerCert.certPem, uuid: PRINTER_UUID, answerSigner: { certificate: otherKey.certPem, privateKey: otherKey.keyPem } });
    const store = await freshStore();
    await print({ printer: printer.uri, documents: [{ path: text }], trust: { store, firstUse: 'accept' } });
    const err = await encryptedJobAttributes({ printer: printer.uri }, 1, { certificate: owner.certPem, privateKey: owner.keyPem, trust: { store } }).catch((e: unknown) => e);
    expect((err as ClientError).code).toBe('CLIENT_SEALED_ANSWER_INVALID');
  });

  it('refuses up front an owner certificate whose key cannot receive (Ed25519)', async () => {
    printer = await startCapturePrinter({ certificatePem: printerCert.certPem, uuid: PRINTER_UUID });
    const ed = createIdentity({ commonName: 'alice', algorithm: 'ed25519' });
    const err = await encryptedJobAttributes({ printer: printer.uri }, 1, { certificate: certificateToPem(ed.certificate), privateKey: privateKeyToPem(ed.privateKey), trust: { store: await freshStore() } }).catch((e: unknown) => e);
    expect((err as ClientError).code).toBe('CLIENT_BAD_INPUT');
    expect(printer.requests).toHaveLength(0);
  });

  it('refuses an unsigned answer, and never trusts a printer on first use here', async () => {
    const owner = makeLeaf({ cn: 'alice' });
    printer = await startCapturePrinter({ certificatePem: printerCert.certPem, uuid: PRINTER_UUID });
    const store = await freshStore();
    const err = await encryptedJobAttributes({ printer: printer.uri }, 1, { certificate: owner.certPem, privateKey: owner.keyPem, trust: { store } }).catch((e: unknown) => e);
    expect((err as ClientError).code).toBe('CLIENT_TRUST_FIRST_USE_REFUSED');
    await print({ printer: printer.uri, documents: [{ path: text }], trust: { store, firstUse: 'accept' } });
    const err2 = await encryptedJobAttributes({ printer: printer.uri }, 1, { certificate: owner.certPem, privateKey: owner.keyPem, trust: { store } }).catch((e: unknown) => e);
    expect((err2 as ClientError).code).toBe('CLIENT_SEALED_ANSWER_INVALID');
  });
});
