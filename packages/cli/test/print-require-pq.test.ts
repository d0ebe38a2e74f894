/**
 * Issue 18: `tno print --require-pq` against the real printer emulator, which advertises only a
 * classical (X25519) certificate today: refused with the untrusted exit status and a one-line
 * reason, on first use and when the key is pinned, and no job reaches the printer. Without the
 * flag the same printer prints, and --json says the job used the classical key.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { formatFingerprint } from '@trustnoone/client';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
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
