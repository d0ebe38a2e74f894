/**
 * RFC 7617 Basic: a user name and password checked by the server's `verify`, with repeated
 * failures slowed per user and per address (failure-throttle.ts). Failures are logged with the
 * user and the address, never the password.
 */
import type { FastifyRequest } from 'fastify';
import { HttpAuthThrottled } from '../../errors.js';
import { FailureThrottle, type FailureThrottleOptions, type SignInThrottle } from './failure-throttle.js';
import type { Principal } from './principal.js';
import { AuthRefused, quoted, type AuthScheme } from './scheme.js';

export interface BasicSchemeOptions {
  /** The principal for a right user name and password, undefined for a wrong one. */
  readonly verify: (user: string, password: string) => Promise<Principal | undefined>;
  /** Slow-down settings (defaults in FailureThrottle), or false for none (tests of the checker itself). */
  readonly throttle?: FailureThrottleOptions | false;
  /** Counts kept elsewhere (a database several server instances share); replaces the in-memory one. */
  readonly sharedThrottle?: SignInThrottle;
}

/** RFC 7617 §2: base64 of user-id ":" password; the user-id cannot contain a colon. */
export function parseBasicCredentials(token68: string): { user: string; password: string } | undefined {
  if (!/^[A-Za-z0-9+/=]{1,1024}$/.test(token68)) return undefined;
  const decoded = Buffer.from(token68, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function basicScheme(options: BasicSchemeOptions): AuthScheme {
  const throttle: SignInThrottle | undefined = options.throttle === false ? undefined : (options.sharedThrottle ?? new FailureThrottle(options.throttle));
  return {
    name: 'Basic',
    challenge: (realm) => `Basic realm=${quoted(realm)}, charset="UTF-8"`,
    async authenticate(credentials: string, request: FastifyRequest): Promise<Principal> {
      const creds = parseBasicCredentials(credentials);
      if (!creds) throw new AuthRefused('malformed Basic credentials');
      const address = request.ip;
      const closed = await throttle?.check(creds.user, address);
      if (closed) {
        request.log.info({ user: creds.user, address, by: closed.by, retryAfterMs: closed.retryAfterMs }, 'auth: sign-in refused unchecked after repeated failures');
        throw new HttpAuthThrottled(closed.retryAfterMs);
      }
      const who = await options.verify(creds.user, creds.password);
      if (!who) {
        const failures = await throttle?.failure(creds.user, address);
        request.log.warn({ user: creds.user, address, failures }, 'auth: wrong user name or password');
        throw new AuthRefused('wrong user name or password');
      }
      await throttle?.success(creds.user, address);
      return who;
    },
  };
}
