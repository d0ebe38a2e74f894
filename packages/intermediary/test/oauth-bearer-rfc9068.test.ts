/**
 * Issue 19: OAuth 2.0 bearer tokens (RFC 6750) on the intermediary, validated as JWT access tokens
 * (RFC 9068) against a real provider (oidc-provider) started on loopback: discovery (RFC 8414 /
 * OIDC), its JWKS, a token from its client credentials grant; each refusal the issue lists, key
 * rotation without a restart, the RFC 6750 challenge, and the IPP attributes that say where to
 * sign in.
 */
import { createPublicKey } from 'node:crypto';
import https from 'node:https';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTag } from '@trustnoone/ipp';
import { ippRequest, IppTransportError } from '@trustnoone/ipp-http';
import { startIntermediary, type RunningIntermediary } from '../src/index.js';
import { attr, findAttribute, integerValue, keywords, stringValue } from '../src/attrs.js';
import { startFakePrinter, type FakePrinter } from './fixtures/fake-printer.js';
import { envelopeShaped, request, sealedPrintJob } from './fixtures/client.js';
import { AUDIENCE, newSigningKey, SCOPE, startIssuer, type Issuer } from './support/oauth-issuer.js';
import { loopbackTls } from '../../../testing/loopback-tls.js';

/** Bearer tokens travel over TLS only, as `tno intermediary --tls-key/--tls-cert` serves them. */
const TLS = loopbackTls();
const PINNED = { pinSha256: TLS.pin };

let issuer: Issuer;
let printer: FakePrinter;
let inter: RunningIntermediary;
const now = (): number => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  issuer = await startIssuer();
  printer = await startFakePrinter();
  printer.completeAfterMs = 60_000;
  inter = await startIntermediary({
    stateDir: mkdtempSync(join(tmpdir(), 'tno-oauth-')),
    upstreams: [{ uri: printer.uri }],
    oauth: { issuer: issuer.issuer, audience: AUDIENCE, requiredScopes: [SCOPE], jwksCooldownMs: 0 },
    https: { key: TLS.key, cert: TLS.cert },
    port: 0,
    announce: () => {},
    handleSignals: false,
  });
});
afterAll(async () => {
  await inter?.close();
  await printer?.close();
  await issuer?.close();
});

/** A bodiless IPP POST over the intermediary's TLS (its self-signed certificate trusted as the CA): the raw HTTP answer. */
function post(headers: Record<string, string>): Promise<{ status: number; headers: Headers; arrayBuffer: () => Promise<ArrayBuffer> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(inter.uri.replace(/^ipps:/, 'https:'), { method: 'POST', headers: { 'content-type': 'application/ipp', 'content-length': '0', ...headers }, ca: TLS.cert, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: h, arrayBuffer: async () => new Uint8Array(body).buffer });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const claims = (over: Record<string, unknown> = {}) => ({ iss: issuer.issuer, aud: AUDIENCE, sub: 'alice', client_id: 'alice', scope: SCOPE, iat: now(), exp: now() + 300, jti: `j${Math.random()}`, ...over });

/** The raw HTTP answer to a bodiless IPP POST with this token: status and challenge. */
async function challengeFor(token: string): Promise<{ status: number; challenge: string }> {
  const res = await post({ authorization: `Bearer ${token}` });
  await res.arrayBuffer();
  return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '' };
}

async function gpa(token: string) {
  const r = await ippRequest(inter.uri, request(0x000b, inter.uri), { auth: { bearer: token }, tls: PINNED, timeoutMs: 10_000 });
  r.data.resume();
  return r.message;
}

describe('issue 19: bearer JWT access tokens (RFC 6750, RFC 9068) from a real issuer', () => {
  it('a token from the provider (client credentials) is accepted; the printer object says where to sign in', async () => {
    const token = await issuer.clientCredentialsToken('alice');
    const m = await gpa(token);
    expect(m.code).toBe(0);
    expect(keywords(findAttribute(m, GroupTag.printer, 'uri-authentication-supported'))).toEqual(['oauth']);
    expect(stringValue(findAttribute(m, GroupTag.printer, 'oauth-authorization-server-uri'))).toBe(issuer.issuer);
    expect(stringValue(findAttribute(m, GroupTag.printer, 'oauth-authorization-scope'))).toBe(SCOPE);
  });

  it('without a token: 401 with a Bearer challenge naming the realm and scope (RFC 6750 §3)', async () => {
    const res = await post({});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+", scope="print"/);
  });

  const refusals: Array<[string, () => Promise<string>, number, string]> = [
    ['expired', () => issuer.mint(claims({ iat: now() - 7200, exp: now() - 3600 })), 401, 'invalid_token'],
    ['not yet valid (nbf)', () => issuer.mint(claims({ nbf: now() + 3600 })), 401, 'invalid_token'],
    ['wrong issuer', () => issuer.mint(claims({ iss: 'https://evil.example' })), 401, 'invalid_token'],
    ['wrong audience', () => issuer.mint(claims({ aud: 'https://other.example/api' })), 401, 'invalid_token'],
    ['missing scope', () => issuer.mint(claims({ scope: 'openid' })), 403, 'insufficient_scope'],
    ['an ID token (typ JWT, not at+jwt)', () => issuer.mint(claims(), { typ: 'JWT' }), 401, 'invalid_token'],
    [
      'alg none',
      async () => {
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${enc({ alg: 'none', typ: 'at+jwt' })}.${enc(claims())}.`;
      },
      401,
      'invalid_token',
    ],
    [
      'HS256 signed with the public key as the secret',
      async () => {
        const pem = createPublicKey({ key: { ...issuer.keys[0]!.jwk, d: undefined }, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
        return new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: issuer.keys[0]!.kid }).sign(new TextEncoder().encode(String(pem)));
      },
      401,
      'invalid_token',
    ],
    ['a key the issuer does not publish', async () => issuer.mint(claims(), { key: await newSigningKey('key-unpublished') }), 401, 'invalid_token'],
  ];
  it('a malformed token (not an RFC 6750 b64token) is invalid_request with HTTP 400 (RFC 6750 §3.1)', async () => {
    const res = await post({ authorization: 'Bearer not*a*token' });
    await res.arrayBuffer();
    expect(res.status).toBe(400);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+".*error="invalid_request"/);
  });

  it('the challenge to a request without credentials carries no error code (RFC 6750 §3.1)', async () => {
    const res = await post({});
    await res.arrayBuffer();
    expect(res.headers.get('www-authenticate')).not.toMatch(/error=/);
  });

  for (const [what, token, status, error] of refusals) {
    it(`refuses ${what}: HTTP ${status}, error="${error}"`, async () => {
      const r = await challengeFor(await token());
      expect(r.status, what).toBe(status);
      expect(r.challenge, what).toMatch(new RegExp(`^Bearer realm="[^"]+".*error="${error}"`));
    });
  }

  it("refuses a token for another user acting on someone else's job (client-error-not-authorized)", async () => {
    const alice = await issuer.clientCredentialsToken('alice');
    const bob = await issuer.clientCredentialsToken('bob');
    const created = await ippRequest(inter.uri, sealedPrintJob(inter.uri, 'alice'), { auth: { bearer: alice }, tls: PINNED, data: envelopeShaped('sealed-bytes') });
    created.data.resume();
    expect(created.message.code).toBe(0);
    const jobId = integerValue(findAttribute(created.message, GroupTag.job, 'job-id'))!;
    const ask = (token: string) => ippRequest(inter.uri, request(0x0009, inter.uri, [attr.integer('job-id', jobId)]), { auth: { bearer: token }, tls: PINNED }).then((r) => (r.data.resume(), r.message.code));
    expect(await ask(alice)).toBe(0);
    expect(await ask(bob)).toBe(0x0403);
    const cancel = await ippRequest(inter.uri, request(0x0008, inter.uri, [attr.integer('job-id', jobId)]), { auth: { bearer: bob }, tls: PINNED });
    cancel.data.resume();
    expect(cancel.message.code).toBe(0x0403);
  });

  it('picks up a rotated key without a restart, and drops the retired one', async () => {
    const old = issuer.keys[0]!;
    const oldToken = await issuer.mint(claims());
    expect((await gpa(oldToken)).code).toBe(0);
    const next = await newSigningKey('key-2');
    issuer.rotate([next]);
    expect((await gpa(await issuer.mint(claims(), { key: next }))).code, 'token under the new key').toBe(0);
    expect((await gpa(await issuer.clientCredentialsToken('alice'))).code, 'provider token under the new key').toBe(0);
    // The old key is gone from the JWKS once it was refetched for key-2; its tokens now fail.
    const r = await challengeFor(await issuer.mint(claims(), { key: old }));
    expect(r.status).toBe(401);
  });

  it('a refused token reaches the client as IPP_HTTP_AUTH_REQUIRED', async () => {
    await expect(gpa(await issuer.mint(claims({ exp: now() - 3600, iat: now() - 7200 })))).rejects.toBeInstanceOf(IppTransportError);
  });
});
