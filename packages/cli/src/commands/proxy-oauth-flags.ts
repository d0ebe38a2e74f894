/**
 * How `tno printer --proxy` (an INFRA output device, PWG 5100.18) signs in with OAuth 2.0 instead of
 * a password: the client credentials grant (RFC 6749 §4.4) at an issuer, with its client secret from
 * the environment or a file, never from the command line (argv is visible to every local user).
 */
import { clientCredentialsSource, type CredentialSource } from '@trustnoone/ipp-http/client';
import { CliError, type Io } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { readFlagText } from '../flag-file.js';

export const proxyOAuthFlags = {
  'proxy-oauth-issuer': { type: 'string' },
  'proxy-client-id': { type: 'string' },
  'proxy-client-secret-file': { type: 'string' },
  'proxy-oauth-scope': { type: 'string' },
  'proxy-oauth-resource': { type: 'string' },
} as const;

export const proxyOAuthUsage = `  --proxy-oauth-issuer URL  sign in at the Infrastructure Printer with an OAuth 2.0 access token
                          from this issuer (client credentials grant), refreshed before it expires
  --proxy-client-id ID    the device's client id at the issuer; its secret from the
                          TNO_PROXY_CLIENT_SECRET environment variable or ...
  --proxy-client-secret-file FILE  ... this file (first line; never on the command line)
  --proxy-oauth-scope S   scopes to ask for (space-separated)
  --proxy-oauth-resource URI  RFC 8707 resource indicator: the audience the queue checks`;

interface ProxyOAuthValues {
  proxy?: string | undefined;
  'proxy-oauth-issuer'?: string | undefined;
  'proxy-client-id'?: string | undefined;
  'proxy-client-secret-file'?: string | undefined;
  'proxy-oauth-scope'?: string | undefined;
  'proxy-oauth-resource'?: string | undefined;
}

/** The device's credential source, or undefined when it does not sign in with OAuth. */
export async function proxyOAuthCredentials(v: ProxyOAuthValues, io: Io): Promise<CredentialSource | undefined> {
  const issuer = v['proxy-oauth-issuer'];
  const others = (['proxy-client-id', 'proxy-client-secret-file', 'proxy-oauth-scope', 'proxy-oauth-resource'] as const).filter((k) => v[k] !== undefined);
  if (issuer === undefined) {
    if (others.length > 0) throw new CliError(`--${others[0]} needs --proxy-oauth-issuer`, ExitCode.usage);
    return undefined;
  }
  if (v.proxy === undefined) throw new CliError('--proxy-oauth-issuer needs --proxy URL', ExitCode.usage);
  if (!/^https?:\/\/[^/]/.test(issuer)) throw new CliError(`--proxy-oauth-issuer ${issuer}: expected an https:// (or loopback http://) URL`, ExitCode.usage);
  const clientId = v['proxy-client-id'];
  if (!clientId) throw new CliError('--proxy-oauth-issuer needs --proxy-client-id', ExitCode.usage);
  let secret = io.env.TNO_PROXY_CLIENT_SECRET;
  const file = v['proxy-client-secret-file'];
  if (file !== undefined) {
    if (secret) throw new CliError('give the client secret in TNO_PROXY_CLIENT_SECRET or --proxy-client-secret-file, not both', ExitCode.usage);
    secret = (await readFlagText('proxy-client-secret-file', file, io.cwd)).split(/\r?\n/)[0]!;
  }
  if (!secret) throw new CliError('--proxy-client-id needs its secret in TNO_PROXY_CLIENT_SECRET or --proxy-client-secret-file', ExitCode.usage);
  return clientCredentialsSource({
    issuer,
    clientId,
    clientSecret: secret,
    ...(v['proxy-oauth-scope'] ? { scope: v['proxy-oauth-scope'] } : {}),
    ...(v['proxy-oauth-resource'] ? { resource: v['proxy-oauth-resource'] } : {}),
  });
}
