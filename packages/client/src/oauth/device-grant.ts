/**
 * OAuth 2.0 device authorization grant (RFC 8628) for a terminal without a browser: ask the issuer
 * for a device code, show the user where to go and which code to type, then poll the token endpoint
 * until they approve, refuse, or the code expires.
 */
import { IppTransportError, postForm, requestToken, type IssuerMetadata, type TokenSet } from '@trustnoone/ipp-http/client';
import { ClientError } from '../errors.js';

/** What the user must do (RFC 8628 §3.3), for the caller to show. */
export interface DevicePrompt {
  readonly verificationUri: string;
  readonly verificationUriComplete?: string;
  readonly userCode: string;
  readonly expiresInSec: number;
}

export interface DeviceGrantOptions {
  readonly clientId: string;
  readonly scope?: string;
  readonly resource?: string;
  readonly prompt: (p: DevicePrompt) => void;
  readonly signal?: AbortSignal;
  /** Injected for tests of the clock; default setTimeout. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(new ClientError('CLIENT_SIGN_IN_FAILED', 'sign-in abandoned'))), { once: true });
  });
}

function text(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw new ClientError('CLIENT_SIGN_IN_FAILED', `the issuer's device authorization answer has no usable ${name}`);
  return value;
}

export async function deviceGrant(meta: IssuerMetadata, o: DeviceGrantOptions): Promise<TokenSet> {
  if (!meta.device_authorization_endpoint || !meta.token_endpoint) {
    throw new ClientError('CLIENT_SIGN_IN_FAILED', `${meta.issuer} offers no device authorization endpoint (RFC 8628): sign in with --browser`);
  }
  let answer: Record<string, unknown>;
  try {
    answer = await postForm(meta.device_authorization_endpoint, { client_id: o.clientId, scope: o.scope, resource: o.resource }, { what: 'device authorization' });
  } catch (err) {
    throw new ClientError('CLIENT_SIGN_IN_FAILED', (err as Error).message, { cause: err });
  }
  // §3.2: device_code, user_code, verification_uri and expires_in are REQUIRED; interval defaults to 5 s.
  const deviceCode = text(answer.device_code, 'device_code', 4096);
  const userCode = text(answer.user_code, 'user_code', 64);
  const verificationUri = text(answer.verification_uri, 'verification_uri', 2048);
  const complete = typeof answer.verification_uri_complete === 'string' && answer.verification_uri_complete.length <= 2048 ? answer.verification_uri_complete : undefined;
  const expiresIn = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? Math.min(answer.expires_in, 3600) : 600;
  let intervalMs = (typeof answer.interval === 'number' && answer.interval >= 1 ? Math.min(answer.interval, 60) : 5) * 1000;
  o.prompt({ verificationUri, ...(complete ? { verificationUriComplete: complete } : {}), userCode, expiresInSec: expiresIn });

  const sleep = o.sleep ?? sleepFor;
  const deadline = Date.now() + expiresIn * 1000;
  for (;;) {
    await sleep(intervalMs, o.signal);
    try {
      // §3.4: the device code grant; a public client names itself with client_id.
      return await requestToken(meta.token_endpoint, { grant_type: DEVICE_CODE_GRANT, device_code: deviceCode, client_id: o.clientId }, { what: 'device sign-in' });
    } catch (err) {
      const code = err instanceof IppTransportError ? err.oauthError : undefined;
      // §3.5: keep polling while pending; slow down by 5 s when asked, for every later request.
      if (code === 'authorization_pending' && Date.now() < deadline) continue;
      if (code === 'slow_down' && Date.now() < deadline) {
        intervalMs += 5000;
        continue;
      }
      if (code === 'access_denied') throw new ClientError('CLIENT_SIGN_IN_FAILED', 'sign-in refused at the issuer (access_denied)', { cause: err });
      if (code === 'expired_token' || code === 'authorization_pending' || code === 'slow_down') {
        throw new ClientError('CLIENT_SIGN_IN_FAILED', `the code ${userCode} expired before it was entered: run tno login again`, { cause: err });
      }
      throw new ClientError('CLIENT_SIGN_IN_FAILED', (err as Error).message, { cause: err });
    }
  }
}
