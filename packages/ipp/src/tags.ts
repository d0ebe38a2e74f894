import { GroupTag, ValueTag } from './model.js';
import type { GroupTagName, IppValueTagName } from './model.js';

/** Value-tag code → the `IppValue.tag` name it decodes to; undefined codes decode as `raw`. */
export const VALUE_TAG_NAME: readonly (IppValueTagName | undefined)[] = (() => {
  const table: (IppValueTagName | undefined)[] = new Array(256).fill(undefined);
  for (const [name, code] of Object.entries(ValueTag)) {
    if (name === 'begCollection') table[code] = 'collection';
    else if (name === 'endCollection' || name === 'extension') continue;
    else table[code] = name as IppValueTagName;
  }
  return table;
})();

/** `IppValue.tag` name → its code (begCollection for `collection`; `raw` carries its own code). */
export const VALUE_TAG_CODE: Readonly<Record<Exclude<IppValueTagName, 'raw'>, number>> = (() => {
  const out: Record<string, number> = {};
  for (const [name, code] of Object.entries(ValueTag)) {
    if (name === 'endCollection' || name === 'extension') continue;
    out[name === 'begCollection' ? 'collection' : name] = code;
  }
  return out as Record<Exclude<IppValueTagName, 'raw'>, number>;
})();

const GROUP_NAME_BY_CODE = new Map<number, GroupTagName>(
  Object.entries(GroupTag).map(([name, code]) => [code, name as GroupTagName]),
);

/** The group tag name for a code, or undefined for a reserved/unknown delimiter. */
export function groupTagName(code: number): GroupTagName | undefined {
  return GROUP_NAME_BY_CODE.get(code);
}

/** Accepts a group tag by name or number. */
export function groupTagCode(group: GroupTagName | number): number {
  return typeof group === 'number' ? group : GroupTag[group];
}
