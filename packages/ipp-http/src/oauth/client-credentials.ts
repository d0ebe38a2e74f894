/**
 * A machine's own access token (RFC 6749 §4.4 client credentials grant): what an INFRA output
 * device presents to the Infrastructure Printer. The source fetches a token when first asked and
 * again before it expires, so a long-running device never sends an expired one; concurrent callers
 * share one request.
 */
import { discoverIssuer, type IssuerMetadata } from './issuer-metadata.js';
import { needsRefresh, requestToken, type TokenSet } from './token-endpoint.js';
import type { BearerCredentials } from '../client/credentials.js';

export interface ClientCredentialsOptions {
  /** The issuer (RFC 8414); its token endpoint is found through its metadata. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scopes asked for (RFC 6749 §3.3), space-separated. */
  readonly scope?: string;
  /** RFC 8707 resource indicator: the audience the token is for. */
  readonly resource?: string;
  readonly fetch?: typeof fetch;
}

/** A credential source for ippRequest's `auth`: each call resolves a token that is still good. */
export function clientCredentialsSource(options: ClientCredentialsOptions): () => Promise<BearerCredentials> {
  let meta: Promise<IssuerMetadata> | undefined;
  let current: TokenSet | undefined;
  let pending: Promise<TokenSet> | undefined;
  const fetchToken = async (): Promise<TokenSet> => {
    meta ??= discoverIssuer(options.issuer, options.fetch, ['token_endpoint']);
    meta.catch(() => (meta = undefined));
    const m = await meta;
    return requestToken(
      m.token_endpoint!,
      { grant_type: 'client_credentials', scope: options.scope, resource: options.resource },
      { client: { clientId: options.clientId, clientSecret: options.clientSecret }, ...(options.fetch ? { fetch: options.fetch } : {}), what: `client credentials for ${options.clientId}` },
    );
  };
  return async () => {
    if (!current || needsRefresh(current)) {
      pending ??= fetchToken().finally(() => (pending = undefined));
      current = await pending;
    }
    return { bearer: current.accessToken };
  };
}
