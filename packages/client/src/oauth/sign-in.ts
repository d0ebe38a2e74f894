/**
 * Signing in to an OAuth 2.0 issuer for printing (issue 19, docs/decisions.md D29): the issuer's
 * endpoints from its metadata (RFC 8414), a device authorization grant (RFC 8628) or an
 * authorization code with PKCE on a loopback redirect (RFC 8252), the tokens saved for the printer
 * they are meant for, and a credential source that refreshes them (RFC 6749 §6) before they expire.
 */
import { discoverIssuer, isLoopbackHost, IppTransportError, needsRefresh, postForm, requestToken, type BearerCredentials, type IssuerMetadata, type TokenSet } from '@trustnoone/ipp-http/client';
import { open, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ClientError } from '../errors.js';
import { normalizePrinterUri } from '../printer-uri.js';
import { deviceGrant, type DevicePrompt } from './device-grant.js';
import { loopbackGrant } from './loopback-grant.js';
import { TokenStore, type SavedSignIn } from './token-store.js';
import { makeDirectory } from '../state-dir.js';

/** The client id `tno` uses unless told otherwise: a public client the site registers (D29). */
export const DEFAULT_CLIENT_ID = 'tno';

export interface SignInOptions {
  readonly stateDir: string;
  readonly issuer: string;
  /** The printer URIs the token is for (it is sent to these only). */
  readonly printers: readonly string[];
  readonly clientId?: string;
  /** Scopes asked for; `offline_access` is added so a refresh token is issued. */
  readonly scope?: string;
  /** RFC 8707 resource indicator (the audience the printer or intermediary checks). */
  readonly resource?: string;
  /** 'device' (RFC 8628) or 'browser' (RFC 8252). */
  readonly flow: 'device' | 'browser';
  readonly onDevicePrompt?: (p: DevicePrompt) => void;
  readonly openBrowser?: (url: string) => void | Promise<void>;
  readonly browserTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

async function metadataOf(issuer: string): Promise<IssuerMetadata> {
  try {
    return await discoverIssuer(issuer, fetch, ['token_endpoint']);
  } catch (err) {
    throw new ClientError('CLIENT_SIGN_IN_FAILED', (err as Error).message, { cause: err });
  }
}

export async function signIn(o: SignInOptions): Promise<SavedSignIn> {
  if (o.printers.length === 0) throw new ClientError('CLIENT_BAD_INPUT', 'sign-in needs the printer the token is for');
  // A bearer token read on the wire works for whoever read it: it is only ever sent over TLS, or
  // to this machine.
  for (const p of o.printers) {
    const u = new URL(p);
    if (!/^(ipps|https):$/i.test(u.protocol) && !isLoopbackHost(u.hostname)) {
      throw new ClientError('CLIENT_BAD_INPUT', `${p}: access tokens are sent only over TLS; sign in for ${p.replace(/^ipp:/i, 'ipps:').replace(/^http:/i, 'https:')}`);
    }
  }
  const meta = await metadataOf(o.issuer);
  const clientId = o.clientId ?? DEFAULT_CLIENT_ID;
  const scope = [...new Set([...(o.scope ?? '').split(' ').filter(Boolean), 'offline_access'])].join(' ');
  const common = { clientId, scope, ...(o.resource ? { resource: o.resource } : {}), ...(o.signal ? { signal: o.signal } : {}) };
  const tokens =
    o.flow === 'device'
      ? await deviceGrant(meta, { ...common, prompt: o.onDevicePrompt ?? (() => {}) })
      : await loopbackGrant(meta, { ...common, open: o.openBrowser ?? (() => {}), ...(o.browserTimeoutMs ? { timeoutMs: o.browserTimeoutMs } : {}) });
  const saved: SavedSignIn = {
    ...tokens,
    issuer: o.issuer,
    clientId,
    scope,
    ...(o.resource ? { resource: o.resource } : {}),
    tokenEndpoint: meta.token_endpoint!,
    ...(meta.revocation_endpoint ? { revocationEndpoint: meta.revocation_endpoint } : {}),
    printers: o.printers.map(normalizePrinterUri),
  };
  await new TokenStore(o.stateDir).save(saved);
  return saved;
}

/** RFC 6749 §6: new tokens for a saved sign-in, saved in place (a rotated refresh token replaces the old). */
export async function refreshSignIn(store: TokenStore, s: SavedSignIn): Promise<SavedSignIn> {
  if (!s.refreshToken) throw new ClientError('CLIENT_SIGN_IN_FAILED', `the sign-in at ${s.issuer} has expired and cannot be refreshed: run tno login --issuer ${s.issuer}`);
  let tokens: TokenSet;
  try {
    tokens = await requestToken(s.tokenEndpoint, { grant_type: 'refresh_token', refresh_token: s.refreshToken, client_id: s.clientId, resource: s.resource }, { what: 'token refresh' });
  } catch (err) {
    const refused = err instanceof IppTransportError && err.oauthError === 'invalid_grant';
    throw new ClientError('CLIENT_SIGN_IN_FAILED', refused ? `the sign-in at ${s.issuer} is no longer valid: run tno login --issuer ${s.issuer}` : (err as Error).message, { cause: err });
  }
  return store.update(s, tokens);
}

/**
 * The saved sign-in for `printerUri` as a credential source: each call returns an access token that
 * is still good, refreshing it first when it is about to expire. Undefined when nobody signed in
 * for that printer. Refreshes are serialised, within this process and across tno processes (a lock
 * file beside the tokens), and the store is read again once the lock is held: issuers rotate
 * refresh tokens, and a second refresh with the one just replaced would fail, or make the issuer
 * revoke the whole sign-in as a replay (RFC 9700 §4.14.2).
 */
export async function savedSignInCredentials(stateDir: string, printerUri: string): Promise<(() => Promise<BearerCredentials>) | undefined> {
  const store = new TokenStore(stateDir);
  if (!(await store.forPrinter(printerUri))) return undefined;
  return async () => {
    const s = await store.forPrinter(printerUri);
    if (!s) throw new ClientError('CLIENT_SIGN_IN_FAILED', `nobody is signed in for ${printerUri} any more: run tno login`);
    if (!needsRefresh(s)) return { bearer: s.accessToken };
    const fresh = await withRefreshLock(store, async () => {
      const again = await store.forPrinter(printerUri);
      if (!again) throw new ClientError('CLIENT_SIGN_IN_FAILED', `nobody is signed in for ${printerUri} any more: run tno login`);
      return needsRefresh(again) ? refreshSignIn(store, again) : again;
    });
    return { bearer: fresh.accessToken };
  };
}

const inProcess = new Map<string, Promise<unknown>>();

/** Runs `fn` holding the store's refresh lock: one at a time in this process, and an O_EXCL lock file across processes. */
async function withRefreshLock<T>(store: TokenStore, fn: () => Promise<T>): Promise<T> {
  const previous = inProcess.get(store.file) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(async () => {
    const lock = join(dirname(store.file), '.refresh.lock');
    await makeDirectory(dirname(store.file));
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await (await open(lock, 'wx', 0o600)).close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // A lock older than 30 s belongs to a process that died mid-refresh.
        const age = await stat(lock).then((st) => Date.now() - st.mtimeMs, () => 0);
        if (age > 30_000) await rm(lock, { force: true });
        else if (Date.now() > deadline) throw new ClientError('CLIENT_SIGN_IN_FAILED', `another tno process holds ${lock}: try again, or remove it if no tno is running`);
        else await new Promise((r) => setTimeout(r, 100));
      }
    }
    try {
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  });
  inProcess.set(store.file, run);
  try {
    return await run;
  } finally {
    if (inProcess.get(store.file) === run) inProcess.delete(store.file);
  }
}

/**
 * Forgets sign-ins: for one issuer, one printer, or all. Their refresh tokens (else access tokens)
 * are revoked at the issuer where it offers RFC 7009 revocation; a failure there does not keep
 * the tokens on disk.
 */
export async function signOut(stateDir: string, which: { issuer?: string; printer?: string }): Promise<SavedSignIn[]> {
  const printer = which.printer !== undefined ? normalizePrinterUri(which.printer) : undefined;
  const gone = await new TokenStore(stateDir).remove((s) => (which.issuer === undefined || s.issuer === which.issuer) && (printer === undefined || s.printers.includes(printer)));
  await Promise.all(
    gone.map(async (s) => {
      if (!s.revocationEndpoint) return;
      const token = s.refreshToken ?? s.accessToken;
      await postForm(s.revocationEndpoint, { token, token_type_hint: s.refreshToken ? 'refresh_token' : 'access_token', client_id: s.clientId }, { what: 'token revocation' }).catch(() => {});
    }),
  );
  return gone;
}
