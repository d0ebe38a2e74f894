/**
 * Errors of the isolated renderers. The codes are stable: the printer maps every one of them (but
 * RENDER_ABORTED, which it asked for) to the job ending `aborted` with `document-format-error`
 * (PWG 5100.14 / RFC 8011 §5.3.8), and only the code, never the message, reaches a network peer.
 */
export const RENDER_ERROR_CODES = [
  /** The document-format has no renderer here. */
  'RENDER_UNSUPPORTED_FORMAT',
  /** The document does not parse as the format it claims (bad header, truncated data, ...). */
  'RENDER_MALFORMED',
  /** The document parses but asks for more than the limits allow (pixels, pages, bytes). */
  'RENDER_LIMIT_EXCEEDED',
  /** The renderer did not finish within its wall-clock or CPU budget and was killed. */
  'RENDER_TIMEOUT',
  /** The caller's AbortSignal fired (e.g. the job was canceled); the renderer was killed. */
  'RENDER_ABORTED',
  /** The isolated worker died (memory limit, signal) or broke its protocol. */
  'RENDER_WORKER_FAILED',
  /** The input could not be read or the output could not be written. */
  'RENDER_IO',
  /** The renderer sandbox cannot be set up (no usable bubblewrap as root, unknown render user). */
  'RENDER_SANDBOX',
] as const;

export type RenderErrorCode = (typeof RENDER_ERROR_CODES)[number];

export interface RenderErrorOptions {
  cause?: unknown;
  /** Byte offset in the input where a decode error was found. */
  offset?: number;
}

export class RenderError extends Error {
  override readonly name = 'RenderError';
  readonly code: RenderErrorCode;
  readonly offset: number | undefined;

  constructor(code: RenderErrorCode, message: string, options: RenderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.offset = options.offset;
  }
}

export function isRenderErrorCode(value: unknown): value is RenderErrorCode {
  return typeof value === 'string' && (RENDER_ERROR_CODES as readonly string[]).includes(value);
}

export const malformed = (message: string, offset?: number): RenderError =>
  new RenderError('RENDER_MALFORMED', offset === undefined ? message : `${message} (at byte ${offset})`, { offset });

export const limitExceeded = (message: string): RenderError => new RenderError('RENDER_LIMIT_EXCEEDED', message);
