/**
 * Issue 19: an INFRA output device (tno printer --proxy, PWG 5100.18) signs in to the
 * Infrastructure Printer (tno intermediary --infra --oauth-issuer) with the OAuth 2.0 client
 * credentials grant at a real provider (oidc-provider): secret from a file, token fetched and
 * renewed by the device, accepted by the intermediary for the INFRA operations. A person's token
 * whose sub names the device does not make them the device (D30).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { request as ippRequestMessage } from '@trustnoone/ipp';
import { ippRequest } from '@trustnoone/ipp-http';
import { AUDIENCE, SCOPE, startIssuer, type Issuer } from '../../intermediary/test/support/oauth-issuer.js';
import { startCliServer, type CliServer } from './support/cli-server.js';
import { tno } from './helpers.js';

let issuer: Issuer & { readonly tokenRequests: readonly number[] };
let queue: CliServer;
let device: CliServer;
let dir: string;
let ca: string;

beforeAll(async () => {
  // Access tokens live 4 s, so the device's renewal is seen within the test.
  issuer = await startIssuer({ accessTokenTTL: 4 });
  dir = mkdtempSync(join(tmpdir(), 'tno-infra-oauth-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  ca = join(dir, 'cert.pem');
  queue = await startCliServer(['intermediary', '--infra', '--device-user', 'device-1', '--port', '0', '--state', join(dir, 'queue'), '--tls-key', join(dir, 'key.pem'), '--tls-cert', ca, '--oauth-issuer', issuer.issuer, '--oauth-audience', AUDIENCE, '--oauth-scope', SCOPE, '--verbose']);
  const secretFile = join(dir, 'device-secret');
  writeFileSync(secretFile, 'device-1-secret-0123456789abcdef\n', { mode: 0o600 });
  device = await startCliServer(['printer', '--port', '0', '--state', join(dir, 'printer'), '--proxy', queue.uri, '--proxy-ca', ca, '--proxy-oauth-issuer', issuer.issuer, '--proxy-client-id', 'device-1', '--proxy-client-secret-file', secretFile, '--proxy-oauth-scope', SCOPE, '--proxy-oauth-resource', AUDIENCE]);
}, 60_000);
afterAll(async () => {
  await device?.stop();
  await queue?.stop();
  await issuer?.close();
});

describe('issue 19: INFRA output devices with OAuth client credentials', () => {
  it('tno printer --proxy --proxy-oauth-issuer registers, fetches and completes a sealed job printed with a user token', async () => {
    const doc = join(dir, 'memo.txt');
    writeFileSync(doc, 'memo\n');
    const env = { XDG_STATE_HOME: join(dir, 'client'), TNO_TOKEN: await issuer.clientCredentialsToken('alice') };
    let printed: Awaited<ReturnType<typeof tno>> | undefined;
    // The device registers in the background: retry until its key is at the queue.
    for (let i = 0; i < 100; i++) {
      printed = await tno(['print', doc, '-p', queue.uri, '--ca', ca, '--trust-on-first-use', '--json'], env, dir);
      if (printed.code === ExitCode.ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(printed!.code, printed!.err).toBe(ExitCode.ok);
    expect(JSON.parse(printed!.out)).toMatchObject({ state: 'completed', encrypted: true });
    // Past half the token's life the device fetches a new one before its next request, and the
    // next job still goes through.
    const before = issuer.tokenRequests.length;
    await new Promise((r) => setTimeout(r, 4500));
    const again = await tno(['print', doc, '-p', queue.uri, '--ca', ca, '--json'], { ...env, TNO_TOKEN: await issuer.clientCredentialsToken('alice') }, dir);
    expect(again.code, again.err).toBe(ExitCode.ok);
    expect(JSON.parse(again.out)).toMatchObject({ state: 'completed' });
    expect(issuer.tokenRequests.length - before, 'token requests: the device renewed, alice got one').toBeGreaterThanOrEqual(2);
    // The device's secret and token stay out of both servers' output.
    for (const text of [queue.stderr(), device.stderr()]) {
      expect(text).not.toContain('device-1-secret');
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./);
    }
  }, 60_000);

  it("a person's token whose sub is the device name cannot act as the device", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await issuer.mint({ iss: issuer.issuer, aud: AUDIENCE, sub: 'device-1', client_id: 'tno', scope: SCOPE, iat: now, exp: now + 300 });
    const system = queue.uri.replace(/\/ipp\/print$/, '/ipp/system');
    // Register-Output-Device (PWG 5100.22), as the device itself would send it.
    const m = ippRequestMessage(0x005f, { requestId: 1 })
      .operation([
        { name: 'system-uri', values: [{ tag: 'uri', value: system }] },
        { name: 'printer-uri', values: [{ tag: 'uri', value: queue.uri }] },
        { name: 'output-device-uuid', values: [{ tag: 'uri', value: 'urn:uuid:5f0b1a34-8c1e-4f7e-9d7a-0c9b6f1e2a3b' }] },
      ])
      .build();
    const r = await ippRequest(system, m, { tls: { ca: readFileSync(ca) }, auth: { bearer: token } });
    r.data.resume();
    expect(r.message.code).toBe(0x0403);
  });

  it('the secret is never taken from the command line, and the flags are checked', async () => {
    const r = await tno(['printer', '--proxy', queue.uri, '--proxy-oauth-issuer', issuer.issuer, '--proxy-client-id', 'device-1'], {}, dir);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/TNO_PROXY_CLIENT_SECRET or --proxy-client-secret-file/);
    expect((await tno(['printer', '--proxy-client-id', 'device-1'], {}, dir)).err).toMatch(/needs --proxy-oauth-issuer/);
    expect((await tno(['printer', '--proxy', queue.uri, '--proxy-client-secret', 'x'], {}, dir)).code).toBe(ExitCode.usage);
  });
});
