/**
 * Admission (issue 5): HTTP Basic (RFC 7617) from a users file, job ownership with the RFC 8011
 * statuses, and the request limits, each answered with a clear status instead of a crash.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag } from '@trustnoone/ipp';
import { IppTransportError } from '@trustnoone/ipp-http';
import { hashPassword, startIntermediary, type RunningIntermediary, type UserEntry } from '../src/index.js';
import { attr, findAttribute, integerValue } from '../src/attrs.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { request, sealedPrintJob, send, waitFor, envelopeShaped, trustLoopbackTls } from './fixtures/client.js';
import { loopbackTls } from '../../../testing/loopback-tls.js';

const TLS = loopbackTls();
trustLoopbackTls({ pinSha256: TLS.pin });

const FAST = { N: 1 << 10, r: 8, p: 1 };
let printer: FakePrinter;
let inter: RunningIntermediary;
const alice = { user: 'alice', password: 'alice-pw' };
const bob = { user: 'bob', password: 'bob-pw' };
const op = { user: 'ops', password: 'ops-pw' };

beforeAll(async () => {
  printer = await startFakePrinter();
  const users = new Map<string, UserEntry>([
    ['alice', { name: 'alice', role: 'user', hash: await hashPassword(alice.password, FAST) }],
    ['bob', { name: 'bob', role: 'user', hash: await hashPassword(bob.password, FAST) }],
    ['ops', { name: 'ops', role: 'operator', hash: await hashPassword(op.password, FAST) }],
  ]);
  printer.completeAfterMs = 60_000; // keep jobs active so queue limits and cancels apply
  inter = await startIntermediary({
    stateDir: mkdtempSync(join(tmpdir(), 'tno-auth-')),
    upstreams: [{ uri: printer.uri }],
    users,
    // TLS on loopback, as `tno intermediary --tls-key/--tls-cert` serves credentials.
    https: { key: TLS.key, cert: TLS.cert },
    limits: { maxDocumentBytes: 64 * 1024, maxAttributes: 20, maxQueuedJobsPerUser: 3, maxConcurrentUploads: 1 },
    port: 0,
    announce: () => {},
    handleSignals: false,
    retryInitialMs: 20,
    pollMs: 50,
  });
});
afterAll(async () => {
  await inter?.close();
  await printer?.close();
});

const gja = (jobId: number, auth?: typeof alice) =>
  send(inter.uri, request(0x0009, inter.uri, [attr.integer('job-id', jobId), attr.name('requesting-user-name', auth?.user ?? 'anon')]), undefined, auth);

describe('RFC 7617 Basic authentication from the users file', () => {
  it('without credentials the intermediary answers HTTP 401 with a Basic challenge', async () => {
    const err = await send(inter.uri, sealedPrintJob(inter.uri), envelopeShaped('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IppTransportError);
    expect((err as IppTransportError).code).toBe('IPP_HTTP_AUTH_REQUIRED');
  });

  it('a wrong password is refused the same way', async () => {
    const err = await send(inter.uri, sealedPrintJob(inter.uri), envelopeShaped('x'), { user: 'alice', password: 'nope' }).catch((e: unknown) => e);
    expect((err as IppTransportError).code).toBe('IPP_HTTP_AUTH_REQUIRED');
  });
});

describe('job ownership: owner or operator only (RFC 8011 §5.4 statuses)', () => {
  it('the owner sees details, another user gets not-authorized, an operator may cancel', async () => {
    const a = await send(inter.uri, sealedPrintJob(inter.uri, 'alice'), envelopeShaped('alice job'), alice);
    expect(a.status, a.statusMessage).toBe(0);
    const own = await gja(a.jobId!, alice);
    expect(own.status).toBe(0);
    expect(findAttribute(own.message, GroupTag.job, 'job-originating-user-name')?.values[0]).toMatchObject({ value: 'alice' });
    expect((await gja(a.jobId!, bob)).status).toBe(0x0403);
    const bobCancel = await send(inter.uri, request(0x0008, inter.uri, [attr.integer('job-id', a.jobId!), attr.name('requesting-user-name', 'bob')]), undefined, bob);
    expect(bobCancel.status).toBe(0x0403);
    const bobEnc = await send(inter.uri, request(0x006a, inter.uri, [attr.integer('job-id', a.jobId!), attr.name('requesting-user-name', 'bob'), attr.text('requesting-user-pkcs7-public-key', '-----BEGIN CERTIFICATE-----', 'Qk9C', '-----END CERTIFICATE-----')]), undefined, bob);
    expect(bobEnc.status).toBe(0x0403);
    // Get-Jobs shows bob that the job exists, not whose it is.
    const list = await send(inter.uri, request(0x000a, inter.uri, [attr.name('requesting-user-name', 'bob'), attr.keyword('requested-attributes', 'all')]), undefined, bob);
    const g = list.message.groups.find((x) => x.tag === GroupTag.job && integerValue(x.attributes.find((y) => y.name === 'job-id')) === a.jobId);
    expect(g).toBeDefined();
    expect(g!.attributes.some((y) => y.name === 'job-originating-user-name')).toBe(false);
    const opCancel = await send(inter.uri, request(0x0008, inter.uri, [attr.integer('job-id', a.jobId!), attr.name('requesting-user-name', 'ops')]), undefined, op);
    expect(opCancel.status, opCancel.statusMessage).toBe(0);
    // The cancel travels upstream and the canceled state comes back.
    await waitFor(async () => integerValue(findAttribute((await gja(a.jobId!, alice)).message, GroupTag.job, 'job-state')) === 7, 5000, 'canceled');
  });
});

describe('limits: excess gets a clear status', () => {
  it('a document over the size limit: client-error-request-entity-too-large', async () => {
    const a = await send(inter.uri, sealedPrintJob(inter.uri, 'bob'), envelopeShaped(Buffer.alloc(65 * 1024)), bob);
    expect(a.status).toBe(0x0408);
  });

  it('too many attributes: client-error-request-entity-too-large naming the limit', async () => {
    const many = Array.from({ length: 30 }, (_, i) => attr.keyword(`x-extra-${i}`, 'v'));
    const a = await send(inter.uri, request(0x000a, inter.uri, [attr.name('requesting-user-name', 'bob'), ...many]), undefined, bob);
    expect(a.status).toBe(0x0408);
    expect(a.statusMessage).toMatch(/at most 20/);
  });

  it('a second concurrent upload beyond the limit: server-error-busy', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = Readable.from(
      (async function* () {
        yield envelopeShaped('first half ');
        await gate;
        yield Buffer.from('second half');
      })(),
    );
    const first = send(inter.uri, sealedPrintJob(inter.uri, 'bob'), slow, bob);
    await new Promise((r) => setTimeout(r, 200));
    const second = await send(inter.uri, sealedPrintJob(inter.uri, 'bob'), envelopeShaped('x'), bob);
    release();
    expect(second.status).toBe(0x0507);
    expect((await first).status).toBe(0);
  });

  it('per-user queue: the job beyond the limit gets server-error-too-many-jobs', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(inter.uri, sealedPrintJob(inter.uri, 'alice'), envelopeShaped(`q${i}`), alice)).status);
    // alice's first job was canceled above; three may be active at once.
    expect(statuses).toEqual([0, 0, 0, 0x050b]);
  });
});
