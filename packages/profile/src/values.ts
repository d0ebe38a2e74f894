/**
 * Short helpers to write and read the few attribute syntaxes the profile uses: the codec's value
 * helpers under short names, and group/attribute lookups on the @trustnoone/ipp message model.
 */
import { findAttribute as findAttr, GroupTag, type IppAttribute, type IppMessage } from '@trustnoone/ipp';

/** The codec's one-argument value helpers and attribute builder, under the short names this module's callers use. */
export { oneArg as v, attribute as attr } from '@trustnoone/ipp';

/** The groups of `message` with the given delimiter tag, in wire order (the codec's findGroups). */
export { findGroups as groupsOf, findAttribute as findAttr } from '@trustnoone/ipp';

export function operationAttr(message: IppMessage, name: string): IppAttribute | undefined {
  return findAttr(message, GroupTag.operation, name);
}

/** The string of a single-valued string attribute, or undefined when absent or of another syntax. */
export function stringValue(a: IppAttribute | undefined): string | undefined {
  const first = a?.values[0];
  if (!first || a.values.length !== 1) return undefined;
  return 'value' in first && typeof first.value === 'string' ? first.value : undefined;
}
