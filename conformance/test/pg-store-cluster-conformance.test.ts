/**
 * Issue 17: the intermediary and infrastructure suites against one instance of a two-instance
 * cluster sharing a PostgreSQL store (testing/postgres.ts). The suites' jobs are spread by nothing
 * but the store: the other instance pulls the same changes and may deliver them (push) or hand
 * them to a device (pull), and every REQUIRED test still passes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { hashPassword, migrateStore, startIntermediary, type IntermediaryOptions, type RunningIntermediary, type UserEntry } from '@trustnoone/intermediary';
import { runConformance, type Report } from '@trustnoone/conformance';
import { startPrivatePostgres, type PrivatePostgres } from '../../testing/postgres.js';
import { loopbackTls } from '../../testing/loopback-tls.js';

let db: PrivatePostgres;
let printer: RunningPrinter;
const dirs: string[] = [];
const closers: Array<() => Promise<void>> = [];
const DEVICE = { user: 'conformance-device', password: 'device-pw-for-tests' };
const users = new Map<string, UserEntry>();
/** The device's password travels over TLS on loopback, as `tno intermediary --tls-key/--tls-cert` serves it. */
const TLS = loopbackTls();

async function tmp(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

async function cluster(database: string, options: Omit<IntermediaryOptions, 'store'>): Promise<RunningIntermediary[]> {
  const url = await db.createDatabase(database);
  await migrateStore(url);
  const out: RunningIntermediary[] = [];
  for (let i = 0; i < 2; i++) {
    const s = await startIntermediary({ ...options, stateDir: await tmp('tno-conf-pg-'), store: url, port: 0, logger: false, announce: () => {}, handleSignals: false, storeSyncMs: 100 });
    closers.push(() => s.close());
    out.push(s);
  }
  return out;
}

const failures = (r: Report) => r.results.filter((x) => x.level === 'REQUIRED' && x.outcome === 'failed').map((x) => `${x.id}: ${x.reason}`);

beforeAll(async () => {
  users.set(DEVICE.user, { name: DEVICE.user, role: 'user', hash: await hashPassword(DEVICE.password, { N: 1024, r: 8, p: 1 }) });
  db = await startPrivatePostgres();
  printer = await startPrinter({ stateDir: await tmp('tno-conf-pg-p-'), port: 0, logger: false });
  // RFC 8011 §5.4.29 printer-up-time is integer(1:MAX): let the first second pass.
  await new Promise((r) => setTimeout(r, 1100));
}, 120_000);

afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await printer?.close();
  await db?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}, 60_000);

describe('issue 17: the suites against an instance of a PostgreSQL-backed cluster', () => {
  it('--role intermediary: every REQUIRED test passes', async () => {
    const [first] = await cluster('conf_push', { upstreams: [{ uri: printer.uri }], retryInitialMs: 50, pollMs: 100, leaseMs: 3000 });
    const report = await runConformance({ target: first!.uri, role: 'intermediary', printerDirect: printer.uri });
    expect(failures(report)).toEqual([]);
    expect(report.results.filter((r) => r.outcome === 'passed').length).toBeGreaterThan(10);
  }, 240_000);

  it('--role infrastructure: every REQUIRED test passes', async () => {
    const [first] = await cluster('conf_infra', { upstreams: [], infra: { deviceUsers: [DEVICE.user], maxNotifyWaitMs: 5000 }, users, https: { key: TLS.key, cert: TLS.cert } });
    expect(first!.uri).toMatch(/^ipps:/);
    const report = await runConformance({ target: first!.uri, role: 'infrastructure', auth: DEVICE, tls: { pinSha256: TLS.pin } });
    expect(failures(report)).toEqual([]);
    expect(report.results.filter((r) => r.outcome === 'passed').length).toBeGreaterThan(10);
  }, 240_000);
});
