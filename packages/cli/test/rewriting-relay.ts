/**
 * A rewriting relay for the trust and terminal tests (issue 11 items 3 and 7, issue 12 item 7):
 * an HTTP proxy on 127.0.0.1 that forwards IPP requests to an upstream printer it can change at any time, may rewrite the printer's Get-Printer-Attributes
 * answer (another printer-uuid, its own key, no key at all) or any other answer, and keeps every
 * request it saw, so a test can check whether document bytes ever reached it.
 */
import { createServer, type Server } from 'node:http';
import { decodeMessage, encodeMessage, GroupTag, type IppAttribute, type IppMessage } from '@trustnoone/ipp';

const GET_PRINTER_ATTRIBUTES = 0x000b;

export interface SeenRequest {
  readonly operation: number;
  /** Document bytes after the attributes (ciphertext for a sealed job, the document in clear otherwise). */
  readonly data: Buffer;
}

export interface HostileRelay {
  readonly uri: string;
  /** Where requests go now (an ipp:// or http:// URI of a printer). */
  upstream: string;
  /** Rewrites the printer attributes of each Get-Printer-Attributes answer; undefined: honest. */
  rewritePrinterAttributes: ((attrs: readonly IppAttribute[]) => IppAttribute[]) | undefined;
  /** Rewrites any answer (after rewritePrinterAttributes); gets the request's operation code. */
  rewriteResponse: ((operation: number, response: IppMessage) => IppMessage) | undefined;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

function rewrite(message: IppMessage, fn: (attrs: readonly IppAttribute[]) => IppAttribute[]): IppMessage {
  return { ...message, groups: message.groups.map((g) => (g.tag === GroupTag.printer ? { ...g, attributes: fn(g.attributes) } : g)) };
}

export async function startHostileRelay(upstream: string): Promise<HostileRelay> {
  const relay: HostileRelay = {
    uri: '',
    upstream,
    rewritePrinterAttributes: undefined,
    rewriteResponse: undefined,
    seen: [],
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const request = decodeMessage(body);
        relay.seen.push({ operation: request.code, data: Buffer.from(request.data ?? new Uint8Array()) });
        const up = await fetch(relay.upstream.replace(/^ipp:/, 'http:'), { method: 'POST', headers: { 'content-type': 'application/ipp' }, body });
        let out = Buffer.from(await up.arrayBuffer());
        if (request.code === GET_PRINTER_ATTRIBUTES && relay.rewritePrinterAttributes) {
          out = Buffer.from(encodeMessage(rewrite(decodeMessage(out), relay.rewritePrinterAttributes)));
        }
        if (relay.rewriteResponse) out = Buffer.from(encodeMessage(relay.rewriteResponse(request.code, decodeMessage(out))));
        res.writeHead(up.status, { 'content-type': 'application/ipp', 'content-length': out.length });
        res.end(out);
      })().catch((err: unknown) => {
        res.writeHead(502).end(String(err));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  Object.assign(relay, {
    uri: `ipp://127.0.0.1:${(server.address() as { port: number }).port}/ipp/print`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
  return relay;
}

/** Replaces (or, with no values, removes) one attribute in a printer attribute list. */
export function withAttribute(attrs: readonly IppAttribute[], name: string, values: IppAttribute['values'] | undefined): IppAttribute[] {
  const rest = attrs.filter((a) => a.name !== name);
  return values ? [...rest, { name, values }] : rest;
}

/** printer-pkcs7-public-key values for a PEM certificate: one text value per line (docs/spec-notes.md §1). */
export function keyValues(pem: string): IppAttribute['values'] {
  return pem
    .trim()
    .split('\n')
    .map((value) => ({ tag: 'textWithoutLanguage' as const, value }));
}
