/**
 * The scanner behind one-vocabulary.test.ts (issue 14.1): finds, in TypeScript code outside
 * @trustnoone/ipp, the places that spell an IPP operation, status code or enum value themselves
 * instead of naming it through the generated constants (IppOperation, IppStatus, IppEnum) or the
 * registry lookups (operationName, statusName, enumName).
 */
import { ENUMS, OPERATIONS, STATUS_CODES } from '../src/registry/generated.js';

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly what: string;
}

/**
 * The code of a TypeScript source with comments blanked out (line breaks kept), so a comment may
 * cite "Get-Jobs (0x000A)" while code may not use 0x000a. With `blankStrings`, the contents of
 * string and template literals go too (a message may say "status 0x0420"). Template literals are
 * taken as plain strings, `${}` included, which is all the rules below need.
 */
export function codeOnly(text: string, blankStrings = false): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += blankStrings ? c + text.slice(i + 1, j).replace(/[^\n]/g, ' ') + c : text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The class boundaries a hand-written status check compares against (RFC 8011 Appendix B). */
const STATUS_BOUNDARIES = new Set([0x00ff, 0x0100, 0x03ff, 0x04ff, 0x05ff]);
const REGISTERED_NAMES = new Set([...OPERATIONS.values(), ...STATUS_CODES.values()]);
/** keyword → the values it has in some registered enum (operations-supported and fetch-status-code are the tables above). */
const ENUM_KEYWORDS = new Map<string, Set<number>>();
for (const [attribute, table] of ENUMS) {
  if (attribute === 'operations-supported' || attribute === 'fetch-status-code') continue;
  for (const [value, keyword] of table) ENUM_KEYWORDS.set(keyword, (ENUM_KEYWORDS.get(keyword) ?? new Set()).add(value));
}

const HEX4 = /\b0x([0-9a-fA-F]{4})\b/g;
const NUMBER = String.raw`(0x[0-9a-fA-F]+|\d+)`;
const NAME = String.raw`['"]([A-Za-z][A-Za-z0-9-]*)['"]`;
/** `3: 'idle'`, `[0x0002, 'Print-Job']`, `0x0400: 'client-error-bad-request'`: an object key or a Map entry. */
const NUMBER_THEN_NAME = new RegExp(String.raw`(?:\[\s*${NUMBER}\s*,|${NUMBER}\s*:)\s*${NAME}`, 'g');
/** `'client-error-bad-request': 0x0400`, `['Print-Job', 2]`. */
const NAME_THEN_NUMBER = new RegExp(String.raw`(?:\[\s*${NAME}\s*,|${NAME}\s*:)\s*${NUMBER}\b`, 'g');

/** `pendingHeld: 4`, `clientErrorNotFound: 1030`: a camelCase key naming a registered value. */
const KEY_THEN_NUMBER = new RegExp(String.raw`(?<![\w.'"])([a-z][A-Za-z0-9]*)\s*:\s*${NUMBER}\b`, 'g');
const camel = (name: string): string => name.toLowerCase().replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const CAMEL_NAMES = new Set([...REGISTERED_NAMES].map(camel));
const CAMEL_KEYWORDS = new Map([...ENUM_KEYWORDS].map(([k, v]) => [camel(k), { keyword: k, values: v }]));

function tableEntry(name: string, value: number): string | undefined {
  if (REGISTERED_NAMES.has(name)) return `table entry pairing '${name}' with a number`;
  if (ENUM_KEYWORDS.get(name)?.has(value)) return `enum table entry ${value} = '${name}'`;
  return undefined;
}

function keyEntry(key: string, value: number): string | undefined {
  if (CAMEL_NAMES.has(key)) return `table entry pairing ${key} with a number`;
  if (CAMEL_KEYWORDS.get(key)?.values.has(value)) return `enum table entry ${key} = ${value}`;
  return undefined;
}

/** Every place in one file's code that writes an operation, status or enum value by hand. */
export function scanSource(file: string, text: string): Finding[] {
  const found: Finding[] = [];
  const bare = codeOnly(text, true).split('\n');
  codeOnly(text)
    .split('\n')
    .forEach((line, index) => {
      const at = (what: string): void => void found.push({ file, line: index + 1, what });
      for (const m of bare[index]!.matchAll(HEX4)) {
        const value = Number.parseInt(m[1]!, 16);
        if (OPERATIONS.has(value) || STATUS_CODES.has(value) || STATUS_BOUNDARIES.has(value)) at(`raw operation/status literal ${m[0]}`);
      }
      for (const m of line.matchAll(NUMBER_THEN_NAME)) {
        const what = tableEntry(m[3]!, Number(m[1] ?? m[2]));
        if (what !== undefined) at(what);
      }
      for (const m of line.matchAll(KEY_THEN_NUMBER)) {
        const what = keyEntry(m[1]!, Number(m[2]));
        if (what !== undefined) at(what);
      }
      for (const m of line.matchAll(NAME_THEN_NUMBER)) {
        const what = tableEntry(m[1] ?? m[2]!, Number(m[3]));
        if (what !== undefined) at(what);
      }
    });
  return found;
}
