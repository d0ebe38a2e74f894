/**
 * Blind, and proven so (issue 5): a job whose plaintext holds a canary is sealed with the real
 * @trustnoone/smime seal (as a client would: the printer's certificate only, no private key) and
 * printed through the intermediary running as a child process with its own TMPDIR. Afterwards every
 * byte the intermediary wrote — spool, temp dir, logs — is searched: the canary appears nowhere,
 * the logs hold neither document bytes nor the Basic credentials, and the printer received exactly
 * the sealed bytes the client sent.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentity, sealToBytes } from '@trustnoone/smime';
import { addUser } from '../src/index.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { sealedPrintJob, send, waitFor } from './fixtures/client.js';
import { spawnIntermediary } from './fixtures/child.js';

let printer: FakePrinter;
beforeAll(async () => {
  printer = await startFakePrinter();
});
afterAll(async () => {
  await printer?.close();
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? filesUnder(p) : statSync(p).isFile() ? [p] : [];
  });
}

function hits(haystack: Buffer, needles: readonly Buffer[]): number {
  return needles.reduce((n, needle) => n + (haystack.includes(needle) ? 1 : 0), 0);
}

describe('canary: the intermediary never holds or logs plaintext, document bytes or credentials', () => {
  it('spool, temp and logs hold zero copies of the canary; the printer gets the sealed bytes unchanged', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tno-canary-'));
    const state = join(root, 'state');
    const tmp = join(root, 'tmp');
    mkdirSync(tmp);
    const canary = `CANARY-${createHash('sha256').update(root).digest('hex').slice(0, 24)}`;
    const password = `PW-${canary.slice(7, 19)}`;
    const usersFile = join(root, 'users');
    await addUser(usersFile, 'alice', password);

    const printerId = createIdentity({ commonName: 'canary printer' });
    const plaintext = Buffer.from(`%!PS\n(${canary}) show\n${'page content '.repeat(5000)}\n${canary}\n`);
    const sealed = Buffer.from(await sealToBytes(plaintext, { recipients: [printerId.certificate] }));
    expect(sealed.includes(Buffer.from(canary))).toBe(false);

    const child = await spawnIntermediary(state, printer.uri, { TMPDIR: tmp, TNO_USERS_FILE: usersFile });
    try {
      const a = await send(child.uri, sealedPrintJob(child.uri, 'alice'), sealed, { user: 'alice', password });
      expect(a.status, a.statusMessage).toBe(0);
      const digest = createHash('sha256').update(sealed).digest('hex');
      await waitFor(() => printer.deliveries.some((d) => d.sha256 === digest), 10_000, 'delivery');
      // Wait for the spool to settle (job completed, data dropped) before looking.
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      child.proc.kill('SIGTERM');
      await child.exited;
    }
    const logs = Buffer.from(child.output());
    expect(logs.length).toBeGreaterThan(100); // the logs are real (info level), not empty
    const written = filesUnder(root).filter((f) => f !== usersFile);
    expect(written.some((f) => f.includes(`${join('spool', 'jobs')}`))).toBe(true);
    const canaryForms = [Buffer.from(canary), Buffer.from(canary, 'utf16le'), Buffer.from(Buffer.from(canary).toString('base64').slice(0, 24))];
    for (const f of written) expect(hits(readFileSync(f), canaryForms), f).toBe(0);
    expect(hits(logs, canaryForms)).toBe(0);

    // Logs carry no document bytes (raw, hex or base64 windows of the sealed data) ...
    const windows: Buffer[] = [];
    for (let off = 64; off + 24 < sealed.length; off += Math.floor(sealed.length / 8)) {
      const w = sealed.subarray(off, off + 24);
      windows.push(Buffer.from(w), Buffer.from(w.toString('hex')), Buffer.from(w.toString('base64').slice(0, 28)));
    }
    expect(hits(logs, windows)).toBe(0);
    // ... and no credentials: neither the password nor the Authorization header value.
    const basic = Buffer.from(`alice:${password}`).toString('base64');
    expect(hits(logs, [Buffer.from(password), Buffer.from(basic)])).toBe(0);
  });
});
