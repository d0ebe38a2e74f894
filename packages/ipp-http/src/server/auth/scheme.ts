/**
 * One HTTP authentication scheme (RFC 9110 §11): how its credentials are checked and how it
 * challenges a client. The authenticator (authenticator.ts) picks the scheme the Authorization
 * header names and answers 401 with every scheme's challenge when none succeeds.
 */
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal.js';

/**
 * A refusal with the detail the scheme wants in its challenge (RFC 6750 §3.1 error codes for
 * Bearer). `status` 403 is insufficient_scope: the credentials are fine but not enough; 400 is
 * invalid_request: what was sent is not a credential at all (RFC 6750 §3.1).
 */
export class AuthRefused extends Error {
  readonly error: string | undefined;
  readonly status: 400 | 401 | 403;
  /** A scope the request would need (RFC 6750 §3: scope attribute of the challenge). */
  readonly scope: string | undefined;
  constructor(message: string, options: { error?: string; status?: 400 | 401 | 403; scope?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuthRefused';
    this.error = options.error;
    this.status = options.status ?? 401;
    this.scope = options.scope;
  }
}

export interface AuthScheme {
  /** The auth-scheme token, compared case-insensitively (RFC 9110 §11.1). */
  readonly name: string;
  /** The WWW-Authenticate challenge (RFC 9110 §11.6.1), with the refusal's detail when there is one. */
  challenge(realm: string, refusal?: AuthRefused): string;
  /**
   * Checks the credentials after the scheme name; resolves the principal, or throws AuthRefused
   * (or HttpAuthThrottled to answer 429 without checking).
   */
  authenticate(credentials: string, request: FastifyRequest): Promise<Principal>;
}

/** RFC 9110 §11.2 quoted-string, for realm and error_description values. */
export function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\x00-\x1f\x7f]/g, ' ')}"`;
}
