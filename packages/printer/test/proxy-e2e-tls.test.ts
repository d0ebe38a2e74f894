/**
 * Pull mode over ipps with authenticated devices, as deployed: the Infrastructure Printer serves
 * TLS only and refuses Basic credentials in clear (no loopback exception here); the Proxy verifies
 * the server against its CA and authenticates as a device account; a client prints a sealed job
 * through it. An account that is not a device account is refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { print, TrustStore } from '@trustnoone/client';
import { hashPassword, startIntermediary, type RunningIntermediary, type UserEntry } from '@trustnoone/intermediary';
import { buildApp, startProxy, type PrinterHandle, type RunningProxy } from '@trustnoone/printer';
import { TEXT } from './support/documents.js';

let dir: string;
let ca: string;
let inter: RunningIntermediary;
let printer: PrinterHandle;
const proxies: RunningProxy[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-proxy-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  ca = await readFile(join(dir, 'cert.pem'), 'utf8');
  const users = new Map<string, UserEntry>();
  for (const [name, pw] of [['alice', 'alice-pw'], ['printer1', 'printer1-pw']] as const) users.set(name, { name, role: 'user', hash: await hashPassword(pw, { N: 1024, r: 8, p: 1 }) });
  inter = await startIntermediary({
    stateDir: join(dir, 'intermediary'),
    upstreams: [],
    infra: { deviceUsers: ['printer1'], maxNotifyWaitMs: 2000 },
    users,
    https: { key: await readFile(join(dir, 'key.pem')), cert: ca },
    port: 0,
    announce: () => {},
    handleSignals: false,
  });
  printer = await buildApp({ stateDir: join(dir, 'printer'), logger: false });
}, 60_000);

afterAll(async () => {
  for (const p of proxies) await p.stop();
  await printer?.close();
  await inter?.close();
});

async function connected(p: RunningProxy, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!p.connected && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  return p.connected;
}

describe('pull mode over ipps', () => {
  it('a device account over verified TLS pulls and prints a sealed job', async () => {
    expect(inter.uri).toMatch(/^ipps:/);
    const proxy = await startProxy(printer, { url: inter.uri, auth: { user: 'printer1', password: 'printer1-pw' }, tls: { ca }, retryInitialMs: 50, stateFile: join(dir, 'proxy-ok.json') });
    proxies.push(proxy);
    expect(await connected(proxy, 20_000)).toBe(true);
    const r = await print({
      printer: inter.uri,
      tls: { ca },
      auth: { user: 'alice', password: 'alice-pw' },
      userName: 'alice',
      documents: [{ data: TEXT, format: 'text/plain' }],
      jobName: 'over tls',
      trust: { store: new TrustStore(join(dir, 'client')), firstUse: 'accept' },
      follow: { intervalMs: 100, timeoutMs: 30_000 },
    });
    expect(r.status?.state).toBe('completed');
  }, 60_000);

  it('a user account that is not a device account never gets registered', async () => {
    const intruder = await startProxy(printer, { url: inter.uri, auth: { user: 'alice', password: 'alice-pw' }, tls: { ca }, retryInitialMs: 50, stateFile: join(dir, 'proxy-alice.json') });
    proxies.push(intruder);
    expect(await connected(intruder, 1500)).toBe(false);
  }, 30_000);
});
