/**
 * The OAuth scope a printer or intermediary asks for, so `tno login` without --scope asks the
 * issuer for what the printer will check (docs/decisions.md D40). Two places say it: the printer's
 * `oauth-authorization-scope` attribute (answered to Get-Printer-Attributes when the printer lets
 * the asker in), and the `scope` of the Bearer challenge in its HTTP 401 (RFC 6750 §3) when it
 * admits nobody without a token, which is how tno's servers answer a client not yet signed in.
 */
import { IppTransportError } from '@trustnoone/ipp-http/client';
import { ClientError } from '../errors.js';
import { printerInfo } from '../print.js';
import type { Connection } from '../transport.js';

/** Where the scope was read. */
export type ScopeSource = 'oauth-authorization-scope' | 'bearer-challenge';

/** A scope-token list (RFC 6749 §3.3: printable ASCII but space, quote and backslash) of bounded size. */
function scopeOf(tokens: readonly string[]): string | undefined {
  const ok = tokens.filter((t) => /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/.test(t)).slice(0, 32);
  return ok.length > 0 ? ok.join(' ') : undefined;
}

/** The `scope` parameter of the Bearer challenge among the WWW-Authenticate challenges. */
export function bearerChallengeScope(wwwAuthenticate: string): string | undefined {
  const bearer = /(?:^|,)\s*Bearer\b/i.exec(wwwAuthenticate);
  if (!bearer) return undefined;
  const rest = wwwAuthenticate.slice(bearer.index + bearer[0].length);
  // Up to the next challenge (a scheme name followed by a space, not a parameter).
  const own = rest.split(/,\s*(?=[A-Za-z0-9!#$%&'*+.^_`|~-]+\s+[A-Za-z0-9!#$%&'*+.^_`|~-]+=)/)[0] ?? rest;
  const m = /(?:^|[\s,])scope="([^"\\]*)"/i.exec(own);
  return m ? scopeOf(m[1]!.split(' ')) : undefined;
}

/**
 * Asks the printer (without credentials) which scope it wants; undefined when it says none.
 * Throws the ClientError of the exchange when the printer cannot be asked.
 */
export async function advertisedScope(conn: Connection): Promise<{ scope: string; source: ScopeSource } | undefined> {
  const { auth: _none, ...anonymous } = conn;
  try {
    const info = await printerInfo(anonymous);
    const attr = info.attributes.get('oauth-authorization-scope');
    const scope = scopeOf((attr?.values ?? []).flatMap((v) => (typeof v.value === 'string' ? v.value.split(' ') : [])));
    return scope ? { scope, source: 'oauth-authorization-scope' } : undefined;
  } catch (err) {
    const cause = err instanceof ClientError ? err.cause : undefined;
    if (cause instanceof IppTransportError && cause.httpStatus === 401 && cause.wwwAuthenticate) {
      const scope = bearerChallengeScope(cause.wwwAuthenticate);
      return scope ? { scope, source: 'bearer-challenge' } : undefined;
    }
    throw err;
  }
}
