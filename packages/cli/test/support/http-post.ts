/**
 * Raw HTTP POSTs for hostile-client tests: a body streamed from one reused buffer (so a test can
 * offer hundreds of megabytes without allocating them) that stops as soon as the server answers or
 * hangs up, and reports how much the server let through.
 */
import http from 'node:http';

export interface PostOutcome {
  /** HTTP status, when a response arrived. */
  readonly status: number | undefined;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** Body bytes handed to the socket before the server answered or closed. */
  readonly bytesWritten: number;
  /** The socket error, when the server cut the upload instead of answering. */
  readonly error: string | undefined;
}

export interface PostOptions {
  readonly contentType?: string;
  /** Total body length announced and offered. */
  readonly bytes: number;
  readonly headers?: http.OutgoingHttpHeaders;
  /** Local address to connect from (127.0.0.2 poses as a second client on loopback). */
  readonly localAddress?: string;
  /** Give up after this long (default 20 s). */
  readonly timeoutMs?: number;
}

export function postStream(url: string, o: PostOptions): Promise<PostOutcome> {
  const target = new URL(url.replace(/^ipp:/, 'http:'));
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  return new Promise((resolve) => {
    let written = 0;
    let done = false;
    let status: number | undefined;
    let headers: http.IncomingHttpHeaders = {};
    let body = '';
    const finish = (error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ status, headers, body, bytesWritten: written, error });
    };
    const req = http.request({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      agent: false,
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
      headers: { ...(o.contentType ? { 'content-type': o.contentType } : {}), 'content-length': String(o.bytes), ...o.headers },
    });
    const timer = setTimeout(() => finish('timeout'), o.timeoutMs ?? 20_000);
    req.on('response', (res) => {
      status = res.statusCode;
      headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => finish());
      res.on('error', () => finish());
    });
    req.on('error', (e) => finish((e as NodeJS.ErrnoException).code ?? e.message));
    const pump = (): void => {
      while (!done && written < o.bytes) {
        const n = Math.min(chunk.length, o.bytes - written);
        written += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      if (!done && written >= o.bytes) req.end();
    };
    pump();
  });
}
