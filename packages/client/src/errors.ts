/**
 * Errors of the client library. Each has a stable `code`; the message is one line a person can act
 * on (what failed, and what to do about it). The CLI maps codes to exit statuses.
 */
export type ClientErrorCode =
  /** A document, key or certificate file could not be read, or an option is invalid. */
  | 'CLIENT_BAD_INPUT'
  /** The printer (or intermediary) could not be reached or did not answer IPP. */
  | 'CLIENT_UNREACHABLE'
  /** The server requires HTTP authentication and none (or wrong) credentials were given. */
  | 'CLIENT_AUTH_REQUIRED'
  /** HTTP 403: signed in, but this account (or token) may not do this. */
  | 'CLIENT_FORBIDDEN'
  /** HTTP 429: sign-ins from here are slowed after failed attempts. */
  | 'CLIENT_RATE_LIMITED'
  /** HTTP 503: the server is overloaded or limiting this client; try again later. */
  | 'CLIENT_SERVER_BUSY'
  /** The printer answered a request with an error status. */
  | 'CLIENT_IPP_STATUS'
  /** The printer does not advertise TRUSTNOONE and plaintext was not allowed. */
  | 'CLIENT_NOT_TRUSTNOONE'
  /** The printer's certificate is unusable (unparsable, expired, or names another printer). */
  | 'CLIENT_TRUST_KEY_INVALID'
  /** No pin and no anchor for this printer, and the policy is strict. */
  | 'CLIENT_TRUST_FIRST_USE_REFUSED'
  /** The printer's key differs from the one pinned for it, or its URI now reaches another printer. */
  | 'CLIENT_TRUST_KEY_CHANGED'
  /** A URI never used reaches a printer trusted under another URI (a relay may be steering the job). */
  | 'CLIENT_TRUST_OTHER_URI'
  /** --allow-plaintext to a printer that was trusted with a key: a relay may be hiding it. */
  | 'CLIENT_PLAINTEXT_REFUSED'
  /** A post-quantum or hybrid key was required and the printer offers no trusted one. */
  | 'CLIENT_POST_QUANTUM_UNAVAILABLE'
  /** A requested attribute or value is not supported by the printer. */
  | 'CLIENT_ATTRIBUTE_NOT_SUPPORTED'
  /** The document format is not accepted by the printer (sealed or in clear). */
  | 'CLIENT_FORMAT_NOT_SUPPORTED'
  /** A release code (pin, --release-pin) was given but the printer offers no PIN release, or the code does not fit its repertoire. */
  | 'CLIENT_PIN_NOT_SUPPORTED'
  /** The job ended aborted or canceled. */
  | 'CLIENT_JOB_FAILED'
  /** The printer refused the sealed job for integrity/decryption/signature reasons. */
  | 'CLIENT_JOB_SECURITY_ERROR'
  /** A sealed answer (Get-Encrypted-Job-Attributes) could not be opened or verified. */
  | 'CLIENT_SEALED_ANSWER_INVALID'
  /** Waiting for the job to finish took longer than allowed. */
  | 'CLIENT_TIMEOUT'
  /** DNS-SD browsing is not possible here (no avahi-browse, or no Avahi daemon to ask). */
  | 'CLIENT_DISCOVERY_UNAVAILABLE'
  /** OAuth sign-in did not complete: refused, expired, abandoned, or the issuer is unusable. */
  | 'CLIENT_SIGN_IN_FAILED'
  /** The state directory cannot be created or takes no new entries (a read-only or virtual file system). */
  | 'CLIENT_STATE_DIR';

export class ClientError extends Error {
  readonly code: ClientErrorCode;
  /** The IPP status code, when the printer answered with one. */
  readonly ippStatus: number | undefined;
  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown; ippStatus?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClientError';
    this.code = code;
    this.ippStatus = options?.ippStatus;
  }
}

export function isClientError(err: unknown): err is ClientError {
  return err instanceof ClientError;
}
