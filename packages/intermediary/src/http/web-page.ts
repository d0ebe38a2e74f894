/**
 * GET / on the intermediary: the status page (status-page.ts), behind the same authentication as
 * the IPP routes — a site with users sees a Basic challenge, an anonymous loopback demo does not.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpAuthRequired } from '@trustnoone/ipp-http';
import { intermediaryStatusPage, type StatusPageView } from './status-page.js';

export function registerStatusPage(app: FastifyInstance, authenticate: (request: FastifyRequest) => Promise<string | undefined>, view: () => StatusPageView): void {
  app.get('/', async (request, reply) => {
    try {
      await authenticate(request);
    } catch (err) {
      if (!(err instanceof HttpAuthRequired)) throw err;
      return reply
        .code(401)
        .header('www-authenticate', `Basic realm="${err.realm}", charset="UTF-8"`)
        .type('text/plain; charset=utf-8')
        .send(`${err.message}\n`);
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(intermediaryStatusPage(view()));
  });
}
