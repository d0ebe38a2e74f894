/**
 * An X25519 printer behind an INFRA Infrastructure Printer (pull mode): the intermediary relays the
 * two certificates of printer-pkcs7-public-key (printer certificate, then the issuer that signs the
 * answers) and the Proxy's sealed answer; the owner verifies it against the pinned certificate
 * (docs/decisions.md D6).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptedJobAttributes, print, printerInfo, TrustStore } from '@trustnoone/client';
import type { RunningIntermediary } from '@trustnoone/intermediary';
import { buildApp, type PrinterHandle, type RunningProxy } from '@trustnoone/printer';
import { connectProxy, startInfraQueue } from './support/infra-queue.js';
import { certificateToPem, createIdentity, parseCertificates, privateKeyToPem } from '@trustnoone/smime';
import { TEXT } from './support/documents.js';

const PW = { alice: 'alice-pass-1', dev: 'dev-pass-2' };

let root: string;
let inter: RunningIntermediary;
let printer: PrinterHandle;
let proxy: RunningProxy;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tno-answer-infra-'));
  inter = await startInfraQueue(root, PW, ['dev']);
  printer = await buildApp({ stateDir: join(root, 'printer'), logger: false, keyAlgorithm: 'x25519' });
  proxy = await connectProxy(printer, inter, 'dev', PW.dev);
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await printer?.close();
  await inter?.close();
  await rm(root, { recursive: true, force: true });
});

describe('X25519 printer in pull mode', () => {
  it('the owner verifies the sealed answer relayed by the Infrastructure Printer', async () => {
    const conn = { printer: inter.uri, auth: { user: 'alice', password: PW.alice }, userName: 'alice' };
    const info = await printerInfo(conn);
    const advertised = parseCertificates(info.certificatePem!);
    expect(advertised.map((c) => c.fingerprint)).toEqual([printer.keys.fingerprint, printer.keys.signer.certificate.fingerprint]);

    const store = new TrustStore(join(root, 'client'));
    const owner = createIdentity({ commonName: 'alice', algorithm: 'p256' });
    const r = await print({
      ...conn,
      documents: [{ data: TEXT, format: 'text/plain', name: 'board minutes' }],
      ownerCertificate: certificateToPem(owner.certificate),
      trust: { store, firstUse: 'accept' },
      follow: { intervalMs: 100, timeoutMs: 30_000 },
    });
    expect(r.status?.state).toBe('completed');
    expect(r.trust?.fingerprint).toBe(printer.keys.fingerprint);
    const got = await encryptedJobAttributes(conn, r.jobId, {
      certificate: certificateToPem(owner.certificate),
      privateKey: privateKeyToPem(owner.privateKey),
      requested: ['job-name'],
      trust: { store },
    });
    const name = got.attributes.find((a) => a.name === 'job-name')?.values[0];
    expect(name && 'value' in name ? name.value : undefined).toBe('board minutes');
    expect(got.trust.kind).toBe('pinned');
    expect(got.signedBy).toBe('printer-issuer');
  }, 60_000);
});
