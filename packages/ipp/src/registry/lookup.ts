import { GroupTag } from '../model.js';
import { ATTRIBUTES, COLLECTION_ALIASES, ENUMS, OPERATIONS, STATUS_CODES } from './generated.js';
import type { IppOperationName, IppStatusName } from './constants.js';
import { parseSyntax } from './syntax.js';
import type { AttributeSyntax } from './syntax.js';

/**
 * Lookups over the generated registry, in pairs that fall back to the number so a log line or a
 * JSON dump never loses an unregistered code: operationName(0x1234) is "0x1234".
 */

function invert(map: ReadonlyMap<number, string>): Map<string, number> {
  return new Map([...map].map(([code, name]) => [name, code]));
}
const OPERATION_CODES = invert(OPERATIONS);
const STATUS_CODE_BY_NAME = invert(STATUS_CODES);

function hex4(code: number): string {
  return `0x${code.toString(16).padStart(4, '0')}`;
}

function parseHex(name: string): number | undefined {
  return /^0x[0-9a-f]{1,4}$/i.test(name) ? Number.parseInt(name.slice(2), 16) : undefined;
}

/** "Print-Job" for 0x0002; "0x1234" for an unregistered code. */
export function operationName(code: number): string {
  return OPERATIONS.get(code) ?? hex4(code);
}

/** 0x0002 for "Print-Job"; accepts "0x1234" too; undefined for an unknown name. */
export function operationCode(name: IppOperationName): number;
export function operationCode(name: string): number | undefined;
export function operationCode(name: string): number | undefined {
  return OPERATION_CODES.get(name) ?? parseHex(name);
}

/** "successful-ok" for 0; "0x0abc" for an unregistered code. */
export function statusName(code: number): string {
  return STATUS_CODES.get(code) ?? hex4(code);
}

/** 0x0406 for "client-error-not-found"; accepts "0x0abc" too; undefined for an unknown name. */
export function statusCode(name: IppStatusName): number;
export function statusCode(name: string): number | undefined;
export function statusCode(name: string): number | undefined {
  return STATUS_CODE_BY_NAME.get(name) ?? parseHex(name);
}

/** The keyword of an enum value ("idle" for printer-state 3), or the number as a string. */
export function enumName(attribute: string, value: number): string {
  return ENUMS.get(attribute)?.get(value) ?? String(value);
}

/** The number of an enum keyword for that attribute, or undefined. */
export function enumValue(attribute: string, keyword: string): number | undefined {
  const table = ENUMS.get(attribute);
  if (table === undefined) return undefined;
  for (const [value, name] of table) if (name === keyword) return value;
  return /^-?\d+$/.test(keyword) ? Number(keyword) : undefined;
}

/** Registry groups (the IANA registry's sections), mapped to the wire group that carries them. */
export type RegistryGroup =
  | 'operation'
  | 'job-template'
  | 'document-template'
  | 'job-description'
  | 'printer-description'
  | 'printer-status'
  | 'document-description'
  | 'subscription-template'
  | 'subscription-description'
  | 'event-notification'
  | 'resource-description'
  | 'resource-status'
  | 'system-description'
  | 'system-status';

/** Where to look for an attribute found in a wire group, in order. */
const SECTIONS_FOR_GROUP: ReadonlyMap<number, readonly RegistryGroup[]> = new Map([
  [GroupTag.operation, ['operation']],
  [GroupTag.job, ['job-template', 'job-description']],
  [GroupTag.printer, ['printer-description', 'printer-status']],
  [GroupTag.unsupported, ['operation', 'job-template', 'printer-description']],
  [GroupTag.subscription, ['subscription-template', 'subscription-description']],
  [GroupTag.eventNotification, ['event-notification', 'subscription-description', 'job-description', 'printer-status']],
  [GroupTag.resource, ['resource-description', 'resource-status']],
  [GroupTag.document, ['document-template', 'document-description', 'job-template']],
  [GroupTag.system, ['system-description', 'system-status']],
]);
const ALL_SECTIONS = [...ATTRIBUTES.keys()].filter((g) => g !== 'member') as RegistryGroup[];

const parsed = new Map<string, AttributeSyntax>();
function syntaxOf(text: string | undefined): AttributeSyntax | undefined {
  if (text === undefined) return undefined;
  let s = parsed.get(text);
  if (s === undefined) {
    s = parseSyntax(text);
    parsed.set(text, s);
  }
  return s;
}

/**
 * The registered syntax of an attribute. With a wire group tag (or registry section), looks in
 * the sections that group carries; without, in every section.
 */
export function attributeSyntax(name: string, where?: number | RegistryGroup): AttributeSyntax | undefined {
  const sections = where === undefined ? ALL_SECTIONS : typeof where === 'number' ? (SECTIONS_FOR_GROUP.get(where) ?? ALL_SECTIONS) : [where];
  for (const section of sections) {
    const text = ATTRIBUTES.get(section)?.get(name);
    if (text !== undefined) return syntaxOf(text);
  }
  return undefined;
}

/** RFC 8011 §5.2: Job Template attribute X has Printer attributes X-default and X-supported; the media ones add X-ready (media-ready, media-col-ready) and X-database (media-col-database, PWG 5100.7). */
const TEMPLATE_PRINTER_SUFFIXES = ['-default', '-supported', '-ready', '-database'] as const;

/**
 * Whether a Printer attribute is one of the Printer attributes of a Job Template attribute (the
 * 'job-template' group of requested-attributes, RFC 8011 §4.2.5.1) rather than a Printer
 * Description attribute: its name is a registered Job Template attribute plus one of the suffixes
 * above. compression-supported and document-format-supported are not (compression and
 * document-format are operation attributes).
 */
export function isJobTemplatePrinterAttribute(name: string): boolean {
  const template = ATTRIBUTES.get('job-template');
  for (const suffix of TEMPLATE_PRINTER_SUFFIXES) {
    if (name.endsWith(suffix) && template?.has(name.slice(0, -suffix.length))) return true;
  }
  return false;
}

/** Resolves the collection a path names, following aliases ("media-col-database" → "media-col"). */
function canonicalPath(path: readonly string[]): string {
  let key = '';
  for (const part of path) {
    key = key === '' ? part : `${key}.${part}`;
    key = COLLECTION_ALIASES.get(key) ?? COLLECTION_ALIASES.get(part) ?? key;
  }
  return key;
}

/**
 * The syntax of a member of a collection-valued attribute: `path` is the attribute then any
 * enclosing members, e.g. memberSyntax(['media-col', 'media-size'], 'x-dimension').
 */
export function memberSyntax(path: readonly string[], member: string): AttributeSyntax | undefined {
  const members = ATTRIBUTES.get('member');
  const direct = members?.get(`${canonicalPath(path)}.${member}`);
  if (direct !== undefined) return syntaxOf(direct);
  // A nested collection that reuses a top-level one (job-sheets-col.media-col → media-col).
  if (path.length > 1) return memberSyntax(path.slice(1), member);
  return undefined;
}

/** Every registered attribute name with its syntax text, for documentation and tests. */
export function registeredAttributes(): { section: string; name: string; syntax: string }[] {
  const out: { section: string; name: string; syntax: string }[] = [];
  for (const [section, table] of ATTRIBUTES) for (const [name, syntax] of table) out.push({ section, name, syntax });
  return out;
}
