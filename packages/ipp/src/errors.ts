/**
 * The one error class of @trustnoone/ipp. Every malformed input, exceeded limit or unencodable
 * message surfaces as an IppError with a stable `code`, the byte `offset` where decoding stopped
 * (decode errors only) and the IPP status-code a server should answer with (RFC 8011 §13.1).
 */
import { IppStatus } from './registry/constants.js';

/** Stable error codes; scripts and other packages match on these, never on messages. */
export type IppErrorCode =
  /** The input ended before the structure it announced (header, length, value, end-of-attributes). */
  | 'IPP_TRUNCATED'
  /** The attribute section is larger than `maxMessageBytes`. */
  | 'IPP_MESSAGE_TOO_LARGE'
  /** More attributes (collection members included) than `maxAttributes`. */
  | 'IPP_TOO_MANY_ATTRIBUTES'
  /** A value longer than `maxValueLength` (or than the 2-octet length field can say, when encoding). */
  | 'IPP_VALUE_TOO_LONG'
  /** An attribute name longer than `maxNameLength`. */
  | 'IPP_NAME_TOO_LONG'
  /** Collections nested deeper than `maxCollectionDepth`. */
  | 'IPP_TOO_DEEP'
  /** A value (name-length 0) with no attribute before it to belong to. */
  | 'IPP_MISSING_NAME'
  /** A value tag before the first group tag. */
  | 'IPP_VALUE_OUTSIDE_GROUP'
  /** Broken collection framing: named member, member without value, stray endCollection, ... */
  | 'IPP_BAD_COLLECTION'
  /** A message object the encoder cannot represent (out-of-range number, malformed value). */
  | 'IPP_BAD_VALUE'
  /** The source stream failed or was destroyed while the attribute section was read. */
  | 'IPP_STREAM_ERROR';

/** RFC 8011 §13.1: the status-code each error maps to. */
const STATUS_FOR: Readonly<Record<IppErrorCode, number>> = {
  IPP_TRUNCATED: IppStatus.clientErrorBadRequest,
  IPP_MESSAGE_TOO_LARGE: IppStatus.clientErrorRequestEntityTooLarge,
  IPP_TOO_MANY_ATTRIBUTES: IppStatus.clientErrorRequestEntityTooLarge,
  IPP_VALUE_TOO_LONG: IppStatus.clientErrorRequestValueTooLong,
  IPP_NAME_TOO_LONG: IppStatus.clientErrorRequestValueTooLong,
  IPP_TOO_DEEP: IppStatus.clientErrorBadRequest,
  IPP_MISSING_NAME: IppStatus.clientErrorBadRequest,
  IPP_VALUE_OUTSIDE_GROUP: IppStatus.clientErrorBadRequest,
  IPP_BAD_COLLECTION: IppStatus.clientErrorBadRequest,
  IPP_BAD_VALUE: IppStatus.clientErrorBadRequest,
  IPP_STREAM_ERROR: IppStatus.clientErrorBadRequest,
};

export class IppError extends Error {
  readonly code: IppErrorCode;
  /** Byte offset in the message where the problem was found (decode errors), else undefined. */
  readonly offset: number | undefined;
  /** The IPP status-code a server should answer a request with when this error is raised. */
  readonly status: number;

  constructor(code: IppErrorCode, message: string, options?: { offset?: number; cause?: unknown }) {
    const at = options?.offset === undefined ? '' : ` at offset ${options.offset}`;
    super(`${message}${at}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IppError';
    this.code = code;
    this.offset = options?.offset;
    this.status = STATUS_FOR[code];
  }
}
