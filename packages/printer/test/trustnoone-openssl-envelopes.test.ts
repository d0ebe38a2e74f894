/**
 * Interoperability of the TRUSTNOONE endpoint with an independent CMS implementation: sealed jobs
 * whose envelope is made by `openssl cms` (AuthEnvelopedData AES-GCM to the printer's certificate,
 * optionally signed by `openssl cms -sign` first) are opened, verified and printed; a tampered
 * OpenSSL envelope is refused like any other.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessage } from '@trustnoone/ipp';
import { buildInnerRequest, newJobNonce } from '@trustnoone/profile';
import { certificateToPem, createCertificateAuthority, createIdentity, privateKeyToPem } from '@trustnoone/smime';
import type { PrinterHandle } from '@trustnoone/printer';
import { TEXT } from './support/documents.js';
import { JOB, printer, send, tempDir, URI } from './support/ipp.js';
import { outerPrintJob, printerCertificate } from './support/sealed.js';

let dir: { path: string; remove(): Promise<void> };
let p: PrinterHandle;
const ca = createCertificateAuthority({ commonName: 'Interop CA' });
const alice = createIdentity({ commonName: 'alice', ca });

beforeAll(async () => {
  dir = await tempDir();
  p = await printer(join(dir.path, 'state'), { trustAnchorsPem: [certificateToPem(ca.certificate)] });
  await writeFile(join(dir.path, 'printer.pem'), printerCertificate(p));
  await writeFile(join(dir.path, 'alice.pem'), certificateToPem(alice.certificate));
  await writeFile(join(dir.path, 'alice.key'), privateKeyToPem(alice.privateKey), { mode: 0o600 });
});
afterAll(async () => {
  await p.close();
  await dir.remove();
});

function openssl(args: string[], input?: Uint8Array): Uint8Array {
  return new Uint8Array(execFileSync('openssl', args, { input, maxBuffer: 64 << 20 }));
}

function innerPlaintext(): Uint8Array {
  const inner = buildInnerRequest({ operation: 'Print-Job', printerUri: URI, requestingUserName: 'alice', printerUuid: `urn:uuid:${p.uuid}`, jobUuid: newJobNonce(), documentFormat: 'text/plain', jobName: 'openssl job' });
  return Buffer.concat([encodeMessage(inner), TEXT]);
}

function opensslSeal(plaintext: Uint8Array, cipher = '-aes-256-gcm'): Uint8Array {
  // A SHA-256 KDF: OpenSSL's default SHA-1 KDF is refused (cli issue11-6-sha1-kdf-accepted).
  return openssl(['cms', '-encrypt', '-binary', '-outform', 'DER', cipher, '-recip', join(dir.path, 'printer.pem'), '-keyopt', 'ecdh_kdf_md:sha256'], plaintext);
}

describe('envelopes made by openssl cms', () => {
  for (const cipher of ['-aes-256-gcm', '-aes-128-gcm']) {
    it(`prints a job sealed by openssl cms -encrypt ${cipher}`, async () => {
      const r = await send(p.app, outerPrintJob(), opensslSeal(innerPlaintext(), cipher));
      expect(r.status).toBe(0);
      const job = await p.runtime.store.whenFinalized(r.value(JOB, 'job-id') as number);
      expect(job.state).toBe('completed');
      expect(job.name).toBe('openssl job');
      expect(job.seal?.trust).toBe('unsigned');
    });
  }

  it('prints a job signed by openssl cms -sign and then encrypted; the signer chains to the trust anchor', async () => {
    const signed = openssl(['cms', '-sign', '-nodetach', '-binary', '-outform', 'DER', '-md', 'sha256', '-signer', join(dir.path, 'alice.pem'), '-inkey', join(dir.path, 'alice.key')], innerPlaintext());
    const r = await send(p.app, outerPrintJob(), opensslSeal(signed));
    expect(r.status).toBe(0);
    const job = await p.runtime.store.whenFinalized(r.value(JOB, 'job-id') as number);
    expect(job.state).toBe('completed');
    expect(job.seal).toMatchObject({ signed: true, trust: 'verified', signerSubject: expect.stringContaining('alice') });
  });

  it('refuses a tampered openssl envelope with document-security-error', async () => {
    const der = opensslSeal(innerPlaintext());
    der[der.length - 40]! ^= 0x01;
    const r = await send(p.app, outerPrintJob(), der);
    expect(r.status).toBe(0x041a);
    const job = await p.runtime.store.whenFinalized(r.value(JOB, 'job-id') as number);
    expect(job.state).toBe('aborted');
    expect(job.reasons.has('document-security-error')).toBe(true);
  });

  it('refuses AES-CBC EnvelopedData from openssl (no integrity: a downgrade)', async () => {
    const r = await send(p.app, outerPrintJob(), opensslSeal(innerPlaintext(), '-aes-256-cbc'));
    expect(r.status).toBe(0x041a);
  });
});
