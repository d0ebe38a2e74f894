/**
 * The refusal tests can fail: our printer with its sealed-job opener replaced by a negligent one
 * (decrypts and refuses what does not decrypt, but accepts AES-CBC and never checks the
 * printer-uuid binding or the replay cache) must fail
 * exactly the tests those checks exist for, while the ones it still gets right (tag, recipient,
 * truncation) pass. A suite that passed this printer would be worthless.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, getString } from '@trustnoone/ipp';
import { CmsError, open } from '@trustnoone/smime';
import { SecurityFailure, jobPaths, stateLayout, startPrinter, type RunningPrinter, type StartOptions } from '@trustnoone/printer';
import { runConformance, type Report } from '@trustnoone/conformance';

let dir: string;
let printer: RunningPrinter;
let report: Report;

const negligentOpener = (stateDir: string): NonNullable<StartOptions['openSealed']> => async (job, submission) => {
  const layout = stateLayout(stateDir);
  const parts: Uint8Array[] = [];
  for await (const c of submission.ciphertext) parts.push(c);
  let opened;
  try {
    opened = await open(Buffer.concat(parts), {
      privateKey: await readFile(join(layout.keys, 'printer.key.pem'), 'utf8'),
      certificate: await readFile(join(layout.certs, 'printer.pem'), 'utf8'),
      allowUnauthenticated: true,
    });
  } catch (err) {
    if (err instanceof CmsError) throw new SecurityFailure('decrypt', err.code, err.message, { cause: err });
    throw err;
  }
  const inner = decodeMessage(opened.plaintext);
  job.name = getString(inner, 'operation', 'job-name') ?? job.name;
  const document = inner.data ?? new Uint8Array();
  const paths = jobPaths(layout, job.id);
  await mkdir(paths.private, { recursive: true });
  const path = join(paths.private, 'document');
  await writeFile(path, document);
  return { path, format: getString(inner, 'operation', 'document-format') ?? 'application/octet-stream', bytes: document.length, sha256: createHash('sha256').update(document).digest('hex') };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-conformance-negligent-'));
  printer = await startPrinter({ stateDir: dir, port: 0, logger: false, openSealed: negligentOpener(dir) });
  await new Promise((r) => setTimeout(r, 1100)); // printer-up-time integer(1:MAX)
  report = await runConformance({
    target: printer.uri,
    role: 'printer',
    only: [
      ...['replayed', 'redirected', 'downgrade-cbc', 'tampered-tag', 'tampered-ciphertext', 'truncated', 'wrong-recipient'].map((n) => `trustnoone-printer.${n}`),
      ...['held-until-code', 'held-job-cancel', 'code-alone-refused'].map((n) => `trustnoone-release.${n}`),
    ],
  });
}, 120_000);

afterAll(async () => {
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

const outcome = (id: string) => report.results.find((r) => r.id === id)?.outcome;

describe('conformance suite against a negligent TRUSTNOONE printer', () => {
  it('still prints a correct sealed job (the suite is not failing it for the wrong reason)', () => {
    expect(outcome('trustnoone-printer.sealed-print-job')).toBe('passed');
  });

  it('fails the replay, redirection and CBC downgrade tests', () => {
    for (const id of ['trustnoone-printer.replayed', 'trustnoone-printer.redirected', 'trustnoone-printer.downgrade-cbc']) {
      const r = report.results.find((x) => x.id === id)!;
      expect(r.outcome, id).toBe('failed');
      expect(r.reason, id).toMatch(/completed: the refused envelope was printed/);
    }
    expect(report.summary.requiredFailed).toBe(3);
  });

  it('passes what the negligent opener still refuses: damaged, truncated and misaddressed envelopes', () => {
    for (const id of ['trustnoone-printer.tampered-tag', 'trustnoone-printer.tampered-ciphertext', 'trustnoone-printer.truncated', 'trustnoone-printer.wrong-recipient']) {
      expect(outcome(id), id).toBe('passed');
    }
  });

  it('fails PIN release: it hands the PIN-layer bytes straight to the renderer instead of holding the job', () => {
    const held = report.results.find((x) => x.id === 'trustnoone-release.held-until-code')!;
    expect(held.outcome).toBe('failed');
    expect(held.reason).toMatch(/expected pending-held with job-password-wait/);
    expect(outcome('trustnoone-release.held-job-cancel')).toBe('skipped');
    // Its opener still needs the printer key, so a PIN-only envelope is refused.
    expect(outcome('trustnoone-release.code-alone-refused')).toBe('passed');
  });
});
