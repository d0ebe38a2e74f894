/**
 * Assertions that read like the specifications they check:
 *
 *   expectAttribute('printer-pkcs7-public-key').inGroup('printer').ofSyntax('1setOf text(MAX)').in(response)
 *   expectStatus('client-error-document-security-error').of(response)
 *
 * Syntaxes are written as the IANA IPP registry writes them (RFC 8011 §5.1) and parsed by
 * @trustnoone/ipp, so a test's syntax string can be compared with the registry line by line.
 * Every failure is a ConformanceFailure whose message names the attribute, the group, what was
 * expected and what was received.
 */
import {
  GroupTag,
  findGroups,
  parseSyntax,
  statusCode,
  statusName,
  tagsOf,
  type AttributeSyntax,
  type GroupTagName,
  type IppAttribute,
  type IppMessage,
  type IppValue,
  type SyntaxAlternative,
  isClientErrorStatus,
} from '@trustnoone/ipp';
import { ConformanceFailure } from './model.js';
import { describeValue } from './values.js';

// RFC 8011 §5.1.4; a leading digit is allowed because registered keywords such as the
// ipp-versions-supported values '1.1' and '2.0' start with one.
const KEYWORD = /^[a-z0-9][a-z0-9._-]*$/;
const CHARSET = /^[a-z0-9!#$%&'+^_`{}~-]+$/; // RFC 8011 §5.1.8: lowercase IANA charset names
const LANGUAGE = /^[a-z]{2,8}(-[a-z0-9]{1,8})*$/; // RFC 8011 §5.1.9: lowercase RFC 5646 tags
const MIME = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;.*)?$/i; // RFC 2046 type/subtype
const utf8 = new TextEncoder();

/** Size limits RFC 8011 §5.1 puts on syntaxes that carry none in the registry text. */
const IMPLICIT_MAX: Partial<Record<SyntaxAlternative['type'], number>> = {
  keyword: 255,
  uri: 1023,
  uriScheme: 63,
  charset: 63,
  naturalLanguage: 63,
  mimeMediaType: 255,
};

export function statusNameOf(message: IppMessage): string {
  return statusName(message.code);
}

export class StatusExpectation {
  readonly #names: readonly string[];
  constructor(names: readonly string[]) {
    for (const n of names) if (statusCode(n) === undefined) throw new RangeError(`unknown IPP status '${n}'`);
    this.#names = names;
  }

  /** Fails unless the response's status-code is one of the expected ones. */
  of(response: IppMessage): void {
    if (this.#names.some((n) => statusCode(n) === response.code)) return;
    const detail = statusMessageOf(response);
    throw new ConformanceFailure(
      `expected status ${this.#names.join(' or ')}, got ${statusName(response.code)} (0x${response.code.toString(16).padStart(4, '0')})${detail ? `: "${detail}"` : ''}`,
    );
  }
}

/** The expected status-code(s) of a response (RFC 8011 §4.1.6.1, §13.1). */
export function expectStatus(...names: [string, ...string[]]): StatusExpectation {
  return new StatusExpectation(names);
}

/** RFC 8011 §13.1.4: any client-error-* status (0x0400–0x04FF). */
export function expectClientError(): { of(response: IppMessage): void } {
  return {
    of(response) {
      if (isClientErrorStatus(response.code)) return;
      throw new ConformanceFailure(`expected a client-error-* status, got ${statusName(response.code)}`);
    },
  };
}

export function statusMessageOf(message: IppMessage): string | undefined {
  for (const g of findGroups(message, 'operation')) {
    const a = g.attributes.find((x) => x.name === 'status-message' || x.name === 'detailed-status-message');
    const v = a?.values[0];
    if (v && 'value' in v && typeof v.value === 'string') return v.value;
  }
  return undefined;
}

type Scalar = string | number | boolean;

export class AttributeExpectation {
  readonly #name: string;
  #group: GroupTagName = 'printer';
  #syntax: AttributeSyntax | undefined;
  #setOf = false;
  #values: Scalar[] | undefined;
  #containing: Scalar[] = [];
  #predicates: { test: (a: IppAttribute) => boolean; description: string }[] = [];

  constructor(name: string) {
    this.#name = name;
  }

  inGroup(group: GroupTagName): this {
    this.#group = group;
    return this;
  }

  /** A registry syntax string: "text(MAX)", "1setOf keyword", "integer(1:MAX)", "1setOf (keyword | name(MAX))". */
  ofSyntax(syntax: string): this {
    this.#syntax = parseSyntax(syntax);
    if (this.#syntax.setOf) this.#setOf = true;
    return this;
  }

  /** The attribute is a 1setOf: one or more values (otherwise exactly one value is required). */
  oneSetOf(): this {
    this.#setOf = true;
    return this;
  }

  /** Exactly this value (single-valued) or exactly these values in order (1setOf). */
  withValue(...values: Scalar[]): this {
    this.#values = values;
    return this;
  }

  /** Among the values of a 1setOf. */
  containing(...values: Scalar[]): this {
    this.#containing.push(...values);
    return this;
  }

  /** A condition stated in words (the words appear in the failure message). */
  where(description: string, test: (a: IppAttribute) => boolean): this {
    this.#predicates.push({ description, test });
    return this;
  }

  /** Checks the message; returns the attribute for further use. */
  in(message: IppMessage): IppAttribute {
    const where = `${this.#name} (${this.#group} group)`;
    const found = this.#find(message);
    if (found === undefined) {
      throw new ConformanceFailure(`${where}: missing`);
    }
    const { values } = found;
    if (!this.#setOf && values.length !== 1) {
      throw new ConformanceFailure(`${where}: expected a single value, got ${values.length}`);
    }
    if (this.#syntax) {
      values.forEach((v, i) => {
        const problem = syntaxProblem(v, this.#syntax!);
        if (problem) throw new ConformanceFailure(`${where}: value ${i + 1} ${problem} (expected ${this.#syntax!.text})`);
      });
    }
    const scalars = values.map(scalarOf);
    if (this.#values !== undefined) {
      const want = this.#values;
      if (want.length !== scalars.length || want.some((w, i) => w !== scalars[i])) {
        throw new ConformanceFailure(`${where}: expected ${want.map((w) => JSON.stringify(w)).join(', ')}, got ${values.map(describeValue).join(', ')}`);
      }
    }
    for (const c of this.#containing) {
      if (!scalars.includes(c)) throw new ConformanceFailure(`${where}: does not include ${JSON.stringify(c)} (got ${values.map(describeValue).join(', ')})`);
    }
    for (const p of this.#predicates) {
      if (!p.test(found)) throw new ConformanceFailure(`${where}: expected ${p.description}, got ${values.slice(0, 4).map(describeValue).join(', ')}${values.length > 4 ? ', ...' : ''}`);
    }
    return found;
  }

  /** Fails if the attribute is present (e.g. decrypted job attributes at an intermediary). */
  absentFrom(message: IppMessage): void {
    if (this.#find(message) !== undefined) throw new ConformanceFailure(`${this.#name} (${this.#group} group): must not be returned`);
  }

  #find(message: IppMessage): IppAttribute | undefined {
    for (const g of findGroups(message, GroupTag[this.#group])) {
      const a = g.attributes.find((x) => x.name === this.#name);
      if (a) return a;
    }
    return undefined;
  }
}

export function expectAttribute(name: string): AttributeExpectation {
  return new AttributeExpectation(name);
}

/** A value's JavaScript scalar: strings, numbers, booleans; undefined for structured values. */
export function scalarOf(v: IppValue): Scalar | undefined {
  switch (v.tag) {
    case 'integer':
    case 'enum':
    case 'boolean':
      return v.value;
    case 'textWithLanguage':
    case 'nameWithLanguage':
      return v.value;
    default:
      return typeof (v as { value?: unknown }).value === 'string' ? ((v as { value: string }).value) : undefined;
  }
}

/** Why a value does not fit a syntax, or undefined when it does. */
export function syntaxProblem(v: IppValue, syntax: AttributeSyntax): string | undefined {
  // RFC 8011 §5.1: 'unknown' may stand for any attribute's value the printer cannot determine.
  if (v.tag === 'unknown') return undefined;
  const alternatives = syntax.alternatives.filter((alt) => (tagsOf(alt.type) as readonly string[]).includes(v.tag));
  if (alternatives.length === 0) return `has tag ${v.tag}`;
  const problems = alternatives.map((alt) => alternativeProblem(v, alt));
  return problems.includes(undefined) ? undefined : problems[0];
}

function alternativeProblem(v: IppValue, alt: SyntaxAlternative): string | undefined {
  switch (v.tag) {
    case 'integer':
      if (alt.min !== undefined && v.value < alt.min) return `is ${v.value}, below ${alt.min}`;
      if (alt.max !== undefined && v.value > alt.max) return `is ${v.value}, above ${alt.max}`;
      return undefined;
    case 'rangeOfInteger':
      if (v.value.lower > v.value.upper) return `is the empty range ${v.value.lower}-${v.value.upper}`;
      return undefined;
    case 'enum':
      return v.value < 1 ? `is the enum ${v.value} (enums start at 1)` : undefined;
    case 'textWithoutLanguage':
    case 'textWithLanguage':
    case 'nameWithoutLanguage':
    case 'nameWithLanguage':
      return lengthProblem(v.value, alt.max);
    case 'keyword':
      return KEYWORD.test(v.value) ? lengthProblem(v.value, IMPLICIT_MAX.keyword) : `'${v.value}' is not a keyword (RFC 8011 §5.1.4)`;
    case 'charset':
      return CHARSET.test(v.value) ? lengthProblem(v.value, IMPLICIT_MAX.charset) : `'${v.value}' is not a lowercase charset name (RFC 8011 §5.1.8)`;
    case 'naturalLanguage':
      return LANGUAGE.test(v.value) ? lengthProblem(v.value, IMPLICIT_MAX.naturalLanguage) : `'${v.value}' is not a lowercase language tag (RFC 8011 §5.1.9)`;
    case 'mimeMediaType':
      return MIME.test(v.value) ? lengthProblem(v.value, IMPLICIT_MAX.mimeMediaType) : `'${v.value}' is not a MIME media type (RFC 8011 §5.1.10)`;
    case 'uri': {
      if (!/^[a-z][a-z0-9+.-]*:/i.test(v.value)) return `'${v.value}' is not an absolute URI (RFC 8011 §5.1.6)`;
      return lengthProblem(v.value, IMPLICIT_MAX.uri);
    }
    case 'uriScheme':
      return /^[a-z][a-z0-9+.-]*$/.test(v.value) ? undefined : `'${v.value}' is not a URI scheme (RFC 8011 §5.1.7)`;
    case 'octetString':
      return alt.max !== undefined && v.value.length > alt.max ? `has ${v.value.length} octets, more than ${alt.max}` : undefined;
    default:
      return undefined;
  }
}

function lengthProblem(s: string, max: number | undefined): string | undefined {
  if (max === undefined) return undefined;
  const n = utf8.encode(s).length;
  return n > max ? `has ${n} octets, more than ${max}` : undefined;
}
