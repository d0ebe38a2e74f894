/**
 * The suite against our printer emulator (@trustnoone/printer): every REQUIRED test passes, with
 * a P-256 key (the default) and with an RSA key (which brings the PKCS#1 v1.5 downgrade test in);
 * with an X25519 key, whose answers are signed by the issuer advertised after the certificate.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { conforms, runConformance, type Report } from '@trustnoone/conformance';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function printer(keyAlgorithm: 'p256' | 'rsa' | 'x25519', extra: { pinRepertoire?: 'none' } = {}): Promise<RunningPrinter> {
  const dir = await mkdtemp(join(tmpdir(), 'tno-conformance-printer-'));
  const p = await startPrinter({ stateDir: dir, port: 0, logger: false, keyAlgorithm, ...extra });
  cleanups.push(async () => {
    await p.close();
    await rm(dir, { recursive: true, force: true });
  });
  // RFC 8011 §5.4.29: printer-up-time is integer(1:MAX); a printer counting seconds from start
  // answers 0 during its first second, which the suite rightly flags.
  await new Promise((r) => setTimeout(r, 1100));
  return p;
}

const failures = (r: Report) => r.results.filter((x) => x.level === 'REQUIRED' && x.outcome === 'failed').map((x) => `${x.id}: ${x.reason}`);
const outcome = (r: Report, id: string) => r.results.find((x) => x.id === id)?.outcome;

describe('conformance suite against the trustnoone printer', () => {
  it('passes every REQUIRED test with a P-256 printer key', async () => {
    const p = await printer('p256');
    const report = await runConformance({ target: p.uri, role: 'printer' });
    expect(failures(report)).toEqual([]);
    expect(conforms(report)).toBe(true);
    for (const id of [
      'trustnoone-printer.sealed-print-job',
      'trustnoone-printer.tampered-ciphertext',
      'trustnoone-printer.tampered-tag',
      'trustnoone-printer.tampered-recipient-info',
      'trustnoone-printer.tampered-nonce',
      'trustnoone-printer.tampered-content-type',
      'trustnoone-printer.truncated',
      'trustnoone-printer.replayed',
      'trustnoone-printer.redirected',
      'trustnoone-printer.wrong-recipient',
      'trustnoone-printer.downgrade-cbc',
      'trustnoone-printer.signed-content-altered',
      'trustnoone-printer.sealed-signed-print-job',
      'trustnoone-printer.tampered-sweep',
      'trustnoone-printer.get-encrypted-job-attributes',
      'trustnoone-printer.get-encrypted-job-attributes-other-user',
      'trustnoone-printer.get-encrypted-job-attributes-bound-owner',
      'trustnoone-printer.sha1-kdf',
      // Issue 11: what a hostile relay tried (the restart case needs restartTarget, below).
      'trustnoone-hostile-relay.truncation-by-close-job',
      'trustnoone-hostile-relay.undated-or-stale-job',
      'trustnoone-hostile-relay.counters-not-in-clear',
      'trustnoone-hostile-relay.unbound-owner',
      'rfc8011-jobs.print-job',
      // PIN release is on by default (iana_us-ascii_digits).
      'trustnoone-release.held-until-code',
      'trustnoone-release.held-job-cancel',
      'trustnoone-release.code-alone-refused',
    ]) {
      expect(outcome(report, id), id).toBe('passed');
    }
    // Multi-document jobs run where the printer offers them (RFC 8011 §5.4.16).
    const multi = report.capabilities.includes('multiple-documents');
    for (const id of ['trustnoone-documents.two-documents', 'trustnoone-documents.spliced']) expect(outcome(report, id), id).toBe(multi ? 'passed' : 'skipped');
    expect(outcome(report, 'trustnoone-documents.out-of-order')).toBe('passed');
    // P-256: PKCS#1 v1.5 cannot even be offered.
    expect(outcome(report, 'trustnoone-printer.downgrade-rsa-pkcs1v15')).toBe('skipped');
  });

  it('passes every REQUIRED test with an RSA printer key, refusing PKCS#1 v1.5 key transport', async () => {
    const p = await printer('rsa');
    const report = await runConformance({ target: p.uri, role: 'printer', only: ['trustnoone-printer.sealed-print-job', 'trustnoone-printer.downgrade-rsa-pkcs1v15', 'trustnoone-printer.get-encrypted-job-attributes'] });
    expect(failures(report)).toEqual([]);
    expect(outcome(report, 'trustnoone-printer.downgrade-rsa-pkcs1v15')).toBe('passed');
  });

  it('passes the TRUSTNOONE key and Get-Encrypted-Job-Attributes tests with an X25519 printer key (answers signed by its advertised issuer)', async () => {
    const p = await printer('x25519');
    const ids = ['trustnoone-printer.printer-pkcs7-public-key', 'trustnoone-printer.certificate-usable', 'trustnoone-printer.get-encrypted-job-attributes'];
    const report = await runConformance({ target: p.uri, role: 'printer', only: ids });
    expect(failures(report)).toEqual([]);
    for (const id of ids) expect(outcome(report, id), id).toBe('passed');
  });

  it('given a way to restart the printer, passes the restart case of the hostile-relay suite (issue 11.8)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tno-conformance-restart-'));
    let p = await startPrinter({ stateDir: dir, port: 0, logger: false });
    cleanups.push(async () => {
      await p.close();
      await rm(dir, { recursive: true, force: true });
    });
    await new Promise((r) => setTimeout(r, 1100));
    const restartTarget = async () => {
      const port = p.port;
      await p.close();
      p = await startPrinter({ stateDir: dir, port, logger: false });
    };
    const ids = ['trustnoone-printer.sealed-print-job', 'trustnoone-hostile-relay.sealed-answer-after-restart'];
    const report = await runConformance({ target: p.uri, role: 'printer', only: ids, restartTarget });
    expect(failures(report)).toEqual([]);
    for (const id of ids) expect(outcome(report, id), id).toBe('passed');
  });

  it('skips the PIN release tests on a printer configured without PIN release', async () => {
    const p = await printer('p256', { pinRepertoire: 'none' });
    const ids = ['trustnoone-printer.sealed-print-job', 'trustnoone-release.held-until-code', 'trustnoone-release.held-job-cancel', 'trustnoone-release.code-alone-refused'];
    const report = await runConformance({ target: p.uri, role: 'printer', only: ids });
    for (const id of ids.slice(1)) expect(outcome(report, id), id).toBe('skipped');
  });
});
