/**
 * The one error class of @trustnoone/ipp. Every malformed input, exceeded limit or unencodable
 * message surfaces as an IppError with a stable `code`, the byte `offset` where decoding stopped
 * (decode errors only) and the IPP status-code a server should answer with (RFC 8011 §13.1).
 */
import { IppStatus } from './registry/constants.js';

/** Stable error codes; scripts and other packages match on these, never on messages. */
export type IppErrorCode =
  /** The input ended before the structure it announced (header, length, value, end-of-attributes). */
  | 'truncated'
  /** The attribute section is larger than `maxMessageBytes`. */
  | 'message-too-large'
  /** More attributes (collection members included) than `maxAttributes`. */
  | 'too-many-attributes'
  /** A value longer than `maxValueLength` (or than the 2-octet length field can say, when encoding). */
  | 'value-too-long'
  /** An attribute name longer than `maxNameLength`. */
  | 'name-too-long'
  /** Collections nested deeper than `maxCollectionDepth`. */
  | 'too-deep'
  /** A value (name-length 0) with no attribute before it to belong to. */
  | 'missing-name'
  /** A value tag before the first group tag. */
  | 'value-outside-group'
  /** Broken collection framing: named member, member without value, stray endCollection, ... */
  | 'bad-collection'
  /** A message object the encoder cannot represent (out-of-range number, malformed value). */
  | 'bad-value'
  /** The source stream failed or was destroyed while the attribute section was read. */
  | 'stream-error';

/** RFC 8011 §13.1: the status-code each error maps to. */
const STATUS_FOR: Readonly<Record<IppErrorCode, number>> = {
  truncated: IppStatus.clientErrorBadRequest,
  'message-too-large': IppStatus.clientErrorRequestEntityTooLarge,
  'too-many-attributes': IppStatus.clientErrorRequestEntityTooLarge,
  'value-too-long': IppStatus.clientErrorRequestValueTooLong,
  'name-too-long': IppStatus.clientErrorRequestValueTooLong,
  'too-deep': IppStatus.clientErrorBadRequest,
  'missing-name': IppStatus.clientErrorBadRequest,
  'value-outside-group': IppStatus.clientErrorBadRequest,
  'bad-collection': IppStatus.clientErrorBadRequest,
  'bad-value': IppStatus.clientErrorBadRequest,
  'stream-error': IppStatus.clientErrorBadRequest,
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
