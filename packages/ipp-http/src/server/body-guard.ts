/**
 * What a server built on this transport does with bodies it has no use for. Only the IPP routes
 * read a request body (as a stream, with their own limits); any other route, and a path that does
 * not exist, is answered before a byte of the body is read — fastify would otherwise buffer a
 * text/plain or JSON body whole, up to its bodyLimit, before even looking for the route. Errors
 * that escape a route are answered without their message or stack when they are the server's own.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasBody, refuseUnread } from './refuse-unread.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's handler reads the body itself, as a stream with its own limits (the IPP routes). */
    readsBody?: boolean;
  }
}

const guarded = new WeakSet<FastifyInstance>();

export function guardRequestBodies(app: FastifyInstance): void {
  if (guarded.has(app)) return;
  guarded.add(app);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.readsBody === true) return;
    if (!hasBody(request.raw)) return;
    if (request.is404) return refuseUnread(request, reply, 404, 'not found');
    return refuseUnread(request, reply, 415, 'this resource takes no request body');
  });
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'http: request failed');
      return reply.code(status).type('text/plain; charset=utf-8').send('internal error\n');
    }
    request.log.info({ code: err.code, reason: err.message }, 'http: request refused');
    return reply.code(status).type('text/plain; charset=utf-8').send(`${err.message}\n`);
  });
}
