import type { Readable } from 'node:stream';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { IppAttribute, IppGroup, IppMessage, IppVersion } from '@trustnoone/ipp';
import type { Principal } from './auth/principal.js';

/** What an operation handler is given: the decoded attribute section and the document stream. */
export interface IppRequestContext {
  readonly message: IppMessage;
  readonly operationId: number;
  /**
   * The document data after end-of-attributes, streamed from the socket. Consume it, or leave it:
   * the transport discards what is left (closing the connection rather than reading a huge upload).
   */
  readonly data: Readable;
  /** The user authenticated at the HTTP layer, if the server authenticates (principal.name). */
  readonly user: string | undefined;
  /** Who the HTTP layer proved the client to be (scheme, scopes, role); undefined for anonymous. */
  readonly principal: Principal | undefined;
  readonly remoteAddress: string;
  /** True when the request arrived over TLS. */
  readonly secure: boolean;
  /** The URL path the request was posted to (which printer object it addresses). */
  readonly path: string;
  readonly log: FastifyBaseLogger;
  readonly http: FastifyRequest;
}

/** What a handler answers; the transport adds charset, natural language and status-message. */
export interface IppReply {
  readonly status: number;
  /** Goes to the network: never put decrypted bytes or secret details here. */
  readonly statusMessage?: string;
  /** Operation attributes to append after attributes-charset/-natural-language/status-message. */
  readonly operationAttributes?: readonly IppAttribute[];
  /** Further groups (unsupported, job, printer, document, ...) in order. */
  readonly groups?: readonly IppGroup[];
  /** Response data after the attributes (e.g. a sealed Get-Encrypted-Job-Attributes answer). */
  readonly data?: Readable | Uint8Array;
  /** Defaults to the request's version when supported, else 2.0. */
  readonly version?: IppVersion;
}

export type IppHandler = (ctx: IppRequestContext) => Promise<IppReply>;
