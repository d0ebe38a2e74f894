/**
 * The printer's small web presence: GET / is the status page (status-page.ts), /icon.png the icon
 * printer-icons points to. Both are public: they show only what the IPP interface shows anyone.
 */
import type { FastifyInstance } from 'fastify';
import type { PrinterRuntime } from '../runtime.js';
import { iconPng } from './icon.js';
import { statusPage, type StatusPageKeys } from './status-page.js';

export function registerWebPage(app: FastifyInstance, rt: PrinterRuntime, keys: StatusPageKeys): void {
  const icon = iconPng();
  app.get('/icon.png', async (_req, reply) => reply.type('image/png').header('cache-control', 'max-age=3600').send(icon));
  app.get('/', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'").send(statusPage(rt, keys)),
  );
}
