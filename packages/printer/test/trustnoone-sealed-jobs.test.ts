/**
 * The TRUSTNOONE endpoint (docs/spec-notes.md §2): sealed jobs are opened, verified and bound before
 * anything renders. Every attack ends the job aborted with document-security-error, status
 * 0x041A and one generic status-message, nothing rendered, no decrypted byte on disk, and the
 * exact reason in the local log only. Envelopes are made with smime's seal and the profile's
 * request builders, as a client does.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage } from '@trustnoone/ipp';
import { createCertificateAuthority, createIdentity, certificateToPem, open, pemLines, privateKeyToPem } from '@trustnoone/smime';
import { jobPaths, type PrinterHandle } from '@trustnoone/printer';
import { pwgRaster, TEXT } from './support/documents.js';
import { a, JOB, OP, Op, printer, request, send, tempDir, type Answer } from './support/ipp.js';
import { outerCreateJob, outerPrintJob, outerSendDocument, sealJob } from './support/sealed.js';

const GENERIC = 'The document could not be opened securely.';

class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _e: BufferEncoding, done: () => void): void {
    for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) this.lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  }
  text(): string {
    return this.lines.map((l) => JSON.stringify(l)).join('\n');
  }
}

let dir: { path: string; remove(): Promise<void> };
let p: PrinterHandle;
let log: LogCapture;
const DOC = pwgRaster({ pages: 2 });

beforeAll(async () => {
  dir = await tempDir();
  log = new LogCapture();
  p = await printer(dir.path, { logger: { level: 'info', stream: log } });
});
afterAll(async () => {
  await p.close();
  await dir.remove();
});

function statusMessage(r: Answer): unknown {
  return r.value(OP, 'status-message');
}

/** Files anywhere under a job directory (there must be no plaintext after a refusal). */
async function filesOf(id: number, handle = p): Promise<string[]> {
  const root = jobPaths(handle.runtime.layout, id).dir;
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(join(d, e.name).slice(root.length + 1));
    }
  };
  await walk(root);
  return out.sort();
}

async function expectRefused(r: Answer, handle = p, priorDocuments = 0): Promise<number> {
  expect(r.status).toBe(0x041a);
  expect(statusMessage(r)).toBe(GENERIC);
  const id = r.value(JOB, 'job-id') as number;
  const job = await handle.runtime.store.whenFinalized(id);
  expect(job.state).toBe('aborted');
  expect(job.reasons.has('document-security-error')).toBe(true);
  expect(job.pagesCompleted).toBe(0);
  // A job whose earlier document verified keeps its sealed record (issue 11.8), never plaintext.
  expect(await filesOf(id, handle)).toEqual(priorDocuments > 0 ? ['manifest.json', 'sealed.json'] : ['manifest.json']);
  const manifest = JSON.parse(await readFile(jobPaths(handle.runtime.layout, id).manifest, 'utf8'));
  expect(manifest).toMatchObject({ state: 'aborted', error: 'PRINTER_DOCUMENT_SECURITY_ERROR', pageCount: 0 });
  // Only documents verified before the refused one are listed (by hash); none was rendered.
  expect(manifest.documents).toHaveLength(priorDocuments);
  if (priorDocuments === 0) expect(manifest.documentSha256).toBeNull();
  return id;
}

function logFor(id: number): Record<string, unknown> | undefined {
  return log.lines.find((l) => l.jobId === id && l.msg === 'printer: sealed job refused');
}

describe('sealed Print-Job (docs/spec-notes.md §2)', () => {
  it('opens, verifies and prints a sealed job; the real name and options stay out of the clear', async () => {
    const { envelope } = await sealJob(p, DOC, { jobAttributes: [a.int('copies', 3), a.kw('media', 'na_letter_8.5x11in')] });
    const r = await send(p.app, outerPrintJob(), envelope);
    expect(r.status).toBe(0);
    const id = r.value(JOB, 'job-id') as number;
    const job = await p.runtime.store.whenFinalized(id);
    expect(job.state).toBe('completed');
    expect(job.pagesCompleted).toBe(2);
    expect(job.impressionsCompleted).toBe(6);
    const manifest = JSON.parse(await readFile(jobPaths(p.runtime.layout, id).manifest, 'utf8'));
    expect(manifest).toMatchObject({ sealed: true, documentFormat: 'application/pkcs7-mime', renderFormat: 'image/pwg-raster', pageCount: 2 });
    expect(manifest.documentSha256).toBe(createHash('sha256').update(DOC).digest('hex'));
    expect(manifest.signer).toEqual({ subject: null, trust: 'unsigned' });
    expect(manifest.attributes).toMatchObject({ copies: 3, media: 'na_letter_8.5x11in' });
    expect(await filesOf(id)).toEqual(['manifest.json', 'pages/001.png', 'pages/002.png', 'sealed.json']);
    // In clear: the neutral name, no Job Template values.
    const g = await send(p.app, request(Op.GetJobAttributes, [a.int('job-id', id)]));
    expect(g.value(JOB, 'job-name')).toBe('encrypted job');
    expect(g.attr(JOB, 'copies')).toBeUndefined();
    expect(JSON.stringify(g.message)).not.toContain('secret payroll');
  });

  it('Create-Job + sealed Send-Document prints, with the sealed Job Template applied', async () => {
    const c = await send(p.app, outerCreateJob());
    const id = c.value(JOB, 'job-id') as number;
    const { envelope } = await sealJob(p, TEXT, { operation: 'Send-Document', format: 'text/plain', jobAttributes: [a.kw('sides', 'two-sided-long-edge')] });
    const s = await send(p.app, outerSendDocument(id), envelope);
    expect(s.status, String(s.value(OP, 'status-message'))).toBe(0);
    const job = await p.runtime.store.whenFinalized(id);
    expect(job.state).toBe('completed');
    expect(job.template.sides).toBe('two-sided-long-edge');
    expect(job.seal?.trust).toBe('unsigned');
  });

  it('accepts a sealed Print-Job that a relay resubmitted as Create-Job + Send-Document', async () => {
    const id = (await send(p.app, outerCreateJob())).value(JOB, 'job-id') as number;
    const { envelope } = await sealJob(p, TEXT, { format: 'text/plain', jobAttributes: [a.int('copies', 2)] });
    expect((await send(p.app, outerSendDocument(id), envelope)).status).toBe(0);
    const job = await p.runtime.store.whenFinalized(id);
    expect(job.state).toBe('completed');
    expect(job.template.copies).toBe(2);
  });

  it('unpacks a document compressed inside the envelope (inner compression=gzip)', async () => {
    const { gzipSync } = await import('node:zlib');
    const { envelope } = await sealJob(p, gzipSync(DOC), { operationAttributes: [a.kw('compression', 'gzip')] });
    const r = await send(p.app, outerPrintJob(), envelope);
    expect(r.status).toBe(0);
    const job = await p.runtime.store.whenFinalized(r.value(JOB, 'job-id') as number);
    expect(job.state).toBe('completed');
    expect(job.documentSha256).toBe(createHash('sha256').update(DOC).digest('hex'));
    expect(await filesOf(job.id)).toEqual(['manifest.json', 'pages/001.png', 'pages/002.png', 'sealed.json']);
  });

  it('answers Get-Encrypted-Job-Attributes to the owner, sealed to the owner and signed by the printer', async () => {
    // The job names its owner's certificate inside the envelope (issue 11.9: without one nobody can prove ownership).
    const owner = createIdentity({ commonName: 'alice' });
    const ownerPem = certificateToPem(owner.certificate);
    const { envelope } = await sealJob(p, TEXT, {
      format: 'text/plain',
      jobName: 'quarterly numbers',
      jobAttributes: [a.int('copies', 2)],
      operationAttributes: [a.text('requesting-user-pkcs7-public-key', ...pemLines(ownerPem))],
    });
    const id = (await send(p.app, outerPrintJob(), envelope)).value(JOB, 'job-id') as number;
    await p.runtime.store.whenFinalized(id);
    const ask = (user: string) =>
      send(
        p.app,
        request(
          Op.GetEncryptedJobAttributes,
          [a.int('job-id', id), a.kw('requested-attributes', 'job-name', 'copies', 'job-state'), a.text('requesting-user-pkcs7-public-key', ...pemLines(ownerPem))],
          [],
          user,
        ),
      );
    expect((await ask('mallory')).status).toBe(0x0403);
    const r = await ask('alice');
    expect(r.status).toBe(0);
    expect(r.data.length).toBeGreaterThan(0);
    expect(Buffer.from(r.data).includes(Buffer.from('quarterly numbers'))).toBe(false);
    const opened = await open(r.data, { privateKey: privateKeyToPem(owner.privateKey), certificate: ownerPem, requireSignature: true });
    expect(opened.signer?.certificate.fingerprint).toBe(p.keys.fingerprint);
    const inner = decodeMessage(opened.plaintext);
    const job = inner.groups.find((g) => g.tag === JOB)!.attributes;
    const val = (n: string) => (job.find((x) => x.name === n)?.values[0] as { value: unknown } | undefined)?.value;
    expect(val('job-name')).toBe('quarterly numbers');
    expect(val('copies')).toBe(2);
    expect(val('job-state')).toBe(9);
    // A certificate whose key cannot receive an envelope (Ed25519 signs only) is the client's
    // mistake: a client-error status, never server-error-internal-error.
    const signOnly = createIdentity({ commonName: 'alice', algorithm: 'ed25519' });
    const bound = await sealJob(p, TEXT, { format: 'text/plain', operationAttributes: [a.text('requesting-user-pkcs7-public-key', ...pemLines(certificateToPem(signOnly.certificate)))] });
    const signOnlyJob = (await send(p.app, outerPrintJob(), bound.envelope)).value(JOB, 'job-id') as number;
    await p.runtime.store.whenFinalized(signOnlyJob);
    const refused = await send(
      p.app,
      request(
        Op.GetEncryptedJobAttributes,
        [a.int('job-id', signOnlyJob), a.kw('requested-attributes', 'job-name'), a.text('requesting-user-pkcs7-public-key', ...pemLines(certificateToPem(signOnly.certificate)))],
        [],
        'alice',
      ),
    );
    expect(refused.status).toBe(0x040b);
  });
});

describe('Get-Encrypted-Job-Attributes is bound to the owner certificate the sealed job names', () => {
  const ask = (id: number, pem: string) =>
    send(
      p.app,
      request(Op.GetEncryptedJobAttributes, [a.int('job-id', id), a.kw('requested-attributes', 'job-name'), a.text('requesting-user-pkcs7-public-key', ...pemLines(pem))], [], 'alice'),
    );

  it('a signed job answers only to its signer certificate, whatever requesting-user-name says', async () => {
    const owner = createIdentity({ commonName: 'alice' });
    const relay = createIdentity({ commonName: 'alice' }); // a relay asking in alice's name with its own key
    const { envelope } = await sealJob(p, TEXT, { format: 'text/plain', jobName: 'board minutes', signer: { certificate: owner.certificate, privateKey: owner.privateKey } });
    const id = (await send(p.app, outerPrintJob(), envelope)).value(JOB, 'job-id') as number;
    await p.runtime.store.whenFinalized(id);
    expect((await ask(id, certificateToPem(relay.certificate))).status).toBe(0x0403);
    const r = await ask(id, certificateToPem(owner.certificate));
    expect(r.status).toBe(0);
    const opened = await open(r.data, { privateKey: privateKeyToPem(owner.privateKey), certificate: certificateToPem(owner.certificate), requireSignature: true });
    expect(decodeMessage(opened.plaintext).groups.find((g) => g.tag === JOB)!.attributes.find((x) => x.name === 'job-name')?.values[0]).toMatchObject({ value: 'board minutes' });
  });

  it('an unsigned job binds the requesting-user-pkcs7-public-key sealed inside it', async () => {
    const owner = createIdentity({ commonName: 'alice' });
    const relay = createIdentity({ commonName: 'alice' });
    const { envelope } = await sealJob(p, TEXT, {
      format: 'text/plain',
      operationAttributes: [a.text('requesting-user-pkcs7-public-key', ...pemLines(certificateToPem(owner.certificate)))],
    });
    const id = (await send(p.app, outerPrintJob(), envelope)).value(JOB, 'job-id') as number;
    await p.runtime.store.whenFinalized(id);
    expect((await ask(id, certificateToPem(relay.certificate))).status).toBe(0x0403);
    expect((await ask(id, certificateToPem(owner.certificate))).status).toBe(0);
  });
});

describe('refused envelopes: aborted, document-security-error, generic on the wire, exact in the log', () => {
  it('tampered ciphertext', async () => {
    const { envelope } = await sealJob(p, DOC);
    const bad = Uint8Array.from(envelope);
    bad[Math.floor(bad.length / 2)]! ^= 0x01;
    const id = await expectRefused(await send(p.app, outerPrintJob(), bad));
    expect(logFor(id)).toMatchObject({ check: 'decrypt', code: 'CMS_TAG_MISMATCH' });
  });

  it('truncated envelope', async () => {
    const { envelope } = await sealJob(p, DOC);
    const id = await expectRefused(await send(p.app, outerPrintJob(), envelope.subarray(0, envelope.length - 40)));
    expect(logFor(id)).toMatchObject({ check: 'decrypt' });
  });

  it('replayed envelope, also after a restart (the replay cache is persistent)', async () => {
    const { envelope } = await sealJob(p, TEXT, { format: 'text/plain' });
    const first = await send(p.app, outerPrintJob(), envelope);
    expect(first.status).toBe(0);
    await p.runtime.store.whenFinalized(first.value(JOB, 'job-id') as number);
    const id = await expectRefused(await send(p.app, outerPrintJob(), envelope));
    expect(logFor(id)).toMatchObject({ check: 'replay', code: 'PROFILE_BINDING_REPLAYED' });
    // A restarted printer on the same state directory still refuses it.
    const d = await tempDir();
    const other = await printer(d.path);
    await other.close();
    await d.remove();
    await p.close();
    p = await printer(dir.path, { logger: { level: 'info', stream: log } });
    await expectRefused(await send(p.app, outerPrintJob(), envelope));
  });

  it('redirected job (sealed for another printer-uuid)', async () => {
    const { envelope } = await sealJob(p, DOC, { printerUuid: 'urn:uuid:00000000-0000-4000-8000-000000000000' });
    const id = await expectRefused(await send(p.app, outerPrintJob(), envelope));
    expect(logFor(id)).toMatchObject({ check: 'binding', code: 'PROFILE_BINDING_WRONG_PRINTER' });
  });

  it('wrong recipient (sealed to another key)', async () => {
    const stranger = createIdentity({ commonName: 'other printer' });
    const { envelope } = await sealJob(p, DOC, { recipient: stranger.certificate });
    const id = await expectRefused(await send(p.app, outerPrintJob(), envelope));
    expect(logFor(id)).toMatchObject({ check: 'decrypt', code: 'CMS_NO_MATCHING_RECIPIENT' });
  });

  it('downgraded envelope: AES-CBC EnvelopedData without integrity', async () => {
    const { envelope } = await sealJob(p, DOC, { cipher: 'aes-256-cbc' });
    const id = await expectRefused(await send(p.app, outerPrintJob(), envelope));
    expect(logFor(id)).toMatchObject({ check: 'downgrade', code: 'CMS_ALGORITHM_REFUSED' });
  });

  it('an outer Print-Job carrying only part of a job (inner last-document=false)', async () => {
    const { envelope } = await sealJob(p, DOC, { operation: 'Send-Document', lastDocument: false });
    const id = await expectRefused(await send(p.app, outerPrintJob(), envelope));
    expect(logFor(id)).toMatchObject({ check: 'binding', code: 'PROFILE_BINDING_OPERATION_MISMATCH' });
  });

  it('no log line holds a key, the plaintext or the real job name', () => {
    const text = log.text();
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('secret payroll');
    expect(text).not.toContain('Hello from the trustnoone');
  });
});

describe('sealed multi-document jobs (document-number binding, docs/spec-notes.md §2)', () => {
  async function twoDocuments(second: Parameters<typeof sealJob>[2]): Promise<{ id: number; r: Answer }> {
    const id = (await send(p.app, outerCreateJob())).value(JOB, 'job-id') as number;
    const d1 = await sealJob(p, TEXT, { operation: 'Send-Document', format: 'text/plain', documentNumber: 1, lastDocument: false, jobAttributes: [a.int('copies', 2)] });
    expect((await send(p.app, outerSendDocument(id, false), d1.envelope)).status).toBe(0);
    const d2 = await sealJob(p, DOC, { operation: 'Send-Document', jobUuid: d1.jobUuid, documentNumber: 2, lastDocument: true, ...second });
    return { id, r: await send(p.app, outerSendDocument(id, second?.lastDocument ?? true), d2.envelope) };
  }

  it('prints two sealed documents of one job', async () => {
    const { id, r } = await twoDocuments({});
    expect(r.status).toBe(0);
    const job = await p.runtime.store.whenFinalized(id);
    expect(job.state).toBe('completed');
    expect(job.documents.map((d) => d.number)).toEqual([1, 2]);
    expect(job.template.copies).toBe(2);
    expect(job.pagesCompleted).toBe(job.documents[0]!.pages! + 2);
  });

  it('refuses a document spliced in from another job, and drops the job\'s earlier plaintext', async () => {
    const { id, r } = await twoDocuments({ jobUuid: 'urn:uuid:11111111-2222-4333-8444-555555555555' });
    await expectRefused(r, p, 1);
    expect(logFor(id)).toMatchObject({ check: 'binding', code: 'PROFILE_BINDING_WRONG_JOB' });
  });

  it('refuses documents out of order', async () => {
    const { id, r } = await twoDocuments({ documentNumber: 3 });
    await expectRefused(r, p, 1);
    expect(logFor(id)).toMatchObject({ check: 'binding', code: 'PROFILE_BINDING_DOCUMENT_ORDER' });
  });

  it('refuses a sealed last-document that the outer request contradicts', async () => {
    // Documents 1 and 2 arrive with last-document=false, matching in and out...
    const { id, r } = await twoDocuments({ lastDocument: false });
    expect(r.status).toBe(0);
    const job = p.runtime.store.get(id)!;
    expect(job.state).toBe('pending');
    // ...then document 3 says "not the last" inside while the outer request claims it is.
    const d3 = await sealJob(p, TEXT, { operation: 'Send-Document', format: 'text/plain', jobUuid: job.seal!.jobNonce, documentNumber: 3, lastDocument: false });
    await expectRefused(await send(p.app, outerSendDocument(id, true), d3.envelope), p, 2);
    expect(logFor(id)).toMatchObject({ check: 'binding', code: 'PROFILE_BINDING_LAST_DOCUMENT' });
  });

  it('refuses a cleartext document for a job whose documents are sealed', async () => {
    const id = (await send(p.app, outerCreateJob())).value(JOB, 'job-id') as number;
    const d1 = await sealJob(p, TEXT, { operation: 'Send-Document', format: 'text/plain', lastDocument: false });
    expect((await send(p.app, outerSendDocument(id, false), d1.envelope)).status).toBe(0);
    const clear = await send(p.app, request(Op.SendDocument, [a.int('job-id', id), a.bool('last-document', true), a.mime('document-format', 'text/plain')]), TEXT);
    expect(clear.status).toBe(0x041a);
    await send(p.app, request(Op.CancelJob, [a.int('job-id', id)]));
    const job = await p.runtime.store.whenFinalized(id);
    expect(job.state).toBe('canceled');
    expect(await filesOf(id)).toEqual(['manifest.json', 'sealed.json']);
  });
});

describe('downgrades in clear and policy', () => {
  it('refuses Job Template attributes in clear next to an envelope, before spooling it', async () => {
    const { envelope } = await sealJob(p, DOC);
    const r = await send(p.app, { ...outerPrintJob(), groups: [...outerPrintJob().groups, { tag: JOB, attributes: [a.int('copies', 99)] }] }, envelope);
    expect(r.status).toBe(0x040b);
    expect(r.attr(JOB, 'job-id')).toBeUndefined();
  });

  it('refuses a sealed document for a job created with options in clear', async () => {
    const c = await send(p.app, request(Op.CreateJob, [], [a.int('copies', 2)]));
    const id = c.value(JOB, 'job-id') as number;
    const { envelope } = await sealJob(p, DOC, { operation: 'Send-Document' });
    expect((await send(p.app, outerSendDocument(id), envelope)).status).toBe(0x040b);
    await send(p.app, request(Op.CancelJob, [a.int('job-id', id)]));
  });

  it('refuses an inner document format the printer cannot print (0x040A), after verifying it', async () => {
    const { envelope } = await sealJob(p, TEXT, { format: 'application/x-unknown' });
    const r = await send(p.app, outerPrintJob(), envelope);
    expect(r.status).toBe(0x040a);
    // The sealed value is not quoted back in clear.
    expect(String(r.value(OP, 'status-message'))).not.toContain('x-unknown');
    const job = await p.runtime.store.whenFinalized(r.value(JOB, 'job-id') as number);
    expect(job.state).toBe('aborted');
    expect(await filesOf(job.id)).toEqual(['manifest.json']);
  });

  it('--require-encryption refuses cleartext jobs with a clear message and still prints sealed ones', async () => {
    const d = await tempDir();
    const q = await printer(d.path, { requireEncryption: true });
    try {
      const r = await send(q.app, request(Op.PrintJob, [a.mime('document-format', 'text/plain')]), TEXT);
      expect(r.status).toBe(0x040a);
      expect(String(r.value(OP, 'status-message'))).toContain('encrypted');
      const gpa = await send(q.app, request(Op.GetPrinterAttributes, [a.kw('requested-attributes', 'document-format-supported')]));
      expect(gpa.values(0x04, 'document-format-supported')).toEqual(['application/pkcs7-mime']);
      const { envelope } = await sealJob(q, TEXT, { format: 'text/plain' });
      const s = await send(q.app, outerPrintJob(), envelope);
      expect(s.status).toBe(0);
      expect((await q.runtime.store.whenFinalized(s.value(JOB, 'job-id') as number)).state).toBe('completed');
    } finally {
      await q.close();
      await d.remove();
    }
  });

  it('--require-signature: unsigned and wrongly-signed jobs are refused; a signature from a trusted CA is verified', async () => {
    const ca = createCertificateAuthority({ commonName: 'Site CA' });
    const rogue = createCertificateAuthority({ commonName: 'Rogue CA' });
    const alice = createIdentity({ commonName: 'alice', ca });
    const eve = createIdentity({ commonName: 'eve', ca: rogue });
    const d = await tempDir();
    const q = await printer(d.path, { requireSignature: true, trustAnchorsPem: [certificateToPem(ca.certificate)] });
    try {
      await expectRefused(await send(q.app, outerPrintJob(), (await sealJob(q, TEXT, { format: 'text/plain' })).envelope), q);
      const forged = await sealJob(q, TEXT, { format: 'text/plain', signer: { certificate: eve.certificate, privateKey: eve.privateKey } });
      await expectRefused(await send(q.app, outerPrintJob(), forged.envelope), q);
      const good = await sealJob(q, TEXT, { format: 'text/plain', signer: { certificate: alice.certificate, privateKey: alice.privateKey } });
      const r = await send(q.app, outerPrintJob(), good.envelope);
      expect(r.status).toBe(0);
      const job = await q.runtime.store.whenFinalized(r.value(JOB, 'job-id') as number);
      expect(job.state).toBe('completed');
      const manifest = JSON.parse(await readFile(jobPaths(q.runtime.layout, job.id).manifest, 'utf8'));
      expect(manifest.signer).toEqual({ subject: expect.stringContaining('alice'), trust: 'verified' });
    } finally {
      await q.close();
      await d.remove();
    }
  });
});

describe('key store', () => {
  it('advertises the certificate that names printer-uuid, for P-256, X25519 and RSA keys', async () => {
    for (const keyAlgorithm of ['p256', 'x25519', 'rsa'] as const) {
      const d = await tempDir();
      const q = await printer(d.path, { keyAlgorithm });
      try {
        const r = await send(q.app, request(Op.GetPrinterAttributes, [a.kw('requested-attributes', 'printer-pkcs7-public-key', 'printer-uuid')]));
        const lines = r.values(0x04, 'printer-pkcs7-public-key') as string[];
        expect(lines[0], keyAlgorithm).toBe('-----BEGIN CERTIFICATE-----');
        expect(q.keys.certificate.uris, keyAlgorithm).toContain(`urn:uuid:${q.uuid}`);
        expect(q.keys.algorithm).toBe(keyAlgorithm);
        expect((await stat(q.keys.keyFile)).mode & 0o777).toBe(0o600);
        const { envelope } = await sealJob(q, TEXT, { format: 'text/plain' });
        const s = await send(q.app, outerPrintJob(), envelope);
        expect(s.status, keyAlgorithm).toBe(0);
        expect((await q.runtime.store.whenFinalized(s.value(JOB, 'job-id') as number)).state, keyAlgorithm).toBe('completed');
      } finally {
        await q.close();
        await d.remove();
      }
    }
  });

  it('issues the printer certificate from a given CA', async () => {
    const ca = createCertificateAuthority({ commonName: 'Vendor CA' });
    const d = await tempDir();
    const q = await printer(d.path, { issuer: { certificatePem: certificateToPem(ca.certificate), privateKeyPem: privateKeyToPem(ca.privateKey) } });
    try {
      expect(q.keys.certificate.issuerText).toBe(ca.certificate.subjectText);
      expect(q.keys.certificate.uris).toContain(`urn:uuid:${q.uuid}`);
    } finally {
      await q.close();
      await d.remove();
    }
  });
});
