/** RFC 7636 proof key for code exchange, S256 only (§4.2: plain gives no protection once the request is seen). */
import { createHash, randomBytes } from 'node:crypto';

export interface Pkce {
  /** §4.1: 43..128 unreserved characters; here 43 from 32 random bytes. */
  readonly verifier: string;
  /** §4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
  readonly challenge: string;
  readonly method: 'S256';
}

export function newPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url'), method: 'S256' };
}
