/**
 * Issue 18: `tno print --require-pq` against the real printer emulator. A printer with only a
 * classical certificate is refused with the untrusted exit status and a one-line reason, on first
 * use and when the key is pinned, and no job reaches it; without the flag it prints on its
 * classical key. A printer started with a hybrid key (ML-KEM-768 + X25519) issued by the site CA
 * advertises it after its classical certificate; a client with that CA as anchor seals to the
 * hybrid key, says so, and the printer opens and prints the job.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { formatFingerprint } from '@trustnoone/client';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { certificateToPem, createCertificateAuthority, privateKeyToPem } from '@trustnoone/smime';
import { tno } from './helpers.js';

let dir: string;
let printer: RunningPrinter;
let doc: string;
let fingerprint: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-cli-pq-'));
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  fingerprint = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  doc = join(dir, 'memo.txt');
  await writeFile(doc, 'memo\n');
});

afterAll(async () => {
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('tno print --require-pq', () => {
  it('refuses a printer with no post-quantum key, pinned or not, before sending anything (exit untrusted)', async () => {
    const state = join(dir, 'state');
    const first = await tno(['print', doc, '--printer', printer.uri, '--state', state, '--trust-on-first-use', '--require-pq']);
    expect(first.code, first.err).toBe(ExitCode.untrusted);
    expect(first.err.trimEnd().split('\n')).toHaveLength(1);
    expect(first.err).toMatch(/--require-pq/);
    // Nothing was pinned by the refused attempt.
    const shown = await tno(['trust', 'show', '--state', state, '--json']);
    expect(JSON.parse(shown.out).pins).toEqual({});

    expect((await tno(['trust', 'pin', '--printer', printer.uri, '--state', state, '--fingerprint', formatFingerprint(fingerprint)])).code).toBe(ExitCode.ok);
    const pinned = await tno(['print', doc, '--printer', printer.uri, '--state', state, '--strict', '--require-pq']);
    expect(pinned.code, pinned.err).toBe(ExitCode.untrusted);
    expect(pinned.err).toMatch(/no trusted post-quantum or hybrid key/);

    const jobs = await tno(['jobs', '--printer', printer.uri, '--state', state, '--json']);
    expect(jobs.code, jobs.err).toBe(ExitCode.ok);
    expect(JSON.parse(jobs.out)).toEqual([]);
  });

  it('without the flag the job prints, and --json says it was sealed to the classical key', async () => {
    const state = join(dir, 'state-ok');
    const r = await tno(['print', doc, '--printer', printer.uri, '--state', state, '--trust-on-first-use', '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(JSON.parse(r.out)).toMatchObject({ encrypted: true, keyProtection: 'classical', keyAlgorithm: expect.any(String) });
  });
});

describe('a printer with a hybrid key, verified by the site CA', () => {
  let pqPrinter: RunningPrinter;
  let caFile: string;

  beforeAll(async () => {
    const ca = createCertificateAuthority({ commonName: 'site CA' });
    caFile = join(dir, 'site-ca.pem');
    await writeFile(caFile, certificateToPem(ca.certificate));
    pqPrinter = await startPrinter({
      stateDir: join(dir, 'pq-printer'),
      port: 0,
      logger: false,
      keyAlgorithm: 'x25519',
      issuer: { certificatePem: certificateToPem(ca.certificate), privateKeyPem: privateKeyToPem(ca.privateKey) },
      postQuantum: 'mlkem768-x25519',
    });
  });

  afterAll(async () => {
    await pqPrinter?.close();
  });

  it('--require-pq prints through the hybrid key, and the result says so', async () => {
    const state = join(dir, 'state-pq');
    expect((await tno(['trust', 'pin', '--anchor', caFile, '--state', state])).code).toBe(ExitCode.ok);
    const r = await tno(['print', doc, '--printer', pqPrinter.uri, '--state', state, '--strict', '--require-pq', '--json']);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(JSON.parse(r.out)).toMatchObject({ state: 'completed', encrypted: true, trust: { kind: 'verified' }, keyProtection: 'hybrid', keyAlgorithm: 'mlkem768-x25519' });
    const human = await tno(['print', doc, '--printer', pqPrinter.uri, '--state', state, '--strict']);
    expect(human.code, human.err).toBe(ExitCode.ok);
    expect(human.out).toMatch(/sealed to its hybrid key, mlkem768-x25519/);
  });
});
