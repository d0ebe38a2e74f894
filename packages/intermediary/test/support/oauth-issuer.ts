/**
 * A real OAuth 2.0 / OpenID Connect provider (oidc-provider) on loopback for the bearer-token
 * tests: RFC 8414 / OIDC discovery, a JWKS, and JWT access tokens (RFC 9068) from the client
 * credentials grant. The test holds the signing keys, so it can also mint tokens the provider
 * would never issue (expired, wrong audience, ...) under a key the provider really publishes, and
 * rotate the keys while the server under test keeps running.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

export const AUDIENCE = 'https://printing.example/ipp';
export const SCOPE = 'print';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  readonly jwk: JWK;
}

export async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  return { kid, privateKey, jwk };
}

export interface Issuer {
  readonly issuer: string;
  keys: SigningKey[];
  /** Publishes a new key set (a provider restart with rotated keys, same address). */
  rotate(keys: SigningKey[]): void;
  /** A token from the provider itself: client credentials grant. */
  clientCredentialsToken(clientId: string, scope?: string): Promise<string>;
  /** A token minted with one of the published keys, claims as given. */
  mint(claims: JWTPayload, header?: { typ?: string; kid?: string; key?: SigningKey }): Promise<string>;
  close(): Promise<void>;
}

export interface IssuerOptions {
  /** Seconds an access token lives (default 300). */
  readonly accessTokenTTL?: number;
  /** Seconds a device code lives (RFC 8628 expires_in; provider default 600). */
  readonly deviceCodeTTL?: number;
  /** Answer the first N token requests with slow_down (RFC 8628 §3.5) before the provider sees them (device-flow tests only). */
  readonly slowDownPolls?: number;
}

/** The public client `tno login` uses by default (RFC 8252 native app: loopback redirect, any port). */
export const LOGIN_CLIENT = {
  client_id: 'tno',
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
  redirect_uris: ['http://127.0.0.1/callback'],
  id_token_signed_response_alg: 'ES256',
};

export async function startIssuer(options: IssuerOptions = {}): Promise<Issuer & { readonly tokenRequests: readonly number[] }> {
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const pollTimes: number[] = [];
  let slowDowns = options.slowDownPolls ?? 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/token') pollTimes.push(Date.now());
    if (req.method === 'POST' && req.url === '/token' && slowDowns > 0) {
      // The test sets this only where every early token request is a device-code poll.
      slowDowns--;
      req.resume().on('end', () => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'slow_down', error_description: 'poll less often' })));
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients = [...['alice', 'bob', 'device-1'].map((id) => ({ client_id: id, client_secret: `${id}-secret-0123456789abcdef`, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], id_token_signed_response_alg: 'ES256' })), LOGIN_CLIENT];
  const build = (keys: SigningKey[]): void => {
    const provider = new Provider(issuer, {
      clients,
      jwks: { keys: keys.map((k) => k.jwk) },
      scopes: ['openid', 'offline_access', SCOPE],
      // The provider's own sign-in and consent pages (any login name): the tests play the user on
      // them over HTTP as a browser would.
      ...(options.deviceCodeTTL ? { ttl: { DeviceCode: options.deviceCodeTTL } } : {}),
      features: {
        devInteractions: { enabled: true },
        deviceFlow: { enabled: true },
        revocation: { enabled: true },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => AUDIENCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({ scope: SCOPE, audience: AUDIENCE, accessTokenFormat: 'jwt', accessTokenTTL: options.accessTokenTTL ?? 300, jwt: { sign: { alg: 'ES256' } } }),
        },
      },
    });
    handler = provider.callback();
  };
  const state: Issuer & { readonly tokenRequests: readonly number[] } = {
    issuer,
    /** When each token endpoint request arrived (ms), slowed-down ones included. */
    tokenRequests: pollTimes,
    keys: [await newSigningKey('key-1')],
    rotate(keys) {
      state.keys = keys;
      build(keys);
    },
    async clientCredentialsToken(clientId, scope = SCOPE) {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clientId}-secret-0123456789abcdef`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: AUDIENCE }).toString(),
      });
      const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!body.access_token) throw new Error(`token endpoint: ${res.status} ${body.error}: ${body.error_description}`);
      return body.access_token;
    },
    async mint(claims, header = {}) {
      const key = header.key ?? state.keys[0]!;
      return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: header.kid ?? key.kid, typ: header.typ ?? 'at+jwt' }).sign(key.privateKey);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  build(state.keys);
  return state;
}
