/**
 * Small read/write helpers over the @trustnoone/ipp message model. The intermediary only ever looks
 * at cleartext routing attributes; it never interprets document data.
 */
import { booleanOf, findAttribute, GroupTag, integerOf, stringOf, type IppAttribute, type IppGroup, type IppMessage, type IppValue } from '@trustnoone/ipp';

export { findAttribute } from '@trustnoone/ipp';

export function operationAttribute(message: IppMessage, name: string): IppAttribute | undefined {
  return findAttribute(message, GroupTag.operation, name);
}

/** The first value of an attribute as a string, for the string-valued syntaxes. */
export function stringValue(attr: IppAttribute | undefined): string | undefined {
  return stringOf(attr?.values[0]);
}

export function integerValue(attr: IppAttribute | undefined): number | undefined {
  return integerOf(attr?.values[0]);
}

export function booleanValue(attr: IppAttribute | undefined): boolean | undefined {
  return booleanOf(attr?.values[0]);
}

export function keywords(attr: IppAttribute | undefined): string[] {
  if (!attr) return [];
  return attr.values.flatMap((v) => (v.tag === 'keyword' ? [v.value] : []));
}

export const attr = {
  integer: (name: string, ...values: number[]): IppAttribute => ({ name, values: values.map((value) => ({ tag: 'integer', value })) }),
  enum: (name: string, ...values: number[]): IppAttribute => ({ name, values: values.map((value) => ({ tag: 'enum', value })) }),
  boolean: (name: string, value: boolean): IppAttribute => ({ name, values: [{ tag: 'boolean', value }] }),
  keyword: (name: string, ...values: string[]): IppAttribute => ({ name, values: values.map((value) => ({ tag: 'keyword', value })) }),
  uri: (name: string, ...values: string[]): IppAttribute => ({ name, values: values.map((value) => ({ tag: 'uri', value })) }),
  text: (name: string, ...values: string[]): IppAttribute => ({ name, values: values.map((value) => ({ tag: 'textWithoutLanguage', value })) }),
  name: (name: string, ...values: string[]): IppAttribute => ({ name, values: values.map((value) => ({ tag: 'nameWithoutLanguage', value })) }),
  charset: (name: string, value: string): IppAttribute => ({ name, values: [{ tag: 'charset', value }] }),
  naturalLanguage: (name: string, value: string): IppAttribute => ({ name, values: [{ tag: 'naturalLanguage', value }] }),
  mimeMediaType: (name: string, value: string): IppAttribute => ({ name, values: [{ tag: 'mimeMediaType', value }] }),
  values: (name: string, values: readonly IppValue[]): IppAttribute => ({ name, values }),
};

/** RFC 8011 §4.1.4.2: every response starts with attributes-charset and attributes-natural-language. */
export function responseOperationGroup(extra: readonly IppAttribute[] = [], language = 'en'): IppGroup {
  return {
    tag: GroupTag.operation,
    attributes: [attr.charset('attributes-charset', 'utf-8'), attr.naturalLanguage('attributes-natural-language', language), ...extra],
  };
}

/** A response message answering `request` with `status`, an optional status-message and groups. */
export function response(request: IppMessage, status: number, groups: readonly IppGroup[] = [], statusMessage?: string): IppMessage {
  const op = responseOperationGroup(statusMessage ? [attr.text('status-message', statusMessage.slice(0, 255))] : []);
  return { version: request.version, code: status, requestId: request.requestId, groups: [op, ...groups] };
}

export function countAttributes(message: IppMessage): number {
  let n = 0;
  for (const g of message.groups) n += g.attributes.length;
  return n;
}
