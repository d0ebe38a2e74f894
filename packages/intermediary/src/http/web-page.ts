/**
 * GET / on the intermediary: the status page (status-page.ts), behind the same authentication seam
 * as the IPP routes (ipp-http's hook: Basic and Bearer challenges, 429 after repeated failures) — a
 * site with users sees a challenge, an anonymous loopback demo does not.
 */
import type { FastifyInstance } from 'fastify';
import type { Authentication } from '@trustnoone/ipp-http';
import { intermediaryStatusPage, type StatusPageView } from './status-page.js';

export function registerStatusPage(app: FastifyInstance, authentication: Authentication, view: () => StatusPageView): void {
  app.get('/', { onRequest: authentication.hook }, async (_request, reply) => {
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(intermediaryStatusPage(view()));
  });
}
