/**
 * Who a request comes from, as the HTTP layer proved it. Servers map it onto their own notions
 * (the intermediary's roles, job ownership by name); the transport only carries it.
 */
export interface Principal {
  /** The user name jobs are owned by (RFC 8011 §9.3: the authenticated name wins over requesting-user-name). */
  readonly name: string;
  /** The scheme that proved it (RFC 9110 §11.1 auth-scheme, as registered: 'Basic', 'Bearer'). */
  readonly scheme: string;
  /** OAuth 2.0 scopes the credential carries (RFC 6749 §3.3); empty for a password. */
  readonly scopes: readonly string[];
  /**
   * The OAuth client the token was issued to (RFC 9068 §2.2 client_id). Equal to `name` for a
   * client credentials token, where the client acts for itself (RFC 9068 §2.2: sub then names it).
   */
  readonly clientId?: string;
  /** A server-defined role (the intermediary's users file: 'user' or 'operator'). */
  readonly role?: string;
}
