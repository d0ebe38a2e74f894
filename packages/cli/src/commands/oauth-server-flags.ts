/**
 * The `--oauth-*` flags both servers take (tno intermediary, tno printer): which issuer's bearer
 * tokens to accept (docs/decisions.md D18), parsed and checked in one place so the two agree.
 */
import type { BearerSchemeOptions } from '@trustnoone/ipp-http';
import { CliError } from '../command.js';
import { ExitCode } from '../exit-codes.js';

export const oauthServerFlags = {
  'oauth-issuer': { type: 'string' },
  'oauth-audience': { type: 'string' },
  'oauth-scope': { type: 'string', multiple: true },
  'oauth-user-claim': { type: 'string' },
} as const;

export function oauthServerUsage(what: string): string {
  return `  --oauth-issuer URL    accept OAuth 2.0 bearer tokens (JWT access tokens, RFC 9068) from
                        this issuer; its keys are found through its metadata (RFC 8414)
  --oauth-audience AUD  the audience tokens must name (default: the URI this ${what} serves)
  --oauth-scope SCOPE   a scope tokens must carry; repeat for several
  --oauth-user-claim C  the claim naming the user (default sub)`;
}

interface OAuthValues {
  'oauth-issuer'?: string | undefined;
  'oauth-audience'?: string | undefined;
  'oauth-scope'?: string[] | undefined;
  'oauth-user-claim'?: string | undefined;
}

/** The bearer scheme options the flags ask for, or undefined without --oauth-issuer. */
export function oauthServerOptions(v: OAuthValues, defaultAudience: string): BearerSchemeOptions | undefined {
  const issuer = v['oauth-issuer'];
  if (issuer === undefined) {
    if (v['oauth-audience'] || v['oauth-scope'] || v['oauth-user-claim']) throw new CliError('--oauth-audience, --oauth-scope and --oauth-user-claim need --oauth-issuer', ExitCode.usage);
    return undefined;
  }
  if (!/^https?:\/\/[^/]/.test(issuer)) throw new CliError(`--oauth-issuer ${issuer}: expected an https:// (or loopback http://) URL`, ExitCode.usage);
  return {
    issuer,
    // RFC 9068 §2.2: aud names the resource; by default the printer object served here.
    audience: v['oauth-audience'] ?? defaultAudience,
    requiredScopes: v['oauth-scope'] ?? [],
    ...(v['oauth-user-claim'] ? { userClaim: v['oauth-user-claim'] } : {}),
  };
}
