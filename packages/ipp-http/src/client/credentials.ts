/**
 * What a client presents to a server that authenticates: a user name and password (RFC 7617
 * Basic) or an OAuth 2.0 access token (RFC 6750 Bearer). One type for every client in the
 * workspace (the tno client, the intermediary's upstream, the printer's proxy), so a new scheme
 * is added here once.
 */
export interface BasicCredentials {
  readonly user: string;
  readonly password: string;
}

export interface BearerCredentials {
  /** The access token, sent as is (RFC 6750 §2.1). */
  readonly bearer: string;
}

export type HttpCredentials = BasicCredentials | BearerCredentials;

/**
 * Credentials that may change between requests (an OAuth access token refreshed before it
 * expires): asked for anew before each request.
 */
export type CredentialSource = () => Promise<HttpCredentials>;

/** The Authorization header value for `credentials`. */
export function authorizationHeader(credentials: HttpCredentials): string {
  if ('bearer' in credentials) {
    // RFC 6750 §2.1 b64token: refuse what would break the header rather than send it.
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(credentials.bearer)) throw new RangeError('bearer token: expected RFC 6750 b64token characters');
    return `Bearer ${credentials.bearer}`;
  }
  return `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** Who the credentials name, for messages (never the secret). */
export function credentialsLabel(credentials: HttpCredentials | CredentialSource): string {
  if (typeof credentials === 'function') return 'the access token';
  return 'bearer' in credentials ? 'the access token' : `the password for user '${credentials.user}'`;
}
