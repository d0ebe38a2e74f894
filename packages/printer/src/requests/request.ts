/** Reading the parts of a request every operation needs (RFC 8011 §4.1, §4.2). */
import type { IppAttribute, IppMessage } from '@trustnoone/ipp';
import { IppStatusError } from '@trustnoone/ipp-http';
import { GroupTag } from '@trustnoone/ipp';
import { firstBoolean, firstInteger, firstString, stringValues } from '../attributes/values.js';
import { IppStatus as Status } from '@trustnoone/ipp';

export function operationGroup(message: IppMessage): readonly IppAttribute[] {
  return message.groups.find((g) => g.tag === GroupTag.operation)?.attributes ?? [];
}

/** The job group (Job Template attributes) of a job creation request, empty when absent. */
export function jobGroup(message: IppMessage): readonly IppAttribute[] {
  return message.groups.filter((g) => g.tag === GroupTag.job).flatMap((g) => g.attributes);
}

export class OperationAttributes {
  constructor(private readonly attrs: readonly IppAttribute[]) {}

  get(name: string): IppAttribute | undefined {
    return this.attrs.find((a) => a.name === name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** A single-valued string of one of `tags`; a wrong syntax is a bad request (RFC 8011 §4.1.3). */
  string(name: string, tags: readonly string[]): string | undefined {
    const a = this.get(name);
    if (!a) return undefined;
    const v = a.values[0];
    if (a.values.length !== 1 || !v || !tags.includes(v.tag)) throw badRequest(`${name} has the wrong syntax`);
    return firstString(a);
  }

  integer(name: string): number | undefined {
    const a = this.get(name);
    if (!a) return undefined;
    if (a.values.length !== 1 || a.values[0]?.tag !== 'integer') throw badRequest(`${name} must be one integer`);
    return firstInteger(a);
  }

  boolean(name: string): boolean | undefined {
    const a = this.get(name);
    if (!a) return undefined;
    if (a.values.length !== 1 || a.values[0]?.tag !== 'boolean') throw badRequest(`${name} must be one boolean`);
    return firstBoolean(a);
  }

  keywords(name: string): string[] | undefined {
    const a = this.get(name);
    if (!a) return undefined;
    if (!a.values.every((v) => v.tag === 'keyword')) throw badRequest(`${name} must be keywords`);
    return stringValues(a);
  }
}

export function opAttrs(message: IppMessage): OperationAttributes {
  return new OperationAttributes(operationGroup(message));
}

export function badRequest(message: string): IppStatusError {
  return new IppStatusError(Status.clientErrorBadRequest, message);
}

/**
 * The requesting user (RFC 8011 §9.3): the HTTP-authenticated name when there is one, else the
 * requesting-user-name the client states, else "anonymous".
 */
export function requestingUser(ctxUser: string | undefined, message: IppMessage): string {
  if (ctxUser) return ctxUser;
  const name = opAttrs(message).string('requesting-user-name', ['nameWithoutLanguage', 'nameWithLanguage']);
  return name && name.length > 0 ? name : 'anonymous';
}
