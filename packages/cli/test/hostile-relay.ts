/**
 * A hostile relay for the issue 11 tests: an HTTP proxy on 127.0.0.1 between a client (tno) and
 * an upstream IPP server (printer or intermediary). It sees every request and answer in full and
 * may rewrite, drop, swap or replay them; `handle` decides, `forward` sends bytes upstream. It
 * never holds a key: what it can do is exactly what any hop between client and printer can do.
 */
import { createServer, type Server } from 'node:http';
import { decodeMessage, encodeMessage, type IppAttribute, type IppMessage } from '@trustnoone/ipp';

export interface RelayedRequest {
  /** The request as decoded (document data in `message.data`). */
  readonly message: IppMessage;
  /** The request as it arrived, byte for byte. */
  readonly body: Buffer;
}

/** Sends an IPP request body upstream and resolves with the answer body. */
export type Forward = (body: Uint8Array) => Promise<Buffer>;

export interface HostileRelay {
  readonly uri: string;
  readonly forward: Forward;
  close(): Promise<void>;
}

export async function startHostileRelay(upstreamUri: string, handle: (req: RelayedRequest, forward: Forward) => Promise<Uint8Array>): Promise<HostileRelay> {
  const upstream = upstreamUri.replace(/^ipp:/, 'http:');
  const forward: Forward = async (body) => {
    const res = await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/ipp' }, body });
    return Buffer.from(await res.arrayBuffer());
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      void (async () => {
        try {
          const out = await handle({ message: decodeMessage(body), body }, forward);
          res.writeHead(200, { 'content-type': 'application/ipp', 'content-length': out.length });
          res.end(out);
        } catch (err) {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(String(err));
        }
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    uri: `ipp://127.0.0.1:${port}/ipp/print`,
    forward,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** An operation attribute's first value, if it has one. */
export function opValue(message: IppMessage, name: string): unknown {
  const v = message.groups.find((g) => g.tag === 0x01)?.attributes.find((a) => a.name === name)?.values[0];
  return v && 'value' in v ? v.value : undefined;
}

/** A request of our own, as a relay would forge it: the operation attributes given, no data. */
export function forgeRequest(code: number, printerUri: string, extra: IppAttribute[]): Uint8Array {
  return encodeMessage({
    version: { major: 2, minor: 0 },
    code,
    requestId: 4242,
    groups: [
      {
        tag: 0x01,
        attributes: [
          { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
          { name: 'attributes-natural-language', values: [{ tag: 'naturalLanguage', value: 'en' }] },
          { name: 'printer-uri', values: [{ tag: 'uri', value: printerUri }] },
          ...extra,
        ],
      },
    ],
  });
}
