/**
 * Issue 17: the shared PostgreSQL store, against a real PostgreSQL (testing/postgres.ts).
 * - migrations are applied explicitly and a server refuses a database older or newer than its code;
 * - any instance answers any request: Create-Job at one, Send-Document at another, the job seen
 *   and canceled through a third; the job is delivered once;
 * - ciphertext streams through in chunk rows with flat memory (a 128 MiB document, `tno
 *   intermediary --store` in a child process, its peak RSS measured);
 * - blind: a full pg_dump after a sealed job holds no copy of the plaintext's canary.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentity, sealToBytes } from '@trustnoone/smime';
import { attr } from '../src/attrs.js';
import { IntermediaryError, JobState, migrateStore, SCHEMA_VERSION, startIntermediary, type RunningIntermediary } from '../src/index.js';
import { startPrivatePostgres, type PrivatePostgres } from '../../../testing/postgres.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { envelopeShaped, request, sealedPrintJob, send, waitFor } from './fixtures/client.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const launcher = fileURLToPath(new URL('../../printer/test/support/tno-source.mts', import.meta.url));
let db: PrivatePostgres;
let printer: FakePrinter;
const running: RunningIntermediary[] = [];
beforeAll(async () => {
  [db, printer] = await Promise.all([startPrivatePostgres(), startFakePrinter()]);
}, 120_000);
afterAll(async () => {
  for (const r of running) await r.close().catch(() => undefined);
  await printer?.close();
  await db?.stop();
}, 60_000);

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function instance(url: string): Promise<RunningIntermediary> {
  const r = await startIntermediary({
    stateDir: mkdtempSync(join(tmpdir(), 'tno-pg-inst-')),
    store: url,
    upstreams: [{ uri: printer.uri }],
    port: 0,
    announce: () => {},
    handleSignals: false,
    retryInitialMs: 50,
    pollMs: 50,
    leaseMs: 2000,
    storeSyncMs: 100,
  });
  running.push(r);
  return r;
}

describe('issue 17: migrations', () => {
  it('a server refuses an unmigrated store; migrate applies the schema once; a newer schema is refused', async () => {
    const url = await db.createDatabase('migrations');
    const refused = await instance(url).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(IntermediaryError);
    expect((refused as IntermediaryError).code).toBe('INTERMEDIARY_STORE_SCHEMA');
    expect((refused as Error).message).toMatch(/tno intermediary migrate/);
    expect(await migrateStore(url)).toEqual({ from: 0, to: SCHEMA_VERSION, applied: Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1) });
    expect(await migrateStore(url)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query("INSERT INTO tno_schema (version, what) VALUES ($1, 'from the future')", [SCHEMA_VERSION + 1]);
    await c.end();
    const newer = await instance(url).catch((e: unknown) => e);
    expect((newer as IntermediaryError).code).toBe('INTERMEDIARY_STORE_SCHEMA');
    expect((newer as Error).message).toMatch(/newer than this intermediary/);
    expect(await migrateStore(url).catch((e: unknown) => (e as IntermediaryError).code)).toBe('INTERMEDIARY_STORE_SCHEMA');
  }, 60_000);
});

describe('issue 17: several instances, one store', () => {
  let url: string;
  let a: RunningIntermediary;
  let b: RunningIntermediary;
  let c: RunningIntermediary;
  beforeAll(async () => {
    url = await db.createDatabase('cluster');
    await migrateStore(url);
    [a, b, c] = await Promise.all([instance(url), instance(url), instance(url)]);
  }, 60_000);

  it('Create-Job at one instance, Send-Document at another, status from a third: delivered once', async () => {
    const created = await send(a.uri, request(0x0005, a.uri, [attr.name('requesting-user-name', 'alice'), attr.name('job-name', 'encrypted job')]));
    expect(created.status, created.statusMessage).toBe(0);
    const id = created.jobId!;
    const doc = envelopeShaped(300_000);
    const sent = await send(
      b.uri,
      request(0x0006, b.uri, [attr.integer('job-id', id), attr.name('requesting-user-name', 'alice'), attr.mimeMediaType('document-format', 'application/pkcs7-mime'), attr.boolean('last-document', true)]),
      doc,
    );
    expect(sent.status, sent.statusMessage).toBe(0);
    await waitFor(async () => {
      const g = await send(c.uri, request(0x0009, c.uri, [attr.integer('job-id', id), attr.name('requesting-user-name', 'alice')]));
      return g.status === 0 && (g.message.groups.find((x) => x.tag === 2)?.attributes.find((x) => x.name === 'job-state')?.values[0] as { value: number }).value === JobState.completed;
    }, 20_000, 'job completed, seen from the third instance');
    expect(printer.deliveries.filter((d) => d.sha256 === sha(doc))).toHaveLength(1);
  }, 60_000);

  it('a cancel at one instance reaches a job another created', async () => {
    const created = await send(b.uri, request(0x0005, b.uri, [attr.name('requesting-user-name', 'bob'), attr.name('job-name', 'encrypted job')]));
    const id = created.jobId!;
    const cancel = await send(c.uri, request(0x0008, c.uri, [attr.integer('job-id', id), attr.name('requesting-user-name', 'bob')]));
    expect(cancel.status, cancel.statusMessage).toBe(0);
    await waitFor(() => a.service.table.get(id)?.status.state === JobState.canceled, 10_000, 'the cancel seen by the first instance');
  }, 30_000);

  it('a 128 MiB document streams into and out of the store in chunks, memory flat', async () => {
    // `tno intermediary --store` in a child process, so its peak RSS (VmHWM) is the instance's own.
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, 'intermediary', '--upstream', printer.uri, '--anonymous', '--port', '0', '--state', mkdtempSync(join(tmpdir(), 'tno-pg-rss-')), '--store', url], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const uri = await new Promise<string>((res, rej) => {
        createInterface({ input: child.stdout! }).once('line', res);
        child.once('exit', (code) => rej(new Error(`tno intermediary exited ${code}`)));
      });
      const hwm = async (): Promise<number> => Number(/VmHWM:\s+(\d+)/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024;
      // Warm up (code paths compiled, pools filled), then take the peak so far as the baseline.
      const warm = envelopeShaped(2 * 1024 * 1024);
      expect((await send(uri, sealedPrintJob(uri), warm)).status).toBe(0);
      await waitFor(() => printer.deliveries.some((d) => d.sha256 === sha(warm)), 30_000, 'warm-up delivered');
      const before = await hwm();
      const size = 128 * 1024 ** 2;
      const block = Buffer.alloc(1024 * 1024, 7);
      const head = envelopeShaped(1024);
      const hash = createHash('sha256').update(head);
      for (let i = 0; i < size / block.length; i++) hash.update(block);
      const digest = hash.digest('hex');
      const body = Readable.from(
        (function* () {
          yield head;
          for (let i = 0; i < size / block.length; i++) yield block;
        })(),
      );
      const r = await send(uri, sealedPrintJob(uri), body);
      expect(r.status, r.statusMessage).toBe(0);
      await waitFor(() => printer.deliveries.some((d) => d.sha256 === digest), 180_000, '128 MiB delivered');
      // The whole document in memory would add 128 MiB; chunked, the peak grows far less. What it
      // does grow by varies with the machine's load, not with what the code holds: most likely freed
      // chunk buffers not yet collected (V8 collects memory outside its heap only once tens of MiB
      // of it have been given up, and later when the machine is busy). The
      // same commit measured 17-28 MiB quiet and up to 52 MiB at load average 10+, hence 64 MiB:
      // still half the document, so holding it whole (or a second copy of it) fails.
      const grew = (await hwm()) - before;
      console.log(`128 MiB through the PostgreSQL store: the instance's peak RSS grew by ${(grew / 1024 ** 2).toFixed(1)} MiB (from ${(before / 1024 ** 2).toFixed(1)} MiB)`);
      expect(grew).toBeLessThan(64 * 1024 ** 2);
    } finally {
      child.kill('SIGTERM');
    }
  }, 240_000);

  it('blind: a full pg_dump holds no copy of the canary sealed inside a job', async () => {
    const canary = `CANARY-${sha(Buffer.from(url)).slice(0, 24)}`;
    const printerId = createIdentity({ commonName: 'pg canary printer' });
    const plaintext = Buffer.from(`%!PS\n(${canary}) show\n${'page '.repeat(4000)}${canary}\n`);
    const sealed = Buffer.from(await sealToBytes(plaintext, { recipients: [printerId.certificate] }));
    // A job left waiting (Create-Job + document, not closed) keeps its ciphertext in the store.
    const created = await send(b.uri, request(0x0005, b.uri, [attr.name('requesting-user-name', 'carol'), attr.name('job-name', 'encrypted job')]));
    const sent = await send(
      c.uri,
      request(0x0006, c.uri, [attr.integer('job-id', created.jobId!), attr.name('requesting-user-name', 'carol'), attr.mimeMediaType('document-format', 'application/pkcs7-mime'), attr.boolean('last-document', false)]),
      sealed,
    );
    expect(sent.status, sent.statusMessage).toBe(0);
    const dump = Buffer.from(await db.dump('cluster'));
    // The ciphertext is there (bytea in hex) ...
    expect(dump.includes(Buffer.from(sealed.subarray(100, 140).toString('hex')))).toBe(true);
    // ... and no form of the canary.
    for (const form of [Buffer.from(canary), Buffer.from(Buffer.from(canary).toString('hex')), Buffer.from(canary, 'utf16le'), Buffer.from(Buffer.from(canary).toString('base64').slice(0, 24))]) {
      expect(dump.includes(form)).toBe(false);
    }
  }, 60_000);
});
