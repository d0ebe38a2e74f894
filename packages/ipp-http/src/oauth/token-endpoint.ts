/**
 * One request to an OAuth 2.0 endpoint that answers JSON (token endpoint RFC 6749 §3.2, device
 * authorization endpoint RFC 8628 §3.1): form-encoded POST, optional client_secret_basic
 * authentication, bounded answer, the issuer's error code kept for the caller (a device-flow poll
 * must tell authorization_pending from access_denied). Tokens never appear in messages.
 */
import { IppTransportError } from '../errors.js';
import { readJsonBody } from './json-body.js';

export interface ClientSecret {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** What a token endpoint issued, with the expiry made absolute (ms since the epoch). */
export interface TokenSet {
  readonly accessToken: string;
  readonly tokenType: string;
  /** When the access token was received. */
  readonly issuedAt: number;
  /** issuedAt + expires_in; when the issuer gives no lifetime, an hour (RFC 6749 §5.1 leaves it open). */
  readonly expiresAt: number;
  readonly refreshToken?: string;
  readonly scope?: string;
}

const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded. */
function basicAuth(c: ClientSecret): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(c.clientId)}:${enc(c.clientSecret)}`).toString('base64')}`;
}

/** POSTs `form` to `endpoint` and returns the JSON answer of a 2xx, or throws IPP_HTTP_OAUTH with the issuer's error. */
export async function postForm(endpoint: string, form: Record<string, string | undefined>, options: { client?: ClientSecret; fetch?: typeof fetch; what: string }): Promise<Record<string, unknown>> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) if (v !== undefined) body.set(k, v);
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...(options.client ? { authorization: basicAuth(options.client) } : {}) },
      body: body.toString(),
      redirect: 'error',
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new IppTransportError('IPP_HTTP_OAUTH', `${options.what}: cannot reach ${endpoint} (${(err as Error).message})`, { cause: err });
  }
  let json: Record<string, unknown>;
  try {
    const parsed = await readJsonBody(res, 64 * 1024, endpoint);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${endpoint}: the answer is not a JSON object`);
    json = parsed as Record<string, unknown>;
  } catch (err) {
    throw new IppTransportError('IPP_HTTP_OAUTH', `${options.what}: ${(err as Error).message} (HTTP ${res.status})`, { cause: err, httpStatus: res.status });
  }
  if (!res.ok) {
    // RFC 6749 §5.2: error is an ASCII code; error_description is for people, shown bounded.
    const error = typeof json.error === 'string' && /^[\x20-\x7e]{1,64}$/.test(json.error) ? json.error : undefined;
    const description = typeof json.error_description === 'string' ? json.error_description.slice(0, 200).replace(/[^\x20-\x7e]/g, '?') : '';
    throw new IppTransportError('IPP_HTTP_OAUTH', `${options.what}: the issuer answered HTTP ${res.status}${error ? ` ${error}` : ''}${description ? `: ${description}` : ''}`, {
      httpStatus: res.status,
      ...(error ? { oauthError: error } : {}),
    });
  }
  return json;
}

/** A token endpoint request (RFC 6749 §4.1.3, §4.4.2, §6; RFC 8628 §3.4) and its checked answer (§5.1). */
export async function requestToken(endpoint: string, form: Record<string, string | undefined>, options: { client?: ClientSecret; fetch?: typeof fetch; what: string; now?: () => number }): Promise<TokenSet> {
  const json = await postForm(endpoint, form, options);
  const issuedAt = (options.now ?? Date.now)();
  const { access_token: access, token_type: type, expires_in: expiresIn, refresh_token: refresh, scope } = json;
  if (typeof access !== 'string' || access.length > 16_384 || !B64TOKEN.test(access)) throw new IppTransportError('IPP_HTTP_OAUTH', `${options.what}: the issuer's answer has no usable access_token`);
  // RFC 6750 §4: only bearer tokens are sent as they are; anything else (DPoP, MAC) needs more.
  if (typeof type !== 'string' || type.toLowerCase() !== 'bearer') throw new IppTransportError('IPP_HTTP_OAUTH', `${options.what}: token_type ${JSON.stringify(type)} is not Bearer`);
  const lifetime = typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? Math.min(expiresIn, 366 * 86400) : 3600;
  if (refresh !== undefined && (typeof refresh !== 'string' || refresh.length === 0 || refresh.length > 16_384)) throw new IppTransportError('IPP_HTTP_OAUTH', `${options.what}: the issuer's refresh_token is unusable`);
  return {
    accessToken: access,
    tokenType: 'Bearer',
    issuedAt,
    expiresAt: issuedAt + lifetime * 1000,
    ...(typeof refresh === 'string' ? { refreshToken: refresh } : {}),
    ...(typeof scope === 'string' ? { scope: scope.slice(0, 1024) } : {}),
  };
}

/**
 * True once the access token should be replaced: within a minute of its expiry, or past half its
 * lifetime for a token that lives less than two minutes (so a short-lived token is still used
 * before it is refreshed, and never sent after it expired).
 */
export function needsRefresh(tokens: Pick<TokenSet, 'issuedAt' | 'expiresAt'>, now: number = Date.now()): boolean {
  const margin = Math.min(60_000, (tokens.expiresAt - tokens.issuedAt) / 2);
  return now >= tokens.expiresAt - margin;
}
