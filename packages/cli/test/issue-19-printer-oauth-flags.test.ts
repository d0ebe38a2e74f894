/**
 * Issue 19: `tno printer --tls --oauth-issuer URL` accepts the issuer's bearer tokens on the same
 * seam as the intermediary (RFC 6750, RFC 9068), refuses requests without one, owns jobs by the
 * token's user, and tells clients where to sign in (uri-authentication-supported oauth,
 * oauth-authorization-server-uri, oauth-authorization-scope). Tokens need TLS.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { ippRequest } from '@trustnoone/ipp-http';
import { request } from '../../intermediary/test/fixtures/client.js';
import { findAttribute, keywords, stringValue } from '../../intermediary/src/attrs.js';
import { GroupTag } from '@trustnoone/ipp';
import { AUDIENCE, SCOPE, startIssuer, type Issuer } from '../../intermediary/test/support/oauth-issuer.js';
import { startCliServer, type CliServer } from './support/cli-server.js';
import { tno } from './helpers.js';

let issuer: Issuer;
let printer: CliServer;
let dir: string;
let pin: string;

beforeAll(async () => {
  issuer = await startIssuer();
  dir = mkdtempSync(join(tmpdir(), 'tno-printer-oauth-'));
  const fp = await tno(['printer', '--show-tls-fingerprint', '--state', join(dir, 'printer')], {}, dir);
  expect(fp.code, fp.err).toBe(ExitCode.ok);
  pin = fp.out.trim();
  printer = await startCliServer(['printer', '--tls', '--port', '0', '--state', join(dir, 'printer'), '--oauth-issuer', issuer.issuer, '--oauth-audience', AUDIENCE, '--oauth-scope', SCOPE, '--verbose']);
}, 60_000);
afterAll(async () => {
  await printer?.stop();
  await issuer?.close();
});

describe('issue 19: tno printer --oauth-issuer', () => {
  it('refuses a request without a token (401) and serves one with the issuer token, advertising where to sign in', async () => {
    expect(printer.uri).toMatch(/^ipps:/);
    await expect(ippRequest(printer.uri, request(0x000b, printer.uri), { tls: { pinSha256: pin } })).rejects.toMatchObject({ code: 'IPP_HTTP_AUTH_REQUIRED' });
    const r = await ippRequest(printer.uri, request(0x000b, printer.uri), { tls: { pinSha256: pin }, auth: { bearer: await issuer.clientCredentialsToken('alice') } });
    r.data.resume();
    expect(r.message.code).toBe(0);
    expect(keywords(findAttribute(r.message, GroupTag.printer, 'uri-authentication-supported'))).toContain('oauth');
    expect(stringValue(findAttribute(r.message, GroupTag.printer, 'oauth-authorization-server-uri'))).toBe(issuer.issuer);
    expect(stringValue(findAttribute(r.message, GroupTag.printer, 'oauth-authorization-scope'))).toBe(SCOPE);
  });

  it('tno print with $TNO_TOKEN: the job belongs to the token user, another token user cannot cancel it', async () => {
    const doc = join(dir, 'memo.txt');
    writeFileSync(doc, 'memo\n');
    const state = join(dir, 'client');
    const alice = { TNO_TOKEN: await issuer.clientCredentialsToken('alice') };
    const printed = await tno(['print', doc, '-p', printer.uri, '--pin', pin, '--state', state, '--trust-on-first-use', '--no-wait', '--json'], alice, dir);
    expect(printed.code, printed.err).toBe(ExitCode.ok);
    const { jobId } = JSON.parse(printed.out) as { jobId: number };
    const bob = await tno(['cancel', String(jobId), '-p', printer.uri, '--pin', pin, '--state', state, '--user', 'alice'], { TNO_TOKEN: await issuer.clientCredentialsToken('bob') }, dir);
    expect(bob.code).toBe(ExitCode.failure);
    expect(bob.err).toMatch(/not-authorized|not the owner/);
  });

  it('--oauth-issuer without --tls is a usage error (tokens only over TLS)', async () => {
    const r = await tno(['printer', '--port', '0', '--state', join(dir, 'p2'), '--oauth-issuer', issuer.issuer], {}, dir);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/needs --tls/);
  });
});
