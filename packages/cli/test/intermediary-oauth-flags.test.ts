/**
 * Issue 19: `tno intermediary --oauth-issuer URL --oauth-audience AUD --oauth-scope S` accepts the
 * issuer's bearer tokens over ipps and refuses requests without one; the flags are checked for sense.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ippRequest } from '@trustnoone/ipp-http';
import { ExitCode, main, type Io } from '@trustnoone/cli';
import { startFakePrinter, type FakePrinter } from '../../intermediary/test/fixtures/fake-printer.js';
import { request } from '../../intermediary/test/fixtures/client.js';
import { AUDIENCE, SCOPE, startIssuer, type Issuer } from '../../intermediary/test/support/oauth-issuer.js';
import { startCliServer, type CliServer } from './support/cli-server.js';

let issuer: Issuer;
let upstream: FakePrinter;
let server: CliServer;
let ca: string;

beforeAll(async () => {
  issuer = await startIssuer();
  upstream = await startFakePrinter();
  // Tokens, like passwords, are accepted only over TLS (tno has no cleartext escape hatch).
  const dir = mkdtempSync(join(tmpdir(), 'tno-oauth-cli-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  ca = readFileSync(join(dir, 'cert.pem'), 'utf8');
  server = await startCliServer(['intermediary', '--upstream', upstream.uri, '--port', '0', '--state', join(dir, 'state'), '--tls-key', join(dir, 'key.pem'), '--tls-cert', join(dir, 'cert.pem'), '--oauth-issuer', issuer.issuer, '--oauth-audience', AUDIENCE, '--oauth-scope', SCOPE]);
});
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
  await issuer?.close();
});

describe('issue 19: tno intermediary --oauth-issuer', () => {
  it('refuses a request without a token (401), and serves one with the issuer token over ipps', async () => {
    await expect(ippRequest(server.uri, request(0x000b, server.uri), { tls: { ca } })).rejects.toMatchObject({ code: 'IPP_HTTP_AUTH_REQUIRED' });
    const r = await ippRequest(server.uri, request(0x000b, server.uri), { tls: { ca }, auth: { bearer: await issuer.clientCredentialsToken('alice') } });
    r.data.resume();
    expect(r.message.code).toBe(0);
  });

  it('tno jobs sends $TNO_TOKEN as the bearer token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tno-oauth-jobs-'));
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, ca);
    const run = async (env: Record<string, string>) => {
      const out = new PassThrough();
      let text = '';
      out.on('data', (d) => (text += d));
      const io: Io = { stdout: out, stderr: out, stdin: new PassThrough(), cwd: dir, env: { XDG_STATE_HOME: dir, ...env } };
      return { code: await main(['jobs', '--printer', server.uri, '--ca', caFile, '--user', 'alice'], io), text };
    };
    const without = await run({});
    expect(without.code, without.text).not.toBe(ExitCode.ok);
    expect(without.text).toMatch(/401|authenticat/i);
    const withToken = await run({ TNO_TOKEN: await issuer.clientCredentialsToken('alice') });
    expect(withToken.code, withToken.text).toBe(ExitCode.ok);
  });

  it('--oauth-scope without --oauth-issuer is a usage error', async () => {
    const err = new PassThrough();
    let text = '';
    err.on('data', (d) => (text += d));
    const io: Io = { stdout: new PassThrough(), stderr: err, stdin: new PassThrough(), cwd: tmpdir(), env: {} };
    expect(await main(['intermediary', '--upstream', upstream.uri, '--oauth-scope', 'print'], io)).toBe(ExitCode.usage);
    expect(text).toMatch(/need --oauth-issuer/);
  });
});
