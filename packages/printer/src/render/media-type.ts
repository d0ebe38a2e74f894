/**
 * The document-format value split into its media type and parameters (RFC 2045 §5.1 syntax, as
 * RFC 8011 §5.1.10 mimeMediaType values carry it). Only `charset` is used, for text/plain
 * (RFC 2046 §4.1.2); its default there is taken as UTF-8, the IPP Everywhere norm.
 */
import { TextDecoder } from 'node:util';
import { RenderError } from './errors.js';

export interface MediaType {
  /** Lower-case `type/subtype`. */
  essence: string;
  /** Lower-case charset parameter, when present (quotes removed). */
  charset?: string;
}

export function parseMediaType(value: string): MediaType {
  const [head, ...params] = value.split(';');
  const essence = head!.trim().toLowerCase();
  let charset: string | undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    charset = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return charset === undefined ? { essence } : { essence, charset };
}

/** A TextDecoder for the charset, or RENDER_UNSUPPORTED_FORMAT naming it. */
export function textDecoderFor(charset: string | undefined): TextDecoder {
  try {
    return new TextDecoder(charset ?? 'utf-8', { fatal: false });
  } catch (error) {
    throw new RenderError('RENDER_UNSUPPORTED_FORMAT', `text/plain charset ${JSON.stringify(charset)} is not supported`, { cause: error });
  }
}
