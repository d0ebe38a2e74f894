/**
 * How jobs travel upstream: Print-Job when the printer lacks Create-Job (RFC 8011 §4.2.4 is
 * optional), failover to a second upstream when the first is down, and Cancel-My-Jobs (PWG 5100.11
 * §4.1) on jobs still open at the intermediary.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupTag } from '@trustnoone/ipp';
import { startIntermediary, type RunningIntermediary } from '../src/index.js';
import { attr, findAttribute, integerValue } from '../src/attrs.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { jobAttr, request, sealedPrintJob, send, waitFor, envelopeShaped } from './fixtures/client.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function printerUp(): Promise<FakePrinter> {
  const p = await startFakePrinter();
  cleanup.push(() => p.close());
  return p;
}

async function relay(uris: string[]): Promise<RunningIntermediary> {
  const r = await startIntermediary({
    stateDir: mkdtempSync(join(tmpdir(), 'tno-shapes-')),
    upstreams: uris.map((uri) => ({ uri })),
    port: 0,
    announce: () => {},
    handleSignals: false,
    retryInitialMs: 20,
    retryMaxMs: 100,
    pollMs: 20,
  });
  cleanup.push(() => r.close());
  return r;
}

const stateOf = async (r: RunningIntermediary, id: number) =>
  integerValue(jobAttr(await send(r.uri, request(0x0009, r.uri, [attr.integer('job-id', id), attr.name('requesting-user-name', 'alice')])), 'job-state'));

describe('forwarding shapes', () => {
  it('an upstream without Create-Job gets the job as one Print-Job', async () => {
    const p = await printerUp();
    p.noCreateJob = true;
    const r = await relay([p.uri]);
    const doc = envelopeShaped('via print-job');
    const a = await send(r.uri, sealedPrintJob(r.uri), doc);
    await waitFor(async () => (await stateOf(r, a.jobId!)) === 9, 10_000, 'completed');
    expect(p.deliveries.map((d) => [d.operation, d.sha256])).toEqual([['Print-Job', createHash('sha256').update(doc).digest('hex')]]);
    expect(p.requests).not.toContain(0x0005);
  });

  it('with the first upstream down, jobs go to the second', async () => {
    const dead = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const p = await printerUp();
    const r = await relay([`ipp://127.0.0.1:${dead}/ipp/print`, p.uri]);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await send(r.uri, sealedPrintJob(r.uri), envelopeShaped(`failover ${i}`))).jobId!);
    for (const id of ids) await waitFor(async () => (await stateOf(r, id)) === 9, 10_000, `job ${id} completed`);
    expect(p.deliveries).toHaveLength(3);
  });

  it('Cancel-My-Jobs cancels the requester\'s unfinished jobs and names them', async () => {
    const p = await printerUp();
    const r = await relay([p.uri]);
    const create = (user: string) => send(r.uri, request(0x0005, r.uri, [attr.name('requesting-user-name', user), attr.name('job-name', 'encrypted job')]));
    const mine = [(await create('alice')).jobId!, (await create('alice')).jobId!];
    const theirs = (await create('bob')).jobId!;
    const c = await send(r.uri, request(0x0039, r.uri, [attr.name('requesting-user-name', 'alice')]));
    expect(c.status, c.statusMessage).toBe(0);
    const listed = findAttribute(c.message, GroupTag.operation, 'job-ids')?.values.map((v) => ('value' in v ? v.value : 0));
    expect(listed?.sort()).toEqual([...mine].sort());
    for (const id of mine) await waitFor(async () => (await stateOf(r, id)) === 7, 5000, `job ${id} canceled`);
    const bobState = integerValue(jobAttr(await send(r.uri, request(0x0009, r.uri, [attr.integer('job-id', theirs), attr.name('requesting-user-name', 'bob')])), 'job-state'));
    expect(bobState).not.toBe(7);
  });
});

describe('RFC 8011 §5.4.31 multiple-operation time-out', () => {
  it('an open job left silent is closed and printed with its documents; an empty one is canceled', async () => {
    const p = await printerUp();
    const r = await startIntermediary({
      stateDir: mkdtempSync(join(tmpdir(), 'tno-timeout-')),
      upstreams: [{ uri: p.uri }],
      port: 0,
      announce: () => {},
      handleSignals: false,
      retryInitialMs: 20,
      pollMs: 20,
      openJobTimeoutMs: 200,
    });
    cleanup.push(() => r.close());
    const create = () => send(r.uri, request(0x0005, r.uri, [attr.name('requesting-user-name', 'alice'), attr.name('job-name', 'encrypted job')]));
    const withDoc = (await create()).jobId!;
    const empty = (await create()).jobId!;
    const s = await send(
      r.uri,
      request(0x0006, r.uri, [attr.integer('job-id', withDoc), attr.name('requesting-user-name', 'alice'), attr.boolean('last-document', false), attr.mimeMediaType('document-format', 'application/pkcs7-mime')]),
      envelopeShaped('the only document'),
    );
    expect(s.status).toBe(0);
    await waitFor(async () => (await stateOf(r, withDoc)) === 9, 10_000, 'open job closed and completed');
    await waitFor(async () => (await stateOf(r, empty)) === 7, 10_000, 'empty job canceled');
    expect(p.deliveries.map((d) => d.size)).toEqual([envelopeShaped('the only document').length]);
  });
});

describe('state polling', () => {
  it('backs off while the upstream job is unchanged (no request storm on a long queue)', async () => {
    const p = await printerUp();
    p.completeAfterMs = 1500;
    const r = await relay([p.uri]); // pollMs 20: without back-off ~75 polls in 1.5 s
    const a = await send(r.uri, sealedPrintJob(r.uri), envelopeShaped('slow printer'));
    await waitFor(async () => (await stateOf(r, a.jobId!)) === 9, 10_000, 'completed');
    const polls = p.requests.filter((c) => c === 0x0009).length;
    expect(polls).toBeGreaterThan(2);
    expect(polls).toBeLessThan(25);
  });
});

describe('a document refused upstream', () => {
  it('ends the job aborted with document-security-error and cancels the upstream job', async () => {
    const p = await printerUp();
    p.refuseDocumentsWith = 0x041a;
    const r = await relay([p.uri]);
    const a = await send(r.uri, sealedPrintJob(r.uri), envelopeShaped('tampered envelope'));
    await waitFor(async () => (await stateOf(r, a.jobId!)) === 8, 10_000, 'aborted');
    const g = await send(r.uri, request(0x0009, r.uri, [attr.integer('job-id', a.jobId!), attr.name('requesting-user-name', 'alice')]));
    expect(jobAttr(g, 'job-state-reasons')?.values.map((v) => ('value' in v ? v.value : ''))).toEqual(['aborted-by-system', 'document-security-error']);
    await waitFor(() => p.requests.includes(0x0008), 5000, 'Cancel-Job upstream');
  });
});

describe('a hung upstream', () => {
  it('gets a bounded number of connections however many jobs wait (16 per upstream)', async () => {
    const sockets = new Set<Socket>();
    let peak = 0;
    const hung = createServer((sock) => {
      sockets.add(sock);
      peak = Math.max(peak, sockets.size);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => undefined);
    });
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    cleanup.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          hung.close(() => r());
        }),
    );
    const r = await relay([`ipp://127.0.0.1:${(hung.address() as { port: number }).port}/ipp/print`]);
    for (let i = 0; i < 40; i++) expect((await send(r.uri, sealedPrintJob(r.uri, `user${i}`), envelopeShaped(`job ${i}`))).status).toBe(0);
    await new Promise((res) => setTimeout(res, 500));
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(16);
  });
});
