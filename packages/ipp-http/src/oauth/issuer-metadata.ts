/**
 * Where an OAuth 2.0 issuer keeps its endpoints and keys: its authorization server metadata
 * (RFC 8414 §3), with OpenID Connect discovery as the fallback. Shared by the servers (the JWKS that
 * verifies bearer tokens) and the clients (token, device and authorization endpoints).
 */
import { IppTransportError } from '../errors.js';
import { readJsonBody } from './json-body.js';

export interface IssuerMetadata {
  readonly issuer: string;
  readonly jwks_uri?: string;
  readonly token_endpoint?: string;
  readonly authorization_endpoint?: string;
  /** RFC 8628 §4. */
  readonly device_authorization_endpoint?: string;
  /** RFC 7009 (RFC 8414 §2). */
  readonly revocation_endpoint?: string;
  readonly code_challenge_methods_supported?: readonly string[];
}

const ENDPOINTS = ['jwks_uri', 'token_endpoint', 'authorization_endpoint', 'device_authorization_endpoint', 'revocation_endpoint'] as const;

/**
 * RFC 8414 §2: the issuer is an https URL without query or fragment. Plain http is admitted only on
 * loopback (tests, a provider on the same host), where nothing crosses a network.
 */
export function checkIssuerUrl(issuer: string, what = 'issuer'): URL {
  let u: URL;
  try {
    u = new URL(issuer);
  } catch {
    throw new RangeError(`${what} ${JSON.stringify(issuer)}: expected an https URL`);
  }
  if (u.search || u.hash) throw new RangeError(`${what} ${issuer}: an issuer has no query or fragment (RFC 8414 §2)`);
  if (u.protocol === 'https:') return u;
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return u;
  throw new RangeError(`${what} ${issuer}: expected https (http only on a loopback address)`);
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/**
 * RFC 8414 §3: /.well-known/oauth-authorization-server inserted before the issuer's path, then
 * OpenID discovery. The metadata must name the very issuer asked about (RFC 8414 §3.3), and every
 * endpoint in it must itself be https (or loopback http), so a tampered document cannot send
 * tokens or codes elsewhere in clear.
 */
export async function discoverIssuer(issuer: string, fetchImpl: typeof fetch = fetch, required: readonly (typeof ENDPOINTS)[number][] = ['jwks_uri']): Promise<IssuerMetadata> {
  const u = checkIssuerUrl(issuer);
  const path = u.pathname.replace(/\/$/, '');
  const candidates = [new URL(`/.well-known/oauth-authorization-server${path}`, u.origin).href, `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`];
  let lastError: unknown;
  for (const url of candidates) {
    try {
      const res = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000), redirect: 'error' });
      if (!res.ok) {
        await res.body?.cancel();
        lastError = new Error(`${url}: HTTP ${res.status}`);
        continue;
      }
      const meta = (await readJsonBody(res, 64 * 1024, url)) as Record<string, unknown>;
      if (meta.issuer !== issuer) throw new Error(`${url} names issuer ${JSON.stringify(meta.issuer)}, not ${JSON.stringify(issuer)}`);
      for (const name of ENDPOINTS) {
        const value = meta[name];
        if (value === undefined) continue;
        if (typeof value !== 'string') throw new Error(`${url}: ${name} is not a string`);
        checkIssuerUrl(value, name);
      }
      for (const name of required) if (typeof meta[name] !== 'string') throw new Error(`${url} has no ${name}`);
      return meta as unknown as IssuerMetadata;
    } catch (err) {
      lastError = err;
    }
  }
  throw new IppTransportError('IPP_HTTP_OAUTH', `cannot discover the OAuth issuer ${issuer}: ${(lastError as Error)?.message ?? 'no metadata'}`, { cause: lastError });
}
