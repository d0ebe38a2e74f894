import type { IppValueTagName } from '../model.js';

/**
 * Attribute syntaxes as the IANA IPP registry writes them (RFC 8011 §5.1): "1setOf (keyword |
 * name(MAX))", "integer(1:MAX)", "text(1023)", ... parsed into a structure validation and the
 * builders use.
 */
export type SyntaxType =
  | 'integer'
  | 'boolean'
  | 'enum'
  | 'octetString'
  | 'dateTime'
  | 'resolution'
  | 'rangeOfInteger'
  | 'collection'
  | 'text'
  | 'name'
  | 'keyword'
  | 'uri'
  | 'uriScheme'
  | 'charset'
  | 'naturalLanguage'
  | 'mimeMediaType'
  | 'memberAttrName'
  | 'no-value'
  | 'unknown';

export interface SyntaxAlternative {
  readonly type: SyntaxType;
  /** Lower bound of integer/rangeOfInteger ranges. */
  readonly min?: number;
  /** Upper bound of integer/rangeOfInteger ranges, or maximum octets of text/name/octetString. */
  readonly max?: number;
}

export interface AttributeSyntax {
  /** The registry's own text, normalised ("1setOf keyword | name(MAX)"). */
  readonly text: string;
  readonly setOf: boolean;
  readonly alternatives: readonly SyntaxAlternative[];
}

const TYPES = new Set<string>([
  'integer', 'boolean', 'enum', 'octetString', 'dateTime', 'resolution', 'rangeOfInteger', 'collection', 'text', 'name',
  'keyword', 'uri', 'uriScheme', 'charset', 'naturalLanguage', 'mimeMediaType', 'memberAttrName', 'no-value', 'unknown',
]);

/** RFC 8011 §5.1.2/§5.1.3: text and name without a bound mean 1023 and 255 octets; MAX means the same. */
const DEFAULT_MAX: Partial<Record<SyntaxType, number>> = { text: 1023, name: 255, octetString: 1023 };
const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

function bound(text: string, type: SyntaxType): number {
  if (text === 'MIN') return INT_MIN;
  if (text === 'MAX') return DEFAULT_MAX[type] ?? INT_MAX;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new Error(`bad bound '${text}'`);
  return n;
}

/** Parses one syntax string; throws Error on anything it does not understand (the generator relies on that). */
export function parseSyntax(source: string): AttributeSyntax {
  let rest = source.trim();
  const setOf = rest.startsWith('1setOf ');
  if (setOf) rest = rest.slice('1setOf '.length).trim();
  if (rest.startsWith('(') && rest.endsWith(')')) rest = rest.slice(1, -1);
  const alternatives = rest.split('|').map((part): SyntaxAlternative => {
    const m = /^(?:type[123] )?([A-Za-z-]+)(?:\(([^):]+)(?::([^)]+))?\))?$/.exec(part.trim());
    if (m === null || !TYPES.has(m[1]!)) throw new Error(`unknown syntax '${part.trim()}' in '${source}'`);
    const type = m[1] as SyntaxType;
    if (m[3] !== undefined) return { type, min: bound(m[2]!, type), max: bound(m[3], type) };
    if (m[2] !== undefined) return { type, max: bound(m[2], type) };
    const max = DEFAULT_MAX[type];
    return max === undefined ? { type } : { type, max };
  });
  const text = `${setOf ? '1setOf ' : ''}${alternatives.length > 1 && setOf ? '(' : ''}${rest
    .split('|')
    .map((p) => p.trim().replace(/^type[123] /, ''))
    .join(' | ')}${alternatives.length > 1 && setOf ? ')' : ''}`;
  return { text, setOf, alternatives };
}

/** The value tags an alternative allows on the wire. */
export function tagsOf(type: SyntaxType): readonly IppValueTagName[] {
  switch (type) {
    case 'text':
      return ['textWithoutLanguage', 'textWithLanguage'];
    case 'name':
      return ['nameWithoutLanguage', 'nameWithLanguage'];
    case 'no-value':
      return ['noValue'];
    case 'unknown':
      return ['unknown'];
    default:
      return [type];
  }
}
