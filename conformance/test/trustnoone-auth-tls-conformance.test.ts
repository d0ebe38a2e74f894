/**
 * The runner's TLS and authentication options, end to end: our printer serving ipps (reached
 * directly with a pinned TLS certificate) behind our intermediary requiring HTTP Basic from two
 * users. The TRUSTNOONE tests, ownership included, pass as the authenticated users.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { hashPassword, startIntermediary, type RunningIntermediary, type UserEntry } from '@trustnoone/intermediary';
import { runConformance, type Report } from '@trustnoone/conformance';

const FAST = { N: 1024, r: 8, p: 1 };
const alice = { user: 'alice', password: 'alice-pw' };
const bob = { user: 'bob', password: 'bob-pw' };
// The tests that exercise credentials and TLS; --only brings in what they depend on.
const ONLY = ['trustnoone-printer.sealed-print-job', 'trustnoone-printer.get-encrypted-job-attributes', 'trustnoone-printer.replayed', 'trustnoone-intermediary.'];

let printer: RunningPrinter;
let inter: RunningIntermediary;
const dirs: string[] = [];
const tmp = async (p: string) => {
  const d = await mkdtemp(join(tmpdir(), p));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  printer = await startPrinter({ stateDir: await tmp('tno-conformance-tls-p-'), port: 0, logger: false, tls: true });
  const users = new Map<string, UserEntry>([
    ['alice', { name: 'alice', role: 'user', hash: await hashPassword(alice.password, FAST) }],
    ['bob', { name: 'bob', role: 'user', hash: await hashPassword(bob.password, FAST) }],
  ]);
  inter = await startIntermediary({
    stateDir: await tmp('tno-conformance-tls-i-'),
    port: 0,
    logger: false,
    upstreams: [{ uri: printer.uri, tls: { pinSha256: printer.tlsFingerprint! } }],
    users,
    // Cleartext on loopback (never set by tno): the runner takes one set of TLS options for the
    // target and the printer behind it, and here they pin the ipps printer; Basic to an ipps
    // intermediary is pg-store-cluster-conformance and tno-conformance-command.
    allowLoopbackCleartextAuth: true,
    announce: () => {},
    handleSignals: false,
    retryInitialMs: 50,
    pollMs: 100,
  });
}, 60_000);

afterAll(async () => {
  await inter?.close();
  await printer?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const failed = (r: Report) => r.results.filter((x) => x.level === 'REQUIRED' && x.outcome === 'failed').map((x) => `${x.id}: ${x.reason}`);
const outcome = (r: Report, id: string) => r.results.find((x) => x.id === id)?.outcome;

describe('conformance over ipps and HTTP Basic', () => {
  it('runs the printer role against an ipps printer whose TLS certificate is pinned', async () => {
    expect(printer.uri).toMatch(/^ipps:/);
    const report = await runConformance({ target: printer.uri, role: 'printer', tls: { pinSha256: printer.tlsFingerprint! }, only: ONLY });
    expect(failed(report)).toEqual([]);
    expect(outcome(report, 'trustnoone-printer.sealed-print-job')).toBe('passed');
  });

  it('refuses a wrong pin: nothing passes and the transport error is the reason', async () => {
    const report = await runConformance({ target: printer.uri, role: 'printer', tls: { pinSha256: '00'.repeat(32) }, only: ['rfc8011-printer.get-printer-attributes'] });
    expect(report.results[0]).toMatchObject({ outcome: 'failed' });
    expect(report.results[0]!.reason).toMatch(/IPP_HTTP_TLS_PIN_MISMATCH/);
  });

  it('runs the intermediary role as two authenticated users, comparing the key with the pinned ipps printer', async () => {
    const report = await runConformance({
      target: inter.uri,
      role: 'intermediary',
      printerDirect: printer.uri,
      tls: { pinSha256: printer.tlsFingerprint! },
      auth: alice,
      otherAuth: bob,
      only: ONLY,
    });
    expect(failed(report)).toEqual([]);
    for (const id of ['trustnoone-intermediary.relays-public-key', 'trustnoone-intermediary.job-ownership', 'trustnoone-printer.get-encrypted-job-attributes-other-user', 'trustnoone-printer.sealed-print-job']) {
      expect(outcome(report, id), id).toBe('passed');
    }
  });

  it('skips the second-user tests when only the first user has credentials', async () => {
    const report = await runConformance({ target: inter.uri, role: 'intermediary', auth: alice, only: ['rfc8011-printer.get-printer-attributes', 'pwg5100-14.printer-uuid', 'trustnoone-intermediary.job-ownership'] });
    expect(report.results.find((r) => r.id === 'trustnoone-intermediary.job-ownership')).toMatchObject({ outcome: 'skipped' });
  });
});
