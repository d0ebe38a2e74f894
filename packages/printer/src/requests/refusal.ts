/**
 * A refused request that carries the attributes at fault: answered with its status and an
 * unsupported-attributes group (RFC 8011 §4.1.7). Handlers throw it; `guard` turns it into a reply.
 */
import { GroupTag, type IppAttribute } from '@trustnoone/ipp';
import { IppStatusError, type IppHandler, type IppReply, type IppRequestContext } from '@trustnoone/ipp-http';

export class Refusal extends IppStatusError {
  readonly unsupported: readonly IppAttribute[];
  constructor(status: number, statusMessage: string, unsupported: readonly IppAttribute[] = [], options?: { cause?: unknown }) {
    super(status, statusMessage, options);
    this.name = 'Refusal';
    this.unsupported = unsupported;
  }
}

export function unsupportedGroup(attrs: readonly IppAttribute[]): IppReply['groups'] {
  return attrs.length > 0 ? [{ tag: GroupTag.unsupported, attributes: [...attrs] }] : [];
}

export function guard(handler: IppHandler): IppHandler {
  return async (ctx: IppRequestContext): Promise<IppReply> => {
    try {
      return await handler(ctx);
    } catch (err) {
      if (err instanceof Refusal) {
        ctx.log.info({ status: err.status, reason: err.statusMessage }, 'ipp: request refused');
        return { status: err.status, statusMessage: err.statusMessage, groups: unsupportedGroup(err.unsupported) };
      }
      throw err;
    }
  };
}
