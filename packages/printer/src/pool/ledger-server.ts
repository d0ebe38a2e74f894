/**
 * The pool ledger as a service (`tno pool-ledger`, docs/decisions.md D32): a small HTTPS endpoint
 * the site runs beside the printers of one INFRA pool, which the Infrastructure Printer neither
 * runs nor relays. Every connection must present a TLS client certificate that chains to the
 * pool's CA (and, when a member list is given, is on it): the member is that certificate's SHA-256
 * fingerprint. Two requests, JSON in and out:
 *
 *   POST /claim  {"claim":"<64 hex>"}  → 200 {"outcome":"claimed"|"mine"|"taken"}
 *   GET  /health                       → 200 {"ok":true}
 *
 * Bodies are at most 1 KiB and must arrive within 10 s; anything else is answered 4xx and closed.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { PrinterError } from '../errors.js';
import { LedgerStore } from './ledger-store.js';

const MAX_BODY = 1024;
const BODY_TIMEOUT_MS = 10_000;

export interface PoolLedgerOptions {
  /** Where claims.log lives (0700). */
  readonly stateDir: string;
  readonly host?: string;
  readonly port?: number;
  /** The ledger's own TLS certificate and key (PEM); members verify it against their pool CA. */
  readonly tls: { readonly cert: string; readonly key: string };
  /** PEM CA certificate(s) that issue the members' client certificates. */
  readonly membersCa: string;
  /** SHA-256 fingerprints (hex, any case, colons allowed) of the only member certificates accepted. */
  readonly members?: readonly string[];
  /** How long a claim is remembered; at least the members' replay retention (default 400 days, as theirs). */
  readonly retentionMs?: number;
  readonly log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

export interface RunningPoolLedger {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export const POOL_LEDGER_RETENTION_DEFAULT_MS = 400 * 24 * 3600 * 1000;

export function normaliseFingerprint(fp: string): string {
  const hex = fp.replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new PrinterError('PRINTER_POOL_LEDGER', `not a SHA-256 fingerprint: ${fp.slice(0, 100)}`);
  return hex;
}

export async function startPoolLedger(o: PoolLedgerOptions): Promise<RunningPoolLedger> {
  await mkdir(o.stateDir, { recursive: true, mode: 0o700 });
  const store = await LedgerStore.open(o.stateDir, o.retentionMs ?? POOL_LEDGER_RETENTION_DEFAULT_MS);
  const allowed = o.members ? new Set(o.members.map(normaliseFingerprint)) : undefined;
  let server: Server;
  try {
    server = createServer({ cert: o.tls.cert, key: o.tls.key, ca: o.membersCa, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, (req, res) => {
      void handle(req, res).catch((err: unknown) => {
        o.log?.warn({ err: (err as Error).message }, 'pool ledger: request failed');
        answer(res, 503, { error: 'the ledger could not record the claim' });
      });
    });
  } catch (err) {
    await store.close();
    throw new PrinterError('PRINTER_POOL_LEDGER', `the ledger's TLS certificate, key or members CA cannot be used: ${(err as Error).message}`, { cause: err });
  }
  // A certificate the pool CA did not issue fails the handshake before any request: logged here.
  server.on('tlsClientError', (err: Error) => o.log?.warn({ err: err.message }, 'pool ledger: TLS handshake refused'));
  server.requestTimeout = BODY_TIMEOUT_MS;
  server.headersTimeout = BODY_TIMEOUT_MS;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (req.socket as TLSSocket).getPeerCertificate().raw;
    const member = raw ? createHash('sha256').update(raw).digest('hex') : undefined;
    if (!member || (allowed && !allowed.has(member))) {
      o.log?.warn({ member }, 'pool ledger: a certificate that is not a member was refused');
      return answer(res, 403, { error: 'this certificate is not a member of the pool' });
    }
    const path = new URL(req.url ?? '/', 'https://ledger').pathname;
    if (path === '/health' && req.method === 'GET') return answer(res, 200, { ok: true });
    if (path !== '/claim') return answer(res, 404, { error: 'unknown path' });
    if (req.method !== 'POST') return answer(res, 405, { error: 'POST a claim' });
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return answer(res, 415, { error: 'expected application/json' });
    const body = await readBody(req);
    if (body === undefined) return answer(res, 413, { error: `a claim is at most ${MAX_BODY} bytes` });
    let claim: unknown;
    try {
      claim = (JSON.parse(body) as { claim?: unknown }).claim;
    } catch {
      return answer(res, 400, { error: 'not JSON' });
    }
    if (typeof claim !== 'string' || !/^[0-9a-f]{64}$/.test(claim)) return answer(res, 400, { error: 'expected {"claim":"<64 lowercase hex digits>"}' });
    const outcome = await store.claim(claim, member);
    o.log?.info({ member: member.slice(0, 16), outcome }, 'pool ledger: claim');
    return answer(res, 200, { outcome });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new PrinterError('PRINTER_POOL_LEDGER', `cannot listen on ${o.host ?? '127.0.0.1'}:${o.port ?? 0}: ${err.message}`, { cause: err })));
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  const name = new X509Certificate(o.tls.cert).subjectAltName?.match(/DNS:([^,\s]+)/)?.[1] ?? o.host ?? '127.0.0.1';
  return {
    url: `https://${name}:${port}`,
    port,
    async close() {
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
}

function answer(res: ServerResponse, status: number, body: object): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(status >= 400 ? { connection: 'close' } : {}) });
  res.end(text);
}

/** The body, or undefined when it exceeds MAX_BODY (then the rest is not read). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.removeAllListeners('data');
        req.pause();
        resolve(undefined);
        return;
      }
      parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}
