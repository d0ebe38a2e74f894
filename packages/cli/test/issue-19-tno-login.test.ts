/**
 * Issue 19: `tno login` against a real OAuth provider (oidc-provider on loopback, its own sign-in
 * and consent pages walked over HTTP as a person's browser would): the device authorization grant
 * (RFC 8628) with slow_down and an expired code, the authorization code with PKCE on a loopback
 * redirect (RFC 8252) through $BROWSER, tokens saved 0600 and refreshed before they expire, used by
 * tno print through `tno intermediary --oauth-issuer` over ipps as shipped, and `tno logout`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, main, type Io } from '@trustnoone/cli';
import { print } from '@trustnoone/client';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { AUDIENCE, SCOPE, startIssuer, type Issuer } from '../../intermediary/test/support/oauth-issuer.js';
import { actAsUser } from '../../intermediary/test/support/oauth-user-agent.js';
import { startCliServer, type CliServer } from './support/cli-server.js';
import { tno } from './helpers.js';

let issuer: Issuer & { readonly tokenRequests: readonly number[] };
let printer: RunningPrinter;
let relay: CliServer;
let dir: string;
let caFile: string;
let doc: string;

beforeAll(async () => {
  // Access tokens live 6 s, so the refresh before expiry is seen within the test; the first two
  // device-code polls are answered slow_down.
  issuer = await startIssuer({ accessTokenTTL: 6, slowDownPolls: 1 });
  dir = mkdtempSync(join(tmpdir(), 'tno-login-'));
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  caFile = join(dir, 'cert.pem');
  relay = await startCliServer(['intermediary', '--upstream', printer.uri, '--port', '0', '--state', join(dir, 'relay'), '--tls-key', join(dir, 'key.pem'), '--tls-cert', caFile, '--oauth-issuer', issuer.issuer, '--oauth-audience', AUDIENCE, '--oauth-scope', SCOPE, '--verbose']);
  doc = join(dir, 'memo.txt');
  writeFileSync(doc, 'memo\n');
}, 60_000);
afterAll(async () => {
  await relay?.stop();
  await printer?.close();
  await issuer?.close();
});

/** Runs tno in-process, calling `onErr` with stderr as it grows (the sign-in prompt arrives mid-run). */
async function tnoLive(args: readonly string[], env: NodeJS.ProcessEnv, onErr: (text: string) => void = () => {}): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => {
    err += d;
    onErr(err);
  });
  const io: Io = { stdout, stderr, stdin: new PassThrough(), cwd: dir, env };
  const code = await main(args, io);
  return { code, out, err };
}

const tokensFile = (state: string) => join(state, 'oauth', 'tokens.json');
const saved = (state: string) => JSON.parse(readFileSync(tokensFile(state), 'utf8')).signIns as Array<{ accessToken: string; refreshToken?: string; expiresAt: number; printers: string[] }>;
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { sub: string; exp: number; aud: string; scope: string };

async function pinRelay(state: string): Promise<void> {
  const fp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  const r = await tno(['trust', 'pin', '--printer', relay.uri, '--ca', caFile, '--fingerprint', fp, '--state', state], {}, dir);
  expect(r.code, r.err).toBe(ExitCode.ok);
}

describe('issue 19: tno login (RFC 8628 device grant, RFC 8252 PKCE loopback) against a real issuer', () => {
  it('device grant: prints the URI and code, honours slow_down, saves the tokens 0600, and tno print uses them', async () => {
    const state = join(dir, 'state-device');
    let acting: Promise<unknown> | undefined;
    const login = await tnoLive(['login', '--issuer', issuer.issuer, '--printer', relay.uri, '--ca', caFile, '--device', '--scope', SCOPE, '--resource', AUDIENCE, '--state', state], {}, (err) => {
      const m = /open (\S+) and enter the code (\S+)/.exec(err);
      if (m && !acting) acting = actAsUser(m[1]!, { user_code: m[2]!, login: 'alice', password: 'any' });
    });
    expect(login.code, login.err).toBe(ExitCode.ok);
    const visit = (await acting) as { body: string };
    expect(visit.body).toMatch(/Sign-in Success/);
    expect(login.out).toMatch(/^signed in at http:\/\/127\.0\.0\.1:\d+ for ipps:\/\/127\.0\.0\.1:\d+\/ipp\/print; token valid until .*, refreshed automatically\n$/);
    // RFC 8628 §3.5: after slow_down the interval grows by 5 s (5 s, then 10 s).
    const t = issuer.tokenRequests;
    expect(t.length).toBeGreaterThanOrEqual(2);
    expect(t[1]! - t[0]!, 'interval after slow_down').toBeGreaterThanOrEqual(9_500);
    // Owner-only: the directory 0700, the file 0600.
    expect(statSync(join(state, 'oauth')).mode & 0o777).toBe(0o700);
    expect(statSync(tokensFile(state)).mode & 0o777).toBe(0o600);
    const [s] = saved(state);
    expect(claimsOf(s!.accessToken)).toMatchObject({ sub: 'alice', aud: AUDIENCE });
    expect(s!.refreshToken).toBeTruthy();
    expect(login.out + login.err).not.toContain(s!.accessToken);

    await pinRelay(state);
    const printed = await tno(['print', doc, '--printer', relay.uri, '--ca', caFile, '--state', state, '--json'], {}, dir);
    expect(printed.code, printed.err).toBe(ExitCode.ok);
    // The relay knows the job as alice's (the token's sub): her status request is served.
    const jobs = await tno(['status', String(JSON.parse(printed.out).jobId), '--printer', relay.uri, '--ca', caFile, '--state', state, '--json'], {}, dir);
    expect(jobs.code, jobs.err).toBe(ExitCode.ok);
    expect(JSON.parse(jobs.out)).toMatchObject({ state: expect.any(String) });
    // No token in anything the relay or tno wrote (the relay logs every request here).
    for (const text of [printed.out, printed.err, jobs.out, relay.stderr()]) expect(text).not.toContain(saved(state)[0]!.accessToken.split('.')[2]);
  }, 60_000);

  it('browser grant: $BROWSER gets the authorization URL (PKCE S256, state, 127.0.0.1 ephemeral port); a forged callback is refused; the real one signs in', async () => {
    const state = join(dir, 'state-browser');
    const opened = join(dir, 'opened-url');
    const browser = join(dir, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(browser, 0o755);
    let acting: Promise<{ url: string; status: number; body: string }> | undefined;
    let forged: Promise<number> | undefined;
    let url: URL | undefined;
    const login = await tnoLive(['login', '--issuer', issuer.issuer, '--printer', relay.uri, '--ca', caFile, '--browser', '--scope', SCOPE, '--resource', AUDIENCE, '--state', state], { BROWSER: browser }, () => {
      if (acting) return;
      acting = (async () => {
        for (let i = 0; i < 100 && !existsSync(opened); i++) await new Promise((r) => setTimeout(r, 50));
        url = new URL(readFileSync(opened, 'utf8'));
        const redirect = url.searchParams.get('redirect_uri')!;
        forged = fetch(`${redirect}?code=stolen&state=not-the-one`).then((r) => r.status);
        await forged;
        return actAsUser(url.href, { login: 'alice', password: 'any' });
      })();
    });
    expect(login.code, login.err).toBe(ExitCode.ok);
    const last = await acting!;
    expect(await forged).toBe(400);
    expect(url!.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url!.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url!.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const redirect = new URL(url!.searchParams.get('redirect_uri')!);
    expect(redirect.hostname).toBe('127.0.0.1');
    expect(Number(redirect.port)).toBeGreaterThan(0);
    expect(last.url.startsWith(redirect.origin)).toBe(true);
    expect(last.body).toMatch(/Signed in/);
    expect(login.err).toContain('Sign in with your browser:');
    expect(statSync(tokensFile(state)).mode & 0o777).toBe(0o600);
    expect(claimsOf(saved(state)[0]!.accessToken)).toMatchObject({ sub: 'alice', scope: expect.stringContaining(SCOPE) });
  }, 60_000);

  it('a short-lived access token is refreshed with the refresh token before it expires, and tno print still works', async () => {
    const state = join(dir, 'state-browser');
    const before = saved(state)[0]!;
    await pinRelay(state);
    // Past half the 6 s lifetime: the next command must refresh first.
    await new Promise((r) => setTimeout(r, Math.max(0, before.expiresAt - 3000 - Date.now()) + 200));
    const printed = await tno(['print', doc, '--printer', relay.uri, '--ca', caFile, '--state', state], {}, dir);
    expect(printed.code, printed.err).toBe(ExitCode.ok);
    const after = saved(state)[0]!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.expiresAt).toBeGreaterThan(before.expiresAt);
    expect(claimsOf(after.accessToken).exp).toBeGreaterThan(claimsOf(before.accessToken).exp);
    expect(statSync(tokensFile(state)).mode & 0o777).toBe(0o600);
    // Once the old token is past its expiry the new one still works (another refresh if needed).
    await new Promise((r) => setTimeout(r, Math.max(0, before.expiresAt - Date.now()) + 200));
    const jobs = await tno(['jobs', '--printer', relay.uri, '--ca', caFile, '--state', state], {}, dir);
    expect(jobs.code, jobs.err).toBe(ExitCode.ok);
  }, 60_000);

  it('two commands refreshing at once use one refresh (the provider rotates refresh tokens; a second use would revoke the sign-in)', async () => {
    const state = join(dir, 'state-browser');
    const before = saved(state)[0]!;
    await new Promise((r) => setTimeout(r, Math.max(0, before.expiresAt - 3000 - Date.now()) + 200));
    const both = await Promise.all([0, 1].map(() => tno(['jobs', '--printer', relay.uri, '--ca', caFile, '--state', state], {}, dir)));
    for (const r of both) expect(r.code, r.err).toBe(ExitCode.ok);
    const after = saved(state)[0]!;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    // The sign-in is still alive at the issuer: the next refresh works too.
    await new Promise((r) => setTimeout(r, Math.max(0, after.expiresAt - 3000 - Date.now()) + 200));
    const later = await tno(['jobs', '--printer', relay.uri, '--ca', caFile, '--state', state], {}, dir);
    expect(later.code, later.err).toBe(ExitCode.ok);
  }, 60_000);

  it('the client library: print() without credentials uses the sign-in saved for that printer', async () => {
    const state = join(dir, 'state-browser');
    const r = await print({ printer: relay.uri, tls: { ca: readFileSync(caFile) }, documents: [{ path: doc }], trust: { stateDir: state }, wait: false });
    expect(r.jobId).toBeGreaterThan(0);
    // Another state directory has no sign-in: the same call is refused.
    await expect(print({ printer: relay.uri, tls: { ca: readFileSync(caFile) }, documents: [{ path: doc }], trust: { stateDir: join(dir, 'state-nobody'), firstUse: 'accept' }, wait: false })).rejects.toMatchObject({ code: 'CLIENT_AUTH_REQUIRED' });
  });

  it('tno logout removes the saved tokens (and revokes the refresh token); the relay then refuses', async () => {
    const state = join(dir, 'state-browser');
    const { refreshToken } = saved(state)[0]!;
    const out = await tno(['logout', '--printer', relay.uri, '--state', state], {}, dir);
    expect(out.code, out.err).toBe(ExitCode.ok);
    expect(out.out).toMatch(/signed out of http:\/\/127\.0\.0\.1/);
    expect(existsSync(tokensFile(state))).toBe(false);
    const refused = await fetch(`${issuer.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken!, client_id: 'tno' }).toString() });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_grant');
    const jobs = await tno(['jobs', '--printer', relay.uri, '--ca', caFile, '--state', state], {}, dir);
    expect(jobs.code).toBe(ExitCode.failure);
    expect(jobs.err).toMatch(/tno login/);
  }, 30_000);
});

describe('issue 19: where tokens may go', () => {
  it('tno login refuses to bind a token to a printer reached without TLS (it would cross the network readable)', async () => {
    const r = await tnoLive(['login', '--issuer', issuer.issuer, '--printer', 'ipp://printer.example/ipp/print', '--device', '--state', join(dir, 'state-plain')], {});
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/only over TLS; sign in for ipps:\/\/printer.example\/ipp\/print/);
  });
});

describe('issue 19: device codes that expire', () => {
  it('expired_token from the issuer ends tno login with one line and nothing saved', async () => {
    const short = await startIssuer({ deviceCodeTTL: 2 });
    try {
      const state = join(dir, 'state-expired');
      const r = await tnoLive(['login', '--issuer', short.issuer, '--printer', 'ipps://127.0.0.1:1/ipp/print', '--device', '--state', state], {});
      expect(r.code).toBe(ExitCode.failure);
      expect(r.err).toMatch(/expired before it was entered: run tno login again/);
      expect(existsSync(tokensFile(state))).toBe(false);
    } finally {
      await short.close();
    }
  }, 30_000);
});
