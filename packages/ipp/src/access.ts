import type { GroupTagName, IppAttribute, IppGroup, IppMessage, IppValue } from './model.js';
import { groupTagCode } from './tags.js';

/**
 * Reading attributes out of a decoded message. Lookups return undefined rather than throw: what
 * a missing or ill-typed attribute means is the caller's (or validateRequest's) decision.
 */

/** Every group with this tag, in wire order (Get-Jobs responses repeat the job group). */
export function findGroups(message: IppMessage, group: GroupTagName | number): IppGroup[] {
  const code = groupTagCode(group);
  return message.groups.filter((g) => g.tag === code);
}

/** The first group with this tag. */
export function findGroup(message: IppMessage, group: GroupTagName | number): IppGroup | undefined {
  const code = groupTagCode(group);
  return message.groups.find((g) => g.tag === code);
}

/** The first attribute of this name in the first group with this tag that holds one. */
export function findAttribute(message: IppMessage, group: GroupTagName | number, name: string): IppAttribute | undefined {
  const code = groupTagCode(group);
  for (const g of message.groups) {
    if (g.tag !== code) continue;
    const found = g.attributes.find((a) => a.name === name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A member of a collection value (or of a group's attribute list) by name. */
export function findMember(collection: IppValue | readonly IppAttribute[] | undefined, name: string): IppAttribute | undefined {
  if (collection === undefined) return undefined;
  const members = Array.isArray(collection) ? (collection as readonly IppAttribute[]) : valueMembers(collection as IppValue);
  return members?.find((a) => a.name === name);
}

function valueMembers(value: IppValue): readonly IppAttribute[] | undefined {
  return value.tag === 'collection' ? value.value : undefined;
}

/** The string of a character-string value (any text/name/keyword/uri/... tag, with or without language). */
export function stringOf(value: IppValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  switch (value.tag) {
    case 'textWithoutLanguage':
    case 'nameWithoutLanguage':
    case 'textWithLanguage':
    case 'nameWithLanguage':
    case 'keyword':
    case 'uri':
    case 'uriScheme':
    case 'charset':
    case 'naturalLanguage':
    case 'mimeMediaType':
    case 'memberAttrName':
      return value.value;
    default:
      return undefined;
  }
}

/** The number of an integer or enum value. */
export function integerOf(value: IppValue | undefined): number | undefined {
  return value !== undefined && (value.tag === 'integer' || value.tag === 'enum') ? value.value : undefined;
}

export function booleanOf(value: IppValue | undefined): boolean | undefined {
  return value?.tag === 'boolean' ? value.value : undefined;
}

/** First value as a string (keyword, name, text, uri, ...). */
export function getString(message: IppMessage, group: GroupTagName | number, name: string): string | undefined {
  return stringOf(findAttribute(message, group, name)?.values[0]);
}

/** All values as strings; values of other syntaxes are skipped. */
export function getStrings(message: IppMessage, group: GroupTagName | number, name: string): string[] {
  const out: string[] = [];
  for (const v of findAttribute(message, group, name)?.values ?? []) {
    const s = stringOf(v);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** First value as a number (integer or enum). */
export function getInteger(message: IppMessage, group: GroupTagName | number, name: string): number | undefined {
  return integerOf(findAttribute(message, group, name)?.values[0]);
}

export function getBoolean(message: IppMessage, group: GroupTagName | number, name: string): boolean | undefined {
  return booleanOf(findAttribute(message, group, name)?.values[0]);
}
