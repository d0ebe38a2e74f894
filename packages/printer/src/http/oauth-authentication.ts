/**
 * The printer's OAuth 2.0 sign-in on the shared seam (ipp-http): RFC 6750 bearer tokens checked as
 * RFC 9068 JWT access tokens (docs/decisions.md D18), the same scheme the intermediary uses. Tokens
 * are accepted over TLS only (a token read on the wire can be replayed until it expires), or from
 * a loopback peer when the caller allows it for tests and demos.
 */
import { bearerScheme, httpAuthentication, type Authentication, type AuthScheme, type BearerSchemeOptions } from '@trustnoone/ipp-http';

const isLoopback = (address: string): boolean => address === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/i.test(address);

export function oauthAuthentication(options: BearerSchemeOptions, allowLoopbackCleartext: boolean): Authentication {
  return httpAuthentication({
    realm: 'trustnoone printer',
    allowAnonymous: false,
    credentialsAllowed: (request) => request.protocol === 'https' || (allowLoopbackCleartext && isLoopback(request.socket.remoteAddress ?? '')),
    schemes: [bearerScheme(options) as AuthScheme],
  });
}
