import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, type IppAttribute, type IppMessage } from '@trustnoone/ipp';
import {
  HttpAuthRequired,
  IppStatusError,
  IppTransportError,
  httpUrlFor,
  ippRequest,
  registerIppRoutes,
  type IppHandler,
} from '@trustnoone/ipp-http';

const GET_PRINTER_ATTRIBUTES = 0x000b;
const PRINT_JOB = 0x0002;
const VALIDATE_JOB = 0x0004;

function operationGroup(extra: IppAttribute[] = []): IppMessage['groups'][number] {
  return {
    tag: 0x01,
    attributes: [
      { name: 'attributes-charset', values: [{ tag: 'charset', value: 'utf-8' }] },
      { name: 'attributes-natural-language', values: [{ tag: 'naturalLanguage', value: 'en' }] },
      { name: 'printer-uri', values: [{ tag: 'uri', value: 'ipp://127.0.0.1/ipp/print' }] },
      ...extra,
    ],
  };
}

function request(code: number, requestId = 7, extra: IppAttribute[] = []): IppMessage {
  return { version: { major: 2, minor: 0 }, code, requestId, groups: [operationGroup(extra)] };
}

function statusMessage(m: IppMessage): string | undefined {
  const a = m.groups[0]?.attributes.find((x) => x.name === 'status-message');
  const v = a?.values[0];
  return v && 'value' in v && typeof v.value === 'string' ? v.value : undefined;
}

async function hashStream(s: Readable): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const c of s) {
    h.update(c as Buffer);
    bytes += (c as Buffer).length;
  }
  return { sha256: h.digest('hex'), bytes };
}

const handlers = new Map<number, IppHandler>([
  [
    GET_PRINTER_ATTRIBUTES,
    async () => ({
      status: 0,
      groups: [{ tag: 0x04, attributes: [{ name: 'printer-name', values: [{ tag: 'nameWithoutLanguage', value: 'test' }] }] }],
    }),
  ],
  [
    PRINT_JOB,
    async (ctx) => {
      const { sha256, bytes } = await hashStream(ctx.data);
      return {
        status: 0,
        statusMessage: `got ${bytes}`,
        groups: [{ tag: 0x02, attributes: [{ name: 'job-name', values: [{ tag: 'nameWithoutLanguage', value: sha256 }] }] }],
      };
    },
  ],
  [
    VALIDATE_JOB,
    async () => {
      throw new IppStatusError(0x040b, 'media not supported');
    },
  ],
]);

describe('IPP over HTTP (RFC 8010 §4) — plain http on loopback', () => {
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    app = Fastify({ logger: false });
    registerIppRoutes(app, { paths: ['/ipp/print'], handlers, limits: { maxDocumentBytes: 32 * 1024 * 1024 } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address() as { port: number };
    base = `ipp://127.0.0.1:${addr.port}/ipp/print`;
  });
  afterAll(() => app.close());

  it('maps ipp:// and ipps:// onto http(s) with the default port 631 (RFC 3510, RFC 7472)', () => {
    expect(httpUrlFor('ipp://printer.example/ipp/print').href).toBe('http://printer.example:631/ipp/print');
    expect(httpUrlFor('ipps://printer.example:8443/x').href).toBe('https://printer.example:8443/x');
    expect(() => httpUrlFor('ftp://x/')).toThrow(IppTransportError);
  });

  it('answers a request with the handler groups, echoing request-id and charset', async () => {
    const res = await ippRequest(base, request(GET_PRINTER_ATTRIBUTES, 42));
    expect(res.message.code).toBe(0);
    expect(res.message.requestId).toBe(42);
    expect(res.message.groups[0]?.attributes[0]?.name).toBe('attributes-charset');
    expect(res.message.groups[1]?.attributes[0]?.name).toBe('printer-name');
  });

  it('streams a chunked 24 MiB document to the handler without loss', async () => {
    const chunk = randomBytes(1 << 20);
    const expected = createHash('sha256');
    for (let i = 0; i < 24; i++) expected.update(chunk);
    let sent = 0;
    const res = await ippRequest(base, request(PRINT_JOB), {
      data: Readable.from((function* () { for (let i = 0; i < 24; i++) yield chunk; })()),
      onProgress: (n) => (sent = n),
    });
    expect(res.message.code).toBe(0);
    expect(statusMessage(res.message)).toBe(`got ${24 << 20}`);
    expect(sent).toBeGreaterThan(24 << 20);
    const v = res.message.groups[1]?.attributes[0]?.values[0];
    expect(v && 'value' in v ? v.value : undefined).toBe(expected.digest('hex'));
  });

  it('honours Expect: 100-continue (what ipptool sends)', async () => {
    const body = Buffer.from(encodeMessage(request(GET_PRINTER_ATTRIBUTES, 5)));
    const url = httpUrlFor(base);
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/ipp', expect: '100-continue', 'content-length': body.length } });
      req.on('continue', () => req.end(body));
      req.on('response', async (res) => {
        const parts: Buffer[] = [];
        for await (const c of res) parts.push(c as Buffer);
        resolve(Buffer.concat(parts));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(decodeMessage(answer).requestId).toBe(5);
  });

  it('keeps the connection alive across requests without a document', async () => {
    let connections = 0;
    const count = (): void => void connections++;
    app.server.on('connection', count);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 5; i++) (await ippRequest(base, request(GET_PRINTER_ATTRIBUTES, i + 1), { agent })).data.resume();
      expect(connections).toBe(1);
    } finally {
      app.server.off('connection', count);
      agent.destroy();
    }
  });

  it('turns a handler IppStatusError into that IPP status and message', async () => {
    const res = await ippRequest(base, request(VALIDATE_JOB));
    expect(res.message.code).toBe(0x040b);
    expect(statusMessage(res.message)).toBe('media not supported');
  });

  it('answers operation-not-supported (0x0501) for an operation without handler', async () => {
    const res = await ippRequest(base, request(0x0005));
    expect(res.message.code).toBe(0x0501);
  });

  it('refuses request-id 0 with client-error-bad-request (RFC 8011 §4.1.1)', async () => {
    const res = await ippRequest(base, request(GET_PRINTER_ATTRIBUTES, 0));
    expect(res.message.code).toBe(0x0400);
  });

  it('answers garbage with an IPP error instead of crashing, then keeps serving', async () => {
    const url = httpUrlFor(base);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/ipp' } }, async (res) => {
        const parts: Buffer[] = [];
        for await (const c of res) parts.push(c as Buffer);
        resolve(decodeMessage(Buffer.concat(parts)).code);
      });
      req.on('error', reject);
      req.end(Buffer.from([0x02, 0x00, 0x00, 0x0b, 0, 0, 0, 1, 0x01, 0x47, 0xff, 0xff]));
    });
    expect(status).toBeGreaterThanOrEqual(0x0400);
    expect((await ippRequest(base, request(GET_PRINTER_ATTRIBUTES))).message.code).toBe(0);
  });

  it('enforces the document byte limit with request-entity-too-large (0x0408, RFC 8011 §13.1.4.9)', async () => {
    const small = Fastify({ logger: false });
    registerIppRoutes(small, { paths: ['/p'], handlers, limits: { maxDocumentBytes: 1024 } });
    await small.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = (small.server.address() as { port: number }).port;
      const res = await ippRequest(`ipp://127.0.0.1:${port}/p`, request(PRINT_JOB), { data: new Uint8Array(4096) });
      expect(res.message.code).toBe(0x0408);
    } finally {
      await small.close();
    }
  });

  it('survives a handler that reads an over-limit document without an error listener', async () => {
    const careless: IppHandler = async (ctx) => {
      ctx.data.on('data', () => undefined); // flowing, no 'error' listener of its own
      await new Promise((r) => setTimeout(r, 50));
      return { status: 0 };
    };
    const small = Fastify({ logger: false });
    registerIppRoutes(small, { paths: ['/p'], handlers: new Map([[PRINT_JOB, careless]]), limits: { maxDocumentBytes: 1024 } });
    await small.listen({ host: '127.0.0.1', port: 0 });
    try {
      const url = `ipp://127.0.0.1:${(small.server.address() as { port: number }).port}/p`;
      const res = await ippRequest(url, request(PRINT_JOB), { data: new Uint8Array(256 * 1024) });
      expect(res.message.code).toBe(0x0408);
      // and the server is still up
      expect((await ippRequest(url, request(PRINT_JOB), { data: new Uint8Array(10) })).message.code).toBe(0);
    } finally {
      await small.close();
    }
  });

  it('answers HTTP 401 with a Basic challenge when authentication is required', async () => {
    const guarded = Fastify({ logger: false });
    registerIppRoutes(guarded, {
      paths: ['/p'],
      handlers,
      authenticate: async (req) => {
        const h = req.headers.authorization;
        if (h === `Basic ${Buffer.from('alice:secret').toString('base64')}`) return 'alice';
        throw new HttpAuthRequired('trustnoone');
      },
    });
    await guarded.listen({ host: '127.0.0.1', port: 0 });
    try {
      const url = `ipp://127.0.0.1:${(guarded.server.address() as { port: number }).port}/p`;
      await expect(ippRequest(url, request(GET_PRINTER_ATTRIBUTES))).rejects.toMatchObject({ code: 'IPP_HTTP_AUTH_REQUIRED', httpStatus: 401 });
      const ok = await ippRequest(url, request(GET_PRINTER_ATTRIBUTES), { auth: { user: 'alice', password: 'secret' } });
      expect(ok.message.code).toBe(0);
    } finally {
      await guarded.close();
    }
  });

  it('leaves no listener on a long-lived abort signal, and honours one already aborted', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) await ippRequest(base, request(GET_PRINTER_ATTRIBUTES), { signal: controller.signal });
    const { EventEmitter } = await import('node:events');
    expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
    await expect(ippRequest(base, request(GET_PRINTER_ATTRIBUTES), { signal: controller.signal })).rejects.toMatchObject({ code: 'IPP_HTTP_ABORTED' });
  });

  it('ignores a TLS pin on a plain ipp:// URL (one set of options may serve ipp and ipps targets)', async () => {
    const res = await ippRequest(base, request(GET_PRINTER_ATTRIBUTES), { tls: { pinSha256: '00'.repeat(32) } });
    expect(res.message.code).toBe(0);
  });

  it('reports an unreachable server as IPP_HTTP_CONNECT', async () => {
    await expect(ippRequest('ipp://127.0.0.1:1/ipp/print', request(GET_PRINTER_ATTRIBUTES))).rejects.toMatchObject({ code: 'IPP_HTTP_CONNECT' });
  });
});

describe('IPP over HTTPS (RFC 7472) with certificate pinning', () => {
  let dir: string;
  let app: FastifyInstance;
  let url: string;
  let fingerprint: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ipp-http-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const der = execFileSync('openssl', ['x509', '-in', join(dir, 'cert.pem'), '-outform', 'DER']);
    fingerprint = createHash('sha256').update(der).digest('hex');
    app = Fastify({ logger: false, https: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) } });
    registerIppRoutes(app, { paths: ['/ipp/print'], handlers });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `ipps://127.0.0.1:${(app.server.address() as { port: number }).port}/ipp/print`;
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an unknown self-signed certificate by default', async () => {
    await expect(ippRequest(url, request(GET_PRINTER_ATTRIBUTES))).rejects.toMatchObject({ code: 'IPP_HTTP_CONNECT' });
  });

  it('accepts the certificate whose SHA-256 fingerprint is pinned', async () => {
    const pin = fingerprint.match(/../g)!.join(':').toUpperCase();
    const res = await ippRequest(url, request(GET_PRINTER_ATTRIBUTES), { tls: { pinSha256: pin } });
    expect(res.message.code).toBe(0);
  });

  it('checks the pin again on every request (no TLS session resumption hides the certificate)', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await ippRequest(url, request(GET_PRINTER_ATTRIBUTES, i + 1), { tls: { pinSha256: fingerprint } });
      expect(res.message.requestId).toBe(i + 1);
    }
  });

  it('refuses a certificate that does not match the pin', async () => {
    await expect(ippRequest(url, request(GET_PRINTER_ATTRIBUTES), { tls: { pinSha256: '00'.repeat(32) } })).rejects.toMatchObject({
      code: 'IPP_HTTP_TLS_PIN_MISMATCH',
    });
  });
});
