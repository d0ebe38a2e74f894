/** POSTs an application/ipp body to 127.0.0.1:PORT/ipp/print with bare node:http, so the codec's interop test does not depend on our own transport. */
import { request as httpRequest, type IncomingMessage } from 'node:http';

export function post(port: number, body: Uint8Array): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/ipp/print', method: 'POST', headers: { 'content-type': 'application/ipp', 'content-length': body.length } },
      resolve,
    );
    req.once('error', reject);
    req.end(body);
  });
}
