/**
 * Review item 5, first half: `tno login` without --scope asked the issuer for no scope but
 * offline_access, so a printer that requires one (tno intermediary --oauth-scope) refused the
 * token. It must ask for the scope the printer advertises (docs/decisions.md D40): the scope of
 * the Bearer challenge its 401 carries when it admits nobody without a token (RFC 6750 §3), or its
 * oauth-authorization-scope attribute when it answers Get-Printer-Attributes. Both against
 * `tno intermediary --oauth-issuer ... --oauth-scope print` over ipps as shipped, and a real
 * provider (oidc-provider) whose sign-in is walked as a browser would.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, main } from '@trustnoone/cli';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { AUDIENCE, SCOPE, startIssuer, type Issuer } from '../../intermediary/test/support/oauth-issuer.js';
import { actAsUser } from '../../intermediary/test/support/oauth-user-agent.js';
import { startCliServer, type CliServer } from './support/cli-server.js';
import { tno } from './helpers.js';

let issuer: Issuer;
let printer: RunningPrinter;
let closed: CliServer;
let open: CliServer;
let dir: string;
let caFile: string;
let doc: string;

beforeAll(async () => {
  issuer = await startIssuer();
  dir = mkdtempSync(join(tmpdir(), 'tno-review-5-scope-'));
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  caFile = join(dir, 'cert.pem');
  const relay = (name: string, extra: string[]) =>
    startCliServer(['intermediary', '--upstream', printer.uri, '--port', '0', '--state', join(dir, name), '--tls-key', join(dir, 'key.pem'), '--tls-cert', caFile, '--oauth-issuer', issuer.issuer, '--oauth-audience', AUDIENCE, '--oauth-scope', SCOPE, ...extra]);
  // One admits nobody without a token (its 401 carries the scope); one answers anyone's
  // Get-Printer-Attributes (oauth-authorization-scope) and still wants the scope to print.
  [closed, open] = await Promise.all([relay('closed', []), relay('open', ['--anonymous'])]);
  doc = join(dir, 'memo.txt');
  writeFileSync(doc, 'memo\n');
}, 60_000);

afterAll(async () => {
  await closed?.stop();
  await open?.stop();
  await printer?.close();
  await issuer?.close();
  await rm(dir, { recursive: true, force: true });
});

async function login(relayUri: string, state: string): Promise<{ code: number; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  let acting: Promise<unknown> | undefined;
  stdout.resume();
  stderr.on('data', (d) => {
    err += d;
    const m = /open (\S+) and enter the code (\S+)/.exec(err);
    if (m && !acting) acting = actAsUser(m[1]!, { user_code: m[2]!, login: 'alice', password: 'any' });
  });
  const code = await main(['login', '--issuer', issuer.issuer, '--printer', relayUri, '--ca', caFile, '--device', '--resource', AUDIENCE, '--state', state], { stdout, stderr, stdin: new PassThrough(), cwd: dir, env: {} });
  await acting;
  return { code, err };
}

function savedScope(state: string): string {
  const [s] = JSON.parse(readFileSync(join(state, 'oauth', 'tokens.json'), 'utf8')).signIns as Array<{ accessToken: string }>;
  return (JSON.parse(Buffer.from(s!.accessToken.split('.')[1]!, 'base64url').toString()) as { scope: string }).scope;
}

async function printsWithTheToken(relayUri: string, state: string): Promise<void> {
  const fp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  const pinned = await tno(['trust', 'pin', '--printer', relayUri, '--ca', caFile, '--fingerprint', fp, '--state', state], {}, dir);
  expect(pinned.code, pinned.err).toBe(ExitCode.ok);
  const printed = await tno(['print', doc, '--printer', relayUri, '--ca', caFile, '--state', state, '--json'], {}, dir);
  expect(printed.code, printed.err).toBe(ExitCode.ok);
}

describe('review item 5: tno login without --scope asks for the scope the printer advertises', () => {
  it("from the Bearer challenge of a printer that admits nobody without a token; the token then prints", async () => {
    const state = join(dir, 'state-closed');
    const r = await login(closed.uri, state);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(savedScope(state).split(' ')).toContain(SCOPE);
    expect(r.err).toContain(`tno: asking for scope '${SCOPE}', which ${closed.uri} advertises (its Bearer challenge)`);
    await printsWithTheToken(closed.uri, state);
  }, 60_000);

  it('from the oauth-authorization-scope attribute of a printer that answers Get-Printer-Attributes', async () => {
    const state = join(dir, 'state-open');
    const r = await login(open.uri, state);
    expect(r.code, r.err).toBe(ExitCode.ok);
    expect(savedScope(state).split(' ')).toContain(SCOPE);
    expect(r.err).toContain(`tno: asking for scope '${SCOPE}', which ${open.uri} advertises (oauth-authorization-scope)`);
    await printsWithTheToken(open.uri, state);
  }, 60_000);
});
