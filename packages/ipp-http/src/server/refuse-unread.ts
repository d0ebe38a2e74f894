/**
 * Answering a request without reading its body. The connection is closed once the answer is out:
 * otherwise Node would go on reading (and discarding) whatever the client keeps sending, which is
 * as good as reading it for someone who wants to waste our bandwidth and CPU.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** True when the request announces a body (RFC 9112 §6.3: Transfer-Encoding or a non-zero Content-Length). */
export function hasBody(raw: IncomingMessage): boolean {
  if (raw.headers['transfer-encoding'] !== undefined) return true;
  const length = raw.headers['content-length'];
  return length !== undefined && length !== '0';
}

/** The media type of a Content-Type header without parameters, lower-cased ('' when absent). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** How long a refused client has to read the answer before the socket is destroyed. */
const LINGER_MS = 2000;

export function refuseUnread(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  text: string,
  headers: Readonly<Record<string, string | readonly string[]>> = {},
): FastifyReply {
  const raw = request.raw;
  if (hasBody(raw) && !raw.complete) {
    // Not 'Connection: close' (ours, or the client's): Node would then destroy the socket the
    // moment the answer is written, and the unread upload in its receive buffer turns that into a
    // reset that can overtake the answer at the client. Instead: stop reading, send FIN after the
    // answer, and give the client a moment to read it before the socket goes.
    reply.raw.shouldKeepAlive = true;
    reply.raw.once('finish', () => {
      const socket = raw.socket;
      if (raw.complete || !socket) return;
      socket.pause();
      socket.end();
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    });
  }
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply.code(status).type('text/plain; charset=utf-8').send(`${text}\n`);
}
