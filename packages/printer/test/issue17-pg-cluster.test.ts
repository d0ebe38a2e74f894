/**
 * Issue 17: three `tno intermediary --store postgres://…` instances in front of one `tno printer`,
 * clients spread across them, many sealed jobs from many users; one instance is SIGKILLed in the
 * middle of a forward (fault point forward.sending) and another in the middle of an upload
 * (upload.chunk). Afterwards, counted at the printer (its job manifests):
 *   - every job a client saw acknowledged is printed exactly once (the survivors took over the dead
 *     instances' work when their delivery leases ran out);
 *   - no document, acknowledged or not, is printed twice.
 * Then `tno conformance --role intermediary` passes against the surviving instance.
 * Every server runs as the CLI starts it; PostgreSQL is a private server (testing/postgres.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { print, TrustStore } from '@trustnoone/client';
import { startPrivatePostgres, type PrivatePostgres } from '../../../testing/postgres.js';
import { pwgRaster } from './support/documents.js';
import { spawnPrinter, spawnTno, type ChildPrinter, type ChildServer } from './support/child-printer.js';
import { manifests, sha256, waitFor } from './support/chain.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const launcher = fileURLToPath(new URL('./support/tno-source.mts', import.meta.url));
const tno = (args: readonly string[]) => run(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, ...args], { cwd: root, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });

/**
 * Jobs and users: 300 from 30, as issue 17 asks (95 s on the shared 2-core machine at load 12);
 * TNO_CLUSTER_JOBS scales it down for a slower machine.
 */
const JOBS = Number(process.env.TNO_CLUSTER_JOBS ?? 300);
const USERS = Math.max(1, Math.round(JOBS / 10));
const CONCURRENCY = 12;

let dir: string;
let db: PrivatePostgres;
let url: string;
let printer: ChildPrinter;
const children: ChildServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue17-'));
  db = await startPrivatePostgres();
  url = await db.createDatabase('relay');
  const migrated = await tno(['intermediary', 'migrate', '--store', url]);
  expect(migrated.stdout).toMatch(/store schema 0 -> [1-9]\d* \(applied 1[,)]/);
  printer = await spawnPrinter(join(dir, 'printer'));
  children.push(printer);
}, 120_000);

afterAll(async () => {
  for (const c of children) await c.kill('SIGKILL');
  await db?.stop();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

function instance(n: number, fault?: string): Promise<ChildServer> {
  return spawnTno(
    ['intermediary', '--upstream', printer.uri, '--anonymous', '--port', '0', '--state', join(dir, `relay-${n}`), '--store', url, '--lease-seconds', '2'],
    fault ? { TNO_INTERMEDIARY_FAULT: fault } : {},
  );
}

const alive = (c: ChildServer): boolean => c.proc.exitCode === null && c.proc.signalCode === null;

describe('issue 17: three instances on one PostgreSQL store, two of them killed', () => {
  it(`${JOBS} sealed jobs from ${USERS} users: none acknowledged is lost, none is printed twice`, async () => {
    const relays = [
      await instance(0, `forward.sending@${Math.floor(JOBS / 10)}`), // killed mid-forward
      await instance(1, `upload.chunk@${Math.floor(JOBS / 6)}`), // killed mid-upload
      await instance(2),
    ];
    children.push(...relays);
    // Trust is bound to the URI printed to (decisions.md D23): one client trust store per instance.
    const trust = relays.map((_, i) => new TrustStore(join(dir, `client-${i}`)));
    const docs = Array.from({ length: JOBS }, (_, i) => pwgRaster({ pages: 1, width: 8 + (i % 64), height: 8 + Math.floor(i / 64), bits: 8 }));
    const acknowledged = new Set<string>();
    const refused: string[] = [];
    let next = 0;
    const started = Date.now();
    // One warm-up job per instance first, so each trust store records its URI once.
    const submitTo = async (i: number, r: number): Promise<void> => {
      try {
        const res = await print({
          printer: relays[r]!.uri,
          userName: `user${i % USERS}`,
          documents: [{ data: docs[i]!, format: 'image/pwg-raster' }],
          jobName: `cluster ${i}`,
          trust: { store: trust[r]!, firstUse: 'accept' },
          wait: false,
        });
        if (res.jobId !== undefined) acknowledged.add(sha256(docs[i]!));
      } catch (err) {
        refused.push(`job ${i} at instance ${r}: ${(err as Error).message.slice(0, 120)}`);
      }
    };
    for (let r = 0; r < relays.length; r++) await submitTo(next++, r);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < JOBS) {
          const i = next++;
          // Round robin over the instances still running (a load balancer's health check).
          const up = relays.map((_, r) => r).filter((r) => alive(relays[r]!));
          await submitTo(i, up[i % up.length]!);
        }
      }),
    );
    const submitted = (Date.now() - started) / 1000;
    await waitFor('both faulted instances to die', async () => !alive(relays[0]!) && !alive(relays[1]!), 60_000);
    expect(relays[0]!.proc.signalCode).toBe('SIGKILL');
    expect(relays[1]!.proc.signalCode).toBe('SIGKILL');

    const completedOf = async () => {
      const out = new Map<string, number>();
      for (const m of await manifests(join(dir, 'printer'))) if (m.state === 'completed' && m.documentSha256) out.set(m.documentSha256, (out.get(m.documentSha256) ?? 0) + 1);
      return out;
    };
    let printed = new Map<string, number>();
    await waitFor(
      'every acknowledged job printed',
      async () => {
        printed = await completedOf();
        return [...acknowledged].every((s) => printed.has(s)) || undefined;
      },
      180_000,
    ).catch((err: Error) => {
      const lost = [...acknowledged].filter((s) => !printed.has(s)).length;
      throw new Error(`${err.message}: ${lost} acknowledged jobs not printed\n${relays[2]!.output().slice(-4000)}`);
    });
    // Let stragglers (an unacknowledged upload that still committed) finish before counting twice.
    await new Promise((r) => setTimeout(r, 3000));
    printed = await completedOf();
    const lost = [...acknowledged].filter((s) => !printed.has(s));
    const twice = [...printed].filter(([, n]) => n > 1);
    const total = (Date.now() - started) / 1000;
    console.log(
      `issue 17 cluster: ${JOBS} jobs from ${USERS} users over 3 instances; ${acknowledged.size} acknowledged, ${refused.length} refused by the killed instances; ` +
        `${lost.length} acknowledged lost, ${twice.length} printed twice; submitted in ${submitted.toFixed(1)} s, all printed after ${total.toFixed(1)} s`,
    );
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    // The kills cost only what was in flight at the dead instances (never retried: a resealed copy
    // of a job that was committed but not answered would print twice).
    expect(acknowledged.size + refused.length).toBe(JOBS);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThanOrEqual(3 * CONCURRENCY);
    // The survivor took the dead instances' work over, including the forward cut off mid-upload.
    expect(relays[2]!.output()).toContain('a cut-off forward goes again into a new upstream job');

    // The surviving instance passes the intermediary suite, with the printer behind it reached directly.
    const conf = await tno(['conformance', relays[2]!.uri, '--role', 'intermediary', '--printer-direct', printer.uri, '--json']).catch((e: { stdout?: string; stderr?: string }) => e);
    const report = JSON.parse(String(conf.stdout)) as { results: Array<{ id: string; level: string; outcome: string; reason?: string }> };
    expect(report.results.filter((r) => r.level === 'REQUIRED' && r.outcome === 'failed').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
  }, 600_000);
});
