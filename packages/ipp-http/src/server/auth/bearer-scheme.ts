/**
 * RFC 6750 Bearer with JWT access tokens (RFC 9068), checked against the issuer's keys found
 * through its metadata (RFC 8414 §3, falling back to OpenID Connect discovery). jose does the JWS
 * and claim checks; this file decides what is acceptable:
 *
 * - only asymmetric algorithms, so `alg: none` and an HS256 token "signed" with the public key
 *   are refused before any key is looked at (RFC 8725 §3.1, §3.2);
 * - `typ` must be `at+jwt` (RFC 9068 §4), so an ID token cannot pass for an access token;
 * - iss, aud, exp (and nbf when present) are checked with a small clock tolerance;
 * - every configured scope must be granted (else 403 insufficient_scope, RFC 6750 §3.1);
 * - the user is the configured claim (default `sub`).
 *
 * Keys come from the JWKS the metadata names; jose refetches it when a token carries a `kid` it
 * does not know (rate-limited), so a rotated key is picked up without a restart, and a `kid` the
 * issuer does not publish is refused.
 */
// jose is loaded when a bearer scheme is first used, so a server without OAuth (and the blind
// intermediary's static import graph) carries no JOSE code at all.
import type { createRemoteJWKSet as CreateRemoteJWKSet, JWTPayload } from 'jose';
import type { Principal } from './principal.js';
import { AuthRefused, quoted, type AuthScheme } from './scheme.js';
import { discoverIssuer, type IssuerMetadata } from '../../oauth/issuer-metadata.js';

export { discoverIssuer, type IssuerMetadata };

export interface BearerSchemeOptions {
  /** The issuer identifier (RFC 8414 §2), exactly as the tokens' `iss`. */
  readonly issuer: string;
  /** The audience this server accepts (`aud`, RFC 9068 §2.2: the resource indicator). */
  readonly audience: string;
  /** Scopes every token must carry (RFC 6749 §3.3). */
  readonly requiredScopes?: readonly string[];
  /** The claim naming the user (default `sub`; e.g. `preferred_username`, `email`). */
  readonly userClaim?: string;
  /** Accepted signature algorithms (default: RS256, PS256, ES256, ES384, EdDSA). */
  readonly algorithms?: readonly string[];
  /** Seconds of clock skew tolerated on exp/nbf/iat (default 30). */
  readonly clockToleranceSec?: number;
  /** Least time between two JWKS fetches for unknown keys (default 30 s; tests shorten it). */
  readonly jwksCooldownMs?: number;
  /** Fetch for discovery (tests); default global fetch. */
  readonly fetch?: typeof fetch;
}

const ASYMMETRIC = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;

export function bearerScheme(options: BearerSchemeOptions): AuthScheme & { metadata(): Promise<IssuerMetadata> } {
  const algorithms = [...(options.algorithms ?? ASYMMETRIC)];
  if (algorithms.some((a) => a === 'none' || a.startsWith('HS'))) throw new RangeError('bearerScheme: only asymmetric algorithms may verify access tokens');
  const scopes = options.requiredScopes ?? [];
  const userClaim = options.userClaim ?? 'sub';
  let keys: Promise<{ meta: IssuerMetadata; jwks: ReturnType<typeof CreateRemoteJWKSet>; jose: typeof import('jose') }> | undefined;
  const load = () => {
    keys ??= Promise.all([discoverIssuer(options.issuer, options.fetch), import('jose')]).then(([meta, jose]) => ({
      meta,
      jose,
      jwks: jose.createRemoteJWKSet(new URL(meta.jwks_uri!), { cooldownDuration: options.jwksCooldownMs ?? 30_000, timeoutDuration: 10_000 }),
    }));
    // A failed discovery is retried on the next request rather than remembered.
    keys.catch(() => (keys = undefined));
    return keys;
  };

  return {
    name: 'Bearer',
    metadata: async () => (await load()).meta,
    challenge(realm, refusal) {
      const parts = [`realm=${quoted(realm)}`];
      if (scopes.length > 0) parts.push(`scope=${quoted(scopes.join(' '))}`);
      if (refusal?.error) parts.push(`error=${quoted(refusal.error)}`, `error_description=${quoted(refusal.message)}`);
      return `Bearer ${parts.join(', ')}`;
    },
    async authenticate(token: string): Promise<Principal> {
      // RFC 6750 §2.1 b64token; anything else is not a token at all.
      if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token) || token.length > 16_384) throw new AuthRefused('malformed bearer token', { error: 'invalid_request', status: 400 });
      let payload: JWTPayload;
      let jose: typeof import('jose') | undefined;
      try {
        const loaded = await load();
        jose = loaded.jose;
        ({ payload } = await jose.jwtVerify(token, loaded.jwks, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms,
          typ: 'at+jwt',
          clockTolerance: options.clockToleranceSec ?? 30,
          requiredClaims: ['exp', 'iat', 'sub'],
        }));
      } catch (err) {
        throw new AuthRefused(jose ? describe(jose.errors, err) : 'the token cannot be checked now (issuer metadata unavailable)', { error: 'invalid_token', cause: err });
      }
      const granted = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      const missing = scopes.filter((s) => !granted.includes(s));
      if (missing.length > 0) throw new AuthRefused(`the token lacks scope ${missing.join(' ')}`, { error: 'insufficient_scope', status: 403, scope: scopes.join(' ') });
      const user = payload[userClaim];
      if (typeof user !== 'string' || user.length === 0 || user.length > 255) throw new AuthRefused(`the token has no usable ${userClaim} claim`, { error: 'invalid_token' });
      const clientId = typeof payload.client_id === 'string' && payload.client_id.length <= 255 ? payload.client_id : undefined;
      return { name: user, scheme: 'Bearer', scopes: granted, ...(clientId !== undefined ? { clientId } : {}) };
    },
  };
}

/** What the client may learn about why its token failed: the check, not the token's content. */
function describe(joseErrors: typeof import('jose').errors, err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `the token's ${err.claim} claim is not acceptable`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'the token is not signed with an accepted algorithm';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'the token is signed with a key the issuer does not publish';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (err instanceof joseErrors.JOSEError) return 'the token is not a valid JWT access token';
  return 'the token cannot be checked now (issuer keys unavailable)';
}
