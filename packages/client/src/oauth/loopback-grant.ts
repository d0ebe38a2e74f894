/**
 * OAuth 2.0 authorization code grant with PKCE for a native app (RFC 8252): a one-shot HTTP
 * listener on 127.0.0.1 at an ephemeral port receives the redirect (§7.3, §8.3: the IP literal,
 * not "localhost"), `state` ties the answer to this request (RFC 6749 §10.12), and the code is
 * useless without the PKCE verifier that never left this process (RFC 7636).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestToken, type IssuerMetadata, type TokenSet } from '@trustnoone/ipp-http/client';
import { ClientError } from '../errors.js';
import { newPkce } from './pkce.js';

export interface LoopbackGrantOptions {
  readonly clientId: string;
  readonly scope?: string;
  readonly resource?: string;
  /** Called with the authorization URL once the listener is up: open a browser, or print it. */
  readonly open: (url: string) => void | Promise<void>;
  /** How long to wait for the browser to come back (default 5 minutes). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

const PAGE = (message: string): string =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>tno login</title></head><body><p>${message}</p></body></html>`;

function sameState(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function loopbackGrant(meta: IssuerMetadata, o: LoopbackGrantOptions): Promise<TokenSet> {
  if (!meta.authorization_endpoint || !meta.token_endpoint) throw new ClientError('CLIENT_SIGN_IN_FAILED', `${meta.issuer} offers no authorization endpoint: sign in with --device`);
  // RFC 8414 §2: a server that lists its PKCE methods without S256 would ignore or refuse ours.
  if (meta.code_challenge_methods_supported && !meta.code_challenge_methods_supported.includes('S256')) {
    throw new ClientError('CLIENT_SIGN_IN_FAILED', `${meta.issuer} does not support PKCE with S256 (RFC 7636)`);
  }
  const pkce = newPkce();
  const state = randomBytes(16).toString('base64url');
  let settle!: { resolve: (code: string) => void; reject: (err: Error) => void };
  const received = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/callback') return void res.writeHead(404).end();
    const answer = (status: number, message: string) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE(message));
    const got = url.searchParams.get('state');
    // A request without our state is not the answer to our request (a page racing the browser):
    // refuse it and keep waiting for the real one.
    if (got === null || !sameState(got, state)) return answer(400, 'This sign-in answer does not belong to the tno login that is waiting.');
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (error !== null || code === null) {
      answer(200, 'Sign-in did not complete. You may close this window.');
      const what = error !== null && /^[\x20-\x7e]{1,64}$/.test(error) ? error : 'no code';
      return settle.reject(new ClientError('CLIENT_SIGN_IN_FAILED', `sign-in refused at the issuer (${what})`));
    }
    answer(200, 'Signed in. You may close this window and return to the terminal.');
    settle.resolve(code);
  });
  server.on('connection', (socket) => socket.unref());
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  const timer = setTimeout(() => settle.reject(new ClientError('CLIENT_SIGN_IN_FAILED', 'no answer from the browser in time: run tno login again (or use --device)')), o.timeoutMs ?? 300_000);
  const onAbort = () => settle.reject(new ClientError('CLIENT_SIGN_IN_FAILED', 'sign-in abandoned'));
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const auth = new URL(meta.authorization_endpoint);
    const params: Record<string, string | undefined> = {
      response_type: 'code',
      client_id: o.clientId,
      redirect_uri: redirectUri,
      scope: o.scope,
      state,
      code_challenge: pkce.challenge,
      code_challenge_method: pkce.method,
      resource: o.resource,
      // A refresh token is issued for offline_access only after explicit consent (OpenID Connect Core §11).
      ...(o.scope?.split(' ').includes('offline_access') ? { prompt: 'consent' } : {}),
    };
    for (const [k, v] of Object.entries(params)) if (v !== undefined) auth.searchParams.set(k, v);
    await o.open(auth.href);
    const code = await received;
    try {
      return await requestToken(meta.token_endpoint, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: o.clientId, code_verifier: pkce.verifier, resource: o.resource }, { what: 'browser sign-in' });
    } catch (err) {
      throw new ClientError('CLIENT_SIGN_IN_FAILED', (err as Error).message, { cause: err });
    }
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    server.close();
    server.closeAllConnections();
  }
}
