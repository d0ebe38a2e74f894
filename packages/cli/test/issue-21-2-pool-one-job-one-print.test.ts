/**
 * Issue 21 item 2: one job, one print across an INFRA pool, without trusting the Infrastructure
 * Printer. Two printers provisioned as one pool (same key, same printer-uuid) pull from a dishonest
 * queue (support/dishonest-infra-queue.ts) that offers the same sealed job to both at once and lets
 * both acknowledge it. Everything runs as the CLI ships it: `tno printer --proxy ... --pool-ledger`
 * and `tno pool-ledger`, each a child process, with certificates from `tno keys generate`.
 *
 *   - without a ledger (as before the fix) both members print the job: the attack is real;
 *   - with the ledger exactly one prints it; the other refuses it (PRINTER_POOL_JOB_TAKEN in its log) and
 *     reports upstream aborted, document-security-error, "another printer of this pool already
 *     took this job";
 *   - with the ledger down no member takes a job (fail closed); once it is back, one prints it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { encodeMessage } from '@trustnoone/ipp';
import { PoolLedgerClient } from '@trustnoone/printer';
import { buildInnerRequest } from '@trustnoone/profile';
import { joinPemLines, parseCertificate, sealToBytes } from '@trustnoone/smime';
import { tno } from './helpers.js';
import { startCliServer, type CliServer } from './support/cli-server.js';
import { startDishonestQueue, type DishonestQueue } from './support/dishonest-infra-queue.js';

const COMPLETED = 9;
const ABORTED = 8;

let dir: string;
let queue: DishonestQueue;
const servers: CliServer[] = [];
let nextJob = 1;

async function run(args: string[]): Promise<void> {
  const r = await tno(args);
  expect(r.code, `tno ${args.join(' ')}: ${r.err}`).toBe(ExitCode.ok);
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 45_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function start(args: string[]): Promise<CliServer> {
  const s = await startCliServer(args);
  servers.push(s);
  return s;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-21-2-'));
  const f = (n: string) => join(dir, n);
  // The pool CA issues the ledger's server certificate and one client certificate per member.
  await run(['keys', 'generate', '--kind', 'ca', '--name', 'Pool CA', '--cert', f('pool-ca.crt'), '--key', f('pool-ca.key')]);
  await run(['keys', 'generate', '--kind', 'server', '--name', 'localhost', '--ca-cert', f('pool-ca.crt'), '--ca-key', f('pool-ca.key'), '--cert', f('ledger.crt'), '--key', f('ledger.key')]);
  // A certificate the pool CA did not issue (another CA of the site, or a stranger's).
  await run(['keys', 'generate', '--kind', 'ca', '--name', 'Other CA', '--cert', f('other-ca.crt'), '--key', f('other-ca.key')]);
  await run(['keys', 'generate', '--kind', 'client', '--name', 'rogue', '--ca-cert', f('other-ca.crt'), '--ca-key', f('other-ca.key'), '--cert', f('rogue.crt'), '--key', f('rogue.key')]);
  for (const m of ['member-a', 'member-b']) {
    await run(['keys', 'generate', '--kind', 'client', '--name', m, '--ca-cert', f('pool-ca.crt'), '--ca-key', f('pool-ca.key'), '--cert', f(`${m}.crt`), '--key', f(`${m}.key`)]);
  }
  queue = await startDishonestQueue();
}, 120_000);

afterAll(async () => {
  for (const s of servers) await s.stop();
  await queue?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Two printer states with one identity (a pool), as an administrator provisions them. */
async function provisionPool(name: string): Promise<[string, string]> {
  const a = join(dir, `${name}-a`);
  const b = join(dir, `${name}-b`);
  await run(['printer', '--state', a, '--show-fingerprint']);
  for (const part of ['keys', 'certs', 'printer.json']) await cp(join(a, part), join(b, part), { recursive: true });
  return [a, b];
}

function ledgerFlags(ledgerUrl: string, member: string): string[] {
  return ['--pool-ledger', ledgerUrl, '--pool-ca', join(dir, 'pool-ca.crt'), '--pool-cert', join(dir, `${member}.crt`), '--pool-key', join(dir, `${member}.key`)];
}

async function startMembers(states: [string, string], ledgerUrl?: string): Promise<CliServer[]> {
  const before = queue.devices.size;
  const members = [
    await start(['printer', '--state', states[0], '--port', '0', '--proxy', queue.uri, ...(ledgerUrl ? ledgerFlags(ledgerUrl, 'member-a') : [])]),
    await start(['printer', '--state', states[1], '--port', '0', '--proxy', queue.uri, ...(ledgerUrl ? ledgerFlags(ledgerUrl, 'member-b') : [])]),
  ];
  await waitFor('both members to subscribe', () => queue.devices.size === before + 2);
  return members;
}

/** Seals a job to the pool's key (as reported to the queue) and offers it to every member. */
async function offerJob(text: string): Promise<number> {
  const attrs = queue.attributes();
  const uuid = (attrs.find((a) => a.name === 'printer-uuid')!.values[0] as { value: string }).value;
  const pem = joinPemLines(attrs.find((a) => a.name === 'printer-pkcs7-public-key')!.values.map((v) => (v as { value: string }).value));
  const inner = buildInnerRequest({ operation: 'Print-Job', printerUri: queue.uri, requestingUserName: 'alice', printerUuid: uuid, jobUuid: `urn:uuid:${randomUUID()}`, documentFormat: 'text/plain', jobName: 'payroll' });
  const envelope = await sealToBytes(Buffer.concat([encodeMessage(inner), Buffer.from(text)]), { recipients: [parseCertificate(pem)] });
  const jobId = nextJob++;
  queue.offer({ jobId, jobUuid: `urn:uuid:${randomUUID()}`, envelope });
  return jobId;
}

/** Each device's final report of job `jobId` (one per device: infra-proxy-final-report-once checks that a device reports its end once). */
const finals = (jobId: number) => [...new Map(queue.reports.filter((r) => r.jobId === jobId && r.state >= 7).map((r) => [r.device, r])).values()];
const seen = (jobId: number) => JSON.stringify({ fetchedBy: queue.fetchedBy(jobId), reports: queue.reports.filter((r) => r.jobId === jobId) });

async function completedManifests(state: string): Promise<number> {
  let n = 0;
  for (const id of await readdir(join(state, 'jobs')).catch(() => [] as string[])) {
    const f = join(state, 'jobs', id, 'manifest.json');
    if (!(await stat(f).catch(() => undefined))) continue;
    if ((JSON.parse(await readFile(f, 'utf8')) as { state: string }).state === 'completed') n++;
  }
  return n;
}

describe('issue 21.2: one job, one print across an INFRA pool', () => {
  it('without a pool ledger, a dishonest queue gets one job printed by both members (the attack)', async () => {
    const states = await provisionPool('open');
    const members = await startMembers(states);
    try {
      const jobId = await offerJob('printed twice without a ledger\n');
      await waitFor('both members to report the job ended', () => new Set(finals(jobId).map((r) => r.device)).size === 2);
      expect(queue.fetchedBy(jobId), seen(jobId)).toHaveLength(2);
      expect(finals(jobId).map((r) => r.state), seen(jobId)).toEqual([COMPLETED, COMPLETED]);
      expect((await completedManifests(states[0])) + (await completedManifests(states[1]))).toBe(2);
    } finally {
      for (const m of members) await m.stop();
    }
  }, 120_000);

  it('with the pool ledger, exactly one member prints; the other refuses with a typed reason it reports upstream', async () => {
    const ledger = await start(['pool-ledger', '--state', join(dir, 'ledger'), '--port', '0', '--tls-cert', join(dir, 'ledger.crt'), '--tls-key', join(dir, 'ledger.key'), '--members-ca', join(dir, 'pool-ca.crt')]);
    expect(ledger.uri).toMatch(/^https:\/\/localhost:\d+$/);
    const states = await provisionPool('pool');
    const members = await startMembers(states, ledger.uri);
    try {
      const jobId = await offerJob('one job, one print\n');
      await waitFor('both members to report the job ended', () => new Set(finals(jobId).map((r) => r.device)).size === 2);
      expect(queue.fetchedBy(jobId)).toHaveLength(2); // both were handed the job at once
      const ends = finals(jobId);
      expect(ends.filter((r) => r.state === COMPLETED), seen(jobId)).toHaveLength(1);
      const refused = ends.find((r) => r.state !== COMPLETED)!;
      expect(refused.state).toBe(ABORTED);
      expect(refused.reasons).toContain('document-security-error');
      expect(refused.message).toMatch(/another printer of this pool already took this job/);
      const counts = [await completedManifests(states[0]), await completedManifests(states[1])];
      expect(counts.sort()).toEqual([0, 1]);
      // The refusing member's log names the typed error; neither log holds the document.
      const logs = members.map((m) => m.stderr());
      expect(logs.filter((l) => l.includes('PRINTER_POOL_JOB_TAKEN'))).toHaveLength(1);
      for (const l of logs) expect(l).not.toContain('one job, one print');

      // The ledger down: no member takes a job (fail closed), and none prints it.
      await ledger.stop();
      const port = new URL(ledger.uri).port;
      const second = await offerJob('waits for the ledger\n');
      await new Promise((r) => setTimeout(r, 4000));
      expect(queue.fetchedBy(second)).toEqual([]);
      expect(finals(second)).toEqual([]);
      // Back (same state, same port): one member prints it, the other is refused.
      await start(['pool-ledger', '--state', join(dir, 'ledger'), '--port', port, '--tls-cert', join(dir, 'ledger.crt'), '--tls-key', join(dir, 'ledger.key'), '--members-ca', join(dir, 'pool-ca.crt')]);
      await waitFor('the second job to end at both members', () => new Set(finals(second).map((r) => r.device)).size === queue.fetchedBy(second).length && finals(second).length > 0 && finals(second).some((r) => r.state === COMPLETED), 60_000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(finals(second).filter((r) => r.state === COMPLETED), seen(second)).toHaveLength(1);

      // Only the pool's members reach the ledger: a certificate from another CA is refused at the
      // TLS handshake. The ledger keeps digests, never a job's nonce.
      const client = (member: string) =>
        new PoolLedgerClient({ url: ledger.uri, ca: readFileSync(join(dir, 'pool-ca.crt'), 'utf8'), cert: readFileSync(join(dir, `${member}.crt`), 'utf8'), key: readFileSync(join(dir, `${member}.key`), 'utf8') });
      const [member, rogue] = [client('member-a'), client('rogue')];
      expect(await member.healthy()).toBe(true);
      expect(await rogue.healthy()).toBe(false);
      await expect(rogue.claimOnce('0'.repeat(64))).rejects.toMatchObject({ code: 'PRINTER_POOL_LEDGER_UNAVAILABLE' });
      member.close();
      rogue.close();
      const log = readFileSync(join(dir, 'ledger', 'claims.log'), 'utf8').trim().split('\n');
      expect(log.length).toBeGreaterThanOrEqual(2);
      for (const line of log) expect(line).toMatch(/^\d+ [0-9a-f]{64} [0-9a-f]{64}$/);
    } finally {
      for (const m of members) await m.stop();
    }
  }, 180_000);

  it('member flags go together; the ledger needs its certificates', async () => {
    const r = await tno(['printer', '--pool-ledger', 'https://localhost:1']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/go together/);
    const l = await tno(['pool-ledger', '--tls-cert', join(dir, 'ledger.crt')]);
    expect(l.code).toBe(ExitCode.usage);
  });
});
