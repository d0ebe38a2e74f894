/**
 * RFC 8414 issuer metadata as the clients and servers read it: the document must name the issuer
 * asked about (§3.3), its endpoints must be https or loopback http, the answer is bounded, and a
 * token endpoint answer is checked before it is used (RFC 6749 §5.1, RFC 6750 §4). Served by a
 * loopback HTTP server per case.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkIssuerUrl, discoverIssuer, needsRefresh, requestToken } from '../src/client.js';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(handler: (base: string, req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<string> {
  let base = '';
  server = http.createServer((req, res) => handler(base, req, res));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  return base;
}

const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('RFC 8414 issuer metadata', () => {
  it('§3: reads /.well-known/oauth-authorization-server and returns the endpoints', async () => {
    const base = await serve((b, req, res) => (req.url === '/.well-known/oauth-authorization-server' ? json(res, 200, { issuer: b, jwks_uri: `${b}/jwks`, token_endpoint: `${b}/token` }) : json(res, 404, {})));
    expect(await discoverIssuer(base, fetch, ['token_endpoint'])).toMatchObject({ issuer: base, token_endpoint: `${base}/token` });
  });

  it('§3.3: metadata naming another issuer is refused', async () => {
    const base = await serve((_b, _req, res) => json(res, 200, { issuer: 'https://evil.example', jwks_uri: 'https://evil.example/jwks' }));
    await expect(discoverIssuer(base)).rejects.toThrow(/names issuer "https:\/\/evil.example"/);
    await expect(discoverIssuer(base)).rejects.toMatchObject({ code: 'IPP_HTTP_OAUTH' });
  });

  it('an endpoint over http to a non-loopback host is refused (codes and tokens would travel in clear)', async () => {
    const base = await serve((b, _req, res) => json(res, 200, { issuer: b, jwks_uri: `${b}/jwks`, token_endpoint: 'http://login.example/token' }));
    await expect(discoverIssuer(base)).rejects.toThrow(/token_endpoint http:\/\/login.example\/token: expected https/);
  });

  it('a metadata answer larger than 64 KiB is refused', async () => {
    const base = await serve((b, _req, res) => json(res, 200, { issuer: b, jwks_uri: `${b}/jwks`, pad: 'x'.repeat(70_000) }));
    await expect(discoverIssuer(base)).rejects.toThrow(/larger than 65536 bytes/);
  });

  it('§2: the issuer itself is https, or http only on loopback, without query or fragment', () => {
    expect(() => checkIssuerUrl('http://login.example')).toThrow(RangeError);
    expect(() => checkIssuerUrl('https://login.example/?tenant=1')).toThrow(/no query or fragment/);
    expect(checkIssuerUrl('https://login.example/realms/print').href).toBe('https://login.example/realms/print');
    expect(checkIssuerUrl('http://127.0.0.1:8080').href).toBe('http://127.0.0.1:8080/');
  });
});

describe('RFC 6749 §5 token endpoint answers', () => {
  it('§5.1: a Bearer answer is taken with its absolute expiry; §5.2: an error keeps its code', async () => {
    let n = 0;
    const base = await serve((_b, req, res) => {
      req.resume();
      n++;
      if (n === 1) return json(res, 200, { access_token: 'abc.def.ghi', token_type: 'Bearer', expires_in: 120, refresh_token: 'r1' });
      if (n === 2) return json(res, 200, { access_token: 'abc', token_type: 'DPoP', expires_in: 120 });
      return json(res, 400, { error: 'invalid_grant', error_description: 'refresh token revoked' });
    });
    const t = await requestToken(`${base}/token`, { grant_type: 'x' }, { what: 'test', now: () => 1_000_000 });
    expect(t).toMatchObject({ accessToken: 'abc.def.ghi', refreshToken: 'r1', issuedAt: 1_000_000, expiresAt: 1_120_000 });
    await expect(requestToken(`${base}/token`, { grant_type: 'x' }, { what: 'test' })).rejects.toThrow(/token_type "DPoP" is not Bearer/);
    await expect(requestToken(`${base}/token`, { grant_type: 'x' }, { what: 'test' })).rejects.toMatchObject({ code: 'IPP_HTTP_OAUTH', oauthError: 'invalid_grant' });
  });

  it('refresh before expiry: a minute ahead, or half the lifetime of a short-lived token', () => {
    const long = { issuedAt: 0, expiresAt: 3_600_000 };
    expect(needsRefresh(long, 3_539_000)).toBe(false);
    expect(needsRefresh(long, 3_540_000)).toBe(true);
    const short = { issuedAt: 0, expiresAt: 6_000 };
    expect(needsRefresh(short, 2_999)).toBe(false);
    expect(needsRefresh(short, 3_000)).toBe(true);
  });
});
