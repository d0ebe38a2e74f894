/**
 * The authentication seam both servers share: the Authorization header is matched to one of the
 * configured schemes (Basic, Bearer, ...), which proves a Principal; no header means anonymous
 * when the server allows it. Credentials over cleartext are refused unless the server says the
 * connection is private enough (TLS, or loopback in tests and demos). Used as a fastify onRequest
 * hook, so it runs before any body is read, by the IPP routes and by web pages alike.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpAuthRequired, HttpAuthThrottled, HttpServiceUnavailable } from '../../errors.js';
import type { Principal } from './principal.js';
import { AuthRefused, type AuthScheme } from './scheme.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook: who proved who they are, undefined for anonymous. */
    principal?: Principal;
  }
}

export interface AuthenticationOptions {
  readonly realm: string;
  readonly schemes: readonly AuthScheme[];
  /** Admit requests without an Authorization header (as anonymous). */
  readonly allowAnonymous: boolean;
  /**
   * Whether credentials may be sent on this connection (default: only over TLS). Credentials on a
   * connection that fails this are refused unchecked: they have already crossed the network readable.
   */
  readonly credentialsAllowed?: (request: FastifyRequest) => boolean;
}

export interface Authentication {
  readonly realm: string;
  readonly schemes: readonly AuthScheme[];
  /** The principal, undefined for anonymous; throws HttpAuthRequired (401) or HttpAuthThrottled (429). */
  authenticate(request: FastifyRequest): Promise<Principal | undefined>;
  /** An onRequest hook that sets request.principal and answers 401/429 itself. */
  readonly hook: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
}

export function httpAuthentication(options: AuthenticationOptions): Authentication {
  if (options.schemes.length === 0 && !options.allowAnonymous) throw new RangeError('httpAuthentication: no scheme configured and anonymous access refused: nobody could get in');
  const allowed = options.credentialsAllowed ?? ((r: FastifyRequest) => r.protocol === 'https');
  const challenges = (refusal?: AuthRefused, scheme?: AuthScheme): string[] =>
    options.schemes.map((s) => s.challenge(options.realm, s === scheme ? refusal : undefined));
  const required = (message: string, refusal?: AuthRefused, scheme?: AuthScheme): HttpAuthRequired =>
    new HttpAuthRequired(options.realm, message, { challenges: challenges(refusal, scheme), status: refusal?.status ?? 401 });

  async function authenticate(request: FastifyRequest): Promise<Principal | undefined> {
    const header = request.headers.authorization;
    if (header === undefined) {
      if (options.allowAnonymous) return undefined;
      throw required('authentication required');
    }
    const match = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?: +(.*))?$/.exec(header.trim());
    const scheme = match ? options.schemes.find((s) => s.name.toLowerCase() === match[1]!.toLowerCase()) : undefined;
    if (!scheme) throw required(`authentication scheme not supported here (use ${options.schemes.map((s) => s.name).join(' or ')})`);
    if (!allowed(request)) throw required('credentials over cleartext HTTP are refused; use ipps');
    try {
      return await scheme.authenticate(match![2]?.trim() ?? '', request);
    } catch (err) {
      if (err instanceof AuthRefused) throw required(err.message, err, scheme);
      throw err;
    }
  }

  return {
    realm: options.realm,
    schemes: options.schemes,
    authenticate,
    hook: async (request, reply) => {
      try {
        request.principal = await authenticate(request);
        return undefined;
      } catch (err) {
        if (err instanceof HttpAuthRequired) {
          reply.header('www-authenticate', [...err.challenges]);
          return reply.code(err.status).type('text/plain; charset=utf-8').send(`${err.message}\n`);
        }
        if (err instanceof HttpAuthThrottled) {
          reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
          return reply.code(429).type('text/plain; charset=utf-8').send(`${err.message}\n`);
        }
        if (err instanceof HttpServiceUnavailable) {
          request.log.error({ err: err.cause ?? err }, `auth: answered 503: ${err.message}`);
          reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
          return reply.code(503).type('text/plain; charset=utf-8').send(`${err.message}\n`);
        }
        throw err;
      }
    },
  };
}
