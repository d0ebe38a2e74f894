/**
 * TLS on both sides (issue 5): upstream ipps verified with a CA file or a SHA-256 pin (a wrong pin
 * keeps the job waiting, never delivered), and HTTP Basic accepted over ipps but refused over
 * cleartext HTTP. Certificates come from the openssl command line (an independent implementation).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IppTransportError } from '@trustnoone/ipp-http';
import { hashPassword, startIntermediary, type RunningIntermediary, type UserEntry } from '../src/index.js';
import { attr, integerValue, keywords, stringValue } from '../src/attrs.js';
import { startFakePrinter, PRINTER_KEY_LINES, type FakePrinter } from './fixtures/fake-printer.js';
import { jobAttr, request, sealedPrintJob, send, waitFor, envelopeShaped } from './fixtures/client.js';

let dir: string;
let key: string;
let cert: string;
let pin: string;
let printer: FakePrinter;
const running: RunningIntermediary[] = [];

function opensslCert(name: string): { key: string; cert: string } {
  const k = join(dir, `${name}.key`);
  const c = join(dir, `${name}.pem`);
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', k, '-out', c, '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return { key: readFileSync(k, 'utf8'), cert: readFileSync(c, 'utf8') };
}

async function relay(options: Partial<Parameters<typeof startIntermediary>[0]>): Promise<RunningIntermediary> {
  const r = await startIntermediary({
    stateDir: mkdtempSync(join(tmpdir(), 'tno-tls-')),
    upstreams: [{ uri: printer.uri }],
    port: 0,
    announce: () => {},
    handleSignals: false,
    retryInitialMs: 20,
    retryMaxMs: 100,
    pollMs: 20,
    ...options,
  });
  running.push(r);
  return r;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tno-tls-certs-'));
  ({ key, cert } = opensslCert('upstream'));
  pin = createHash('sha256').update(new X509Certificate(cert).raw).digest('hex');
  printer = await startFakePrinter(0, PRINTER_KEY_LINES, { key, cert });
});
afterAll(async () => {
  for (const r of running) await r.close();
  await printer?.close();
});

const completed = async (r: RunningIntermediary, id: number, tls?: { pinSha256: string }, auth?: { user: string; password: string }) =>
  integerValue(jobAttr(await send(r.uri, request(0x0009, r.uri, [attr.integer('job-id', id), attr.name('requesting-user-name', auth?.user ?? 'alice')]), undefined, auth, tls), 'job-state')) === 9;

describe('upstream ipps', () => {
  it('verified with a CA file: delivered', async () => {
    const r = await relay({ upstreams: [{ uri: printer.uri, tls: { ca: cert } }] });
    const a = await send(r.uri, sealedPrintJob(r.uri), envelopeShaped('over verified TLS'));
    await waitFor(() => completed(r, a.jobId!), 10_000, 'completed');
  });

  it('pinned by SHA-256: delivered', async () => {
    const r = await relay({ upstreams: [{ uri: printer.uri, tls: { pinSha256: pin } }] });
    const a = await send(r.uri, sealedPrintJob(r.uri), envelopeShaped('over pinned TLS'));
    await waitFor(() => completed(r, a.jobId!), 10_000, 'completed');
  });

  it('a wrong pin: the job waits, says why, and is never delivered', async () => {
    const before = printer.deliveries.length;
    const wrong = pin.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const r = await relay({ upstreams: [{ uri: printer.uri, tls: { pinSha256: wrong } }] });
    const a = await send(r.uri, sealedPrintJob(r.uri), envelopeShaped('must not leave'));
    const ask = () => send(r.uri, request(0x0009, r.uri, [attr.integer('job-id', a.jobId!), attr.name('requesting-user-name', 'alice')]));
    await waitFor(async () => keywords(jobAttr(await ask(), 'job-state-reasons')).includes('connecting-to-device'), 5000, 'connecting-to-device');
    expect(stringValue(jobAttr(await ask(), 'job-state-message'))).toMatch(/pinned/);
    await new Promise((res) => setTimeout(res, 300));
    expect(printer.deliveries.length).toBe(before);
  });
});

describe('HTTP Basic only over TLS', () => {
  it('accepted over ipps, refused over cleartext HTTP', async () => {
    const users = new Map<string, UserEntry>([['alice', { name: 'alice', role: 'user', hash: await hashPassword('pw', { N: 1024, r: 8, p: 1 }) }]]);
    const own = opensslCert('intermediary');
    const ownPin = createHash('sha256').update(new X509Certificate(own.cert).raw).digest('hex');
    const secure = await relay({ users, https: own, upstreams: [{ uri: printer.uri, tls: { pinSha256: pin } }] });
    expect(secure.uri).toMatch(/^ipps:/);
    const auth = { user: 'alice', password: 'pw' };
    const a = await send(secure.uri, sealedPrintJob(secure.uri), envelopeShaped('authenticated'), auth, { pinSha256: ownPin });
    expect(a.status, a.statusMessage).toBe(0);
    await waitFor(() => completed(secure, a.jobId!, { pinSha256: ownPin }, auth), 10_000, 'completed');

    const plain = await relay({ users });
    const err = await send(plain.uri, sealedPrintJob(plain.uri), Buffer.from('x'), auth).catch((e: unknown) => e);
    expect((err as IppTransportError).code).toBe('IPP_HTTP_AUTH_REQUIRED');
  });
});
