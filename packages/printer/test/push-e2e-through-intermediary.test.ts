/**
 * The whole chain with our real peers: @trustnoone/client seals a job to the printer emulator's
 * key (learnt through the intermediary), the intermediary spools and relays it, the printer
 * decrypts, verifies and renders it, and the owner reads the job's real attributes with
 * Get-Encrypted-Job-Attributes through the intermediary. Afterwards nothing the intermediary wrote
 * holds the document's canary or the sealed job name.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptedJobAttributes, print } from '@trustnoone/client';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { certificateToPem, createIdentity, privateKeyToPem } from '@trustnoone/smime';
import { startIntermediary, type RunningIntermediary } from '@trustnoone/intermediary';

let printer: RunningPrinter;
let inter: RunningIntermediary;
let interState: string;
let clientState: string;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? filesUnder(p) : statSync(p).isFile() ? [p] : [];
  });
}

beforeAll(async () => {
  printer = await startPrinter({ stateDir: mkdtempSync(join(tmpdir(), 'tno-e2e-printer-')), port: 0, logger: false });
  interState = mkdtempSync(join(tmpdir(), 'tno-e2e-inter-'));
  clientState = mkdtempSync(join(tmpdir(), 'tno-e2e-client-'));
  inter = await startIntermediary({ stateDir: interState, upstreams: [{ uri: printer.uri }], port: 0, announce: () => {}, handleSignals: false, retryInitialMs: 50, pollMs: 100 });
  // RFC 8011 §5.4.29: the printer's up-time starts at 1; let the first second pass.
  await new Promise((r) => setTimeout(r, 1100));
}, 60_000);
afterAll(async () => {
  await inter?.close();
  await printer?.close();
});

describe('client → intermediary → printer emulator, sealed end to end', () => {
  it('prints, completes, answers encrypted attributes to the owner, and leaves no plaintext at the intermediary', async () => {
    const canary = `CANARY-E2E-${Date.now().toString(36)}`;
    const jobName = `quarterly-salaries-${canary}`;
    const owner = createIdentity({ commonName: 'alice' });
    const result = await print({
      printer: inter.uri,
      userName: 'alice',
      documents: [{ data: Buffer.from(`Page one\n${canary}\n`), name: 'secret.txt', format: 'text/plain' }],
      jobName,
      ownerCertificate: certificateToPem(owner.certificate),
      trust: { stateDir: clientState, firstUse: 'accept' },
      wait: true,
      follow: { intervalMs: 100, timeoutMs: 60_000 },
    });
    expect(result.encrypted).toBe(true);
    // First contact: the key relayed by the intermediary is pinned (docs/spec-notes.md §3, trust on first use).
    expect(result.trust?.kind).toBe('first-use');
    expect(result.status?.state, JSON.stringify(result.status)).toBe('completed');

    const enc = await encryptedJobAttributes({ printer: inter.uri, userName: 'alice' }, result.jobId, {
      certificate: certificateToPem(owner.certificate),
      privateKey: privateKeyToPem(owner.privateKey),
      requested: ['job-name', 'job-state'],
      trust: { stateDir: clientState },
    });
    const name = enc.attributes.find((a) => a.name === 'job-name')?.values[0];
    expect(name && 'value' in name ? name.value : undefined).toBe(jobName);

    for (const f of filesUnder(interState)) {
      const bytes = readFileSync(f);
      expect(bytes.includes(Buffer.from(canary)), f).toBe(false);
      expect(bytes.includes(Buffer.from('quarterly-salaries')), f).toBe(false);
    }
  });
});
