/**
 * Issue 11.6, SHA-1 KDF accepted: `openssl cms -encrypt` to an EC certificate uses ECDH with the
 * SHA-1 X9.63 KDF unless told otherwise. docs/threat-model.md counts it as a downgrade, so the
 * printer as the CLI ships it must refuse such an envelope (document-security-error, nothing
 * printed) and open it only when configured to (`tno printer --allow-sha1-kdf`). The envelope is
 * made by OpenSSL itself, with its default KDF.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '@trustnoone/ipp';
import { buildInnerRequest, buildOuterRequest, newJobNonce } from '@trustnoone/profile';
import { joinPemLines } from '@trustnoone/smime';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';

let dir: string;
const running: RunningPrinter[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue11-6-'));
});
afterAll(async () => {
  for (const p of running) await p.close();
  await rm(dir, { recursive: true, force: true });
});

/** A one-page sealed Print-Job whose envelope `openssl cms` made with its defaults (plus GCM). */
async function opensslSealedPrintJob(p: RunningPrinter, keyopt: string[] = []): Promise<Uint8Array> {
  const cert = join(dir, `printer-${p.port}.pem`);
  await writeFile(cert, joinPemLines(p.printer.keys.certificatePemLines));
  const inner = buildInnerRequest({
    operation: 'Print-Job',
    printerUri: p.uri,
    requestingUserName: 'alice',
    printerUuid: `urn:uuid:${p.printer.uuid}`,
    jobUuid: newJobNonce(),
    documentFormat: 'text/plain',
    jobName: 'sha1 kdf',
  });
  const plaintext = Buffer.concat([encodeMessage(inner), Buffer.from('one page\n')]);
  const envelope = execFileSync('openssl', ['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes-256-gcm', '-recip', cert, ...keyopt], { input: plaintext });
  const outer = buildOuterRequest({ operation: 'Print-Job', printerUri: p.uri, requestId: 1, requestingUserName: 'alice' });
  return Buffer.concat([encodeMessage(outer), envelope]);
}

async function submit(p: RunningPrinter, body: Uint8Array) {
  const res = await fetch(p.uri.replace(/^ipp:/, 'http:'), { method: 'POST', headers: { 'content-type': 'application/ipp' }, body });
  const answer = decodeMessage(new Uint8Array(await res.arrayBuffer()));
  const jobId = answer.groups.find((g) => g.tag === 0x02)?.attributes.find((a) => a.name === 'job-id')?.values[0];
  const id = jobId && 'value' in jobId ? (jobId.value as number) : undefined;
  return { status: answer.code, job: id === undefined ? undefined : await p.printer.runtime.store.whenFinalized(id) };
}

describe('issue 11.6: SHA-1 KDF accepted', () => {
  it('the printer as shipped refuses an ECDH envelope made with openssl cms defaults (SHA-1 KDF) and prints nothing', async () => {
    const p = await startPrinter({ stateDir: join(dir, 'default'), port: 0, logger: false });
    running.push(p);
    const r = await submit(p, await opensslSealedPrintJob(p));
    expect(r.status).toBe(0x041a);
    expect(r.job?.state).toBe('aborted');
    expect([...(r.job?.reasons ?? [])]).toContain('document-security-error');
    expect(r.job?.pagesCompleted).toBe(0);
    // The same envelope with a SHA-256 KDF prints: only the KDF made the difference.
    const ok = await submit(p, await opensslSealedPrintJob(p, ['-keyopt', 'ecdh_kdf_md:sha256']));
    expect(ok.status).toBe(0x0000);
    expect(ok.job?.state).toBe('completed');
  });

  it('configured with allowSha1Kdf (tno printer --allow-sha1-kdf), the printer opens and prints it', async () => {
    const p = await startPrinter({ stateDir: join(dir, 'allow'), port: 0, logger: false, allowSha1Kdf: true });
    running.push(p);
    const r = await submit(p, await opensslSealedPrintJob(p));
    expect(r.status).toBe(0x0000);
    expect(r.job?.state).toBe('completed');
  });
});
