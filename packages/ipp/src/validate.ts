import { Buffer } from 'node:buffer';
import { GroupTag, IppOperation, IppStatus } from './model.js';
import type { IppAttribute, IppMessage, IppValue } from './model.js';
import { attributeSyntax, memberSyntax, operationName } from './registry/lookup.js';
import type { AttributeSyntax, SyntaxAlternative } from './registry/syntax.js';
import { tagsOf } from './registry/syntax.js';
import { operationTarget } from './validate-targets.js';
import { validateOperation, type ValidateOperationOptions } from './operations/validate-operation.js';
import { operationRule } from './operations/required.js';

/**
 * RFC 8011 request validation, separate from decoding: the decoder accepts anything well framed;
 * this says what a Printer must refuse and with which status. Violations come in the order the
 * checks run, which is the order a Printer answers them in (RFC 8011 §4.1.1-§4.1.8): the first
 * violation's status is the response status.
 */

export type ViolationCode =
  | 'version-not-supported'
  | 'request-id-zero'
  | 'operation-not-supported'
  | 'operation-group-not-first'
  | 'group-repeated'
  | 'group-not-allowed'
  | 'attribute-repeated'
  | 'charset-not-first'
  | 'language-not-second'
  | 'charset-not-supported'
  | 'missing-target'
  | 'missing-attribute'
  | 'missing-group'
  | 'unpaired-values'
  | 'value-not-supported'
  | 'wrong-syntax'
  | 'not-single-valued'
  | 'out-of-range'
  | 'too-long'
  | 'malformed-value';

export interface Violation {
  readonly code: ViolationCode;
  /** The IPP status-code this violation deserves. */
  readonly status: number;
  readonly message: string;
  /** Group tag and attribute (dotted path for collection members) concerned, when there is one. */
  readonly group?: number;
  readonly attribute?: string;
  /**
   * True for Job/Document Template attributes a Printer may instead return in the
   * Unsupported Attributes group and ignore when ipp-attribute-fidelity is false (RFC 8011 §4.1.7).
   */
  readonly unsupported?: boolean;
  /**
   * What the Printer returns for this finding in the Unsupported Attributes group (RFC 8011
   * §4.1.7): the attribute with the values it refused. `unsupportedAttributes(violations)` merges them.
   */
  readonly echo?: IppAttribute;
}

export interface ValidateOptions extends ValidateOperationOptions {
  /** Versions the Printer supports, as "major.minor"; default 1.1, 2.0, 2.1, 2.2. */
  readonly versions?: readonly string[];
  /** Operation codes the Printer supports; default: do not check. */
  readonly operations?: readonly number[];
  /** Charsets the Printer supports; default utf-8 (RFC 8011 §4.1.4.1 requires it; we support nothing else). */
  readonly charsets?: readonly string[];
  /**
   * Also apply the per-operation rules of validateOperation (REQUIRED operation attributes,
   * single-valued ones, closed value lists) in place of the target-only check. Default false,
   * so callers choose when a request missing, say, document-number is refused here rather than
   * by their own handler.
   */
  readonly operationRules?: boolean;
}

const DEFAULT_VERSIONS = ['1.1', '2.0', '2.1', '2.2'];
/**
 * RFC 5646 language tag, loosely: subtags of 1–8 letters/digits, the first alphabetic. Case is
 * not checked: IPP asks for lowercase, but real clients send "en-US" and refusing them helps no one.
 */
const LANGUAGE = /^[a-z]{1,8}(-[a-z0-9]{1,8})*$/i;
/** Operations whose last request of a job says so with last-document (RFC 8011 §4.3.1, §4.3.2). */
const NEEDS_LAST_DOCUMENT = new Set<number>([IppOperation.sendDocument, IppOperation.sendUri]);
/** Group tags a request may carry (RFC 8011 §4.1.2, RFC 3995, PWG 5100.5, PWG 5100.22). */
const REQUEST_GROUPS = new Set<number>([GroupTag.operation, GroupTag.job, GroupTag.printer, GroupTag.subscription, GroupTag.resource, GroupTag.document, GroupTag.system]);
const OUT_OF_BAND_IN_REQUESTS = new Set<string>(['deleteAttribute', 'noValue', 'unknown', 'adminDefine', 'notSettable']);
/** Groups whose attributes are Template attributes: an unsupported value is ignorable there. */
const TEMPLATE_GROUPS = new Set<number>([GroupTag.job, GroupTag.document, GroupTag.subscription]);

/**
 * The checks every IPP server makes before looking at any attribute (RFC 8011 §4.1.1, §4.1.2,
 * §4.1.4, §4.1.8): version, request-id, group order, and attributes-charset then
 * attributes-natural-language first. Transports run this; `validateRequest` runs it and more.
 */
export function validateEnvelope(message: IppMessage, options: ValidateOptions = {}): Violation[] {
  const out: Violation[] = [];
  const add = (v: Violation): void => void out.push(v);

  // RFC 8011 §4.1.8: version first, then the rest of the header.
  const version = `${message.version.major}.${message.version.minor}`;
  if (!(options.versions ?? DEFAULT_VERSIONS).includes(version)) {
    add({ code: 'version-not-supported', status: IppStatus.serverErrorVersionNotSupported, message: `IPP version ${version} is not supported` });
  }
  if (message.requestId === 0) add({ code: 'request-id-zero', status: IppStatus.clientErrorBadRequest, message: 'request-id must not be zero (RFC 8011 §4.1.1)' });
  if (options.operations !== undefined && !options.operations.includes(message.code)) {
    add({ code: 'operation-not-supported', status: IppStatus.serverErrorOperationNotSupported, message: `operation ${operationName(message.code)} is not supported` });
  }

  // RFC 8011 §4.1.2: the operation group comes first; no group repeats in a request.
  const [first] = message.groups;
  if (first === undefined || first.tag !== GroupTag.operation) {
    add({ code: 'operation-group-not-first', status: IppStatus.clientErrorBadRequest, message: 'the first group must be the operation attributes group' });
  }
  const seen = new Set<number>();
  for (const group of message.groups) {
    if (!REQUEST_GROUPS.has(group.tag)) add({ code: 'group-not-allowed', status: IppStatus.clientErrorBadRequest, message: `group tag 0x${group.tag.toString(16)} is not allowed in a request`, group: group.tag });
    else if (seen.has(group.tag)) add({ code: 'group-repeated', status: IppStatus.clientErrorBadRequest, message: `group 0x${group.tag.toString(16)} appears twice`, group: group.tag });
    seen.add(group.tag);
  }

  // RFC 8011 §4.1.4: attributes-charset first, attributes-natural-language second.
  const operation = first?.tag === GroupTag.operation ? first.attributes : [];
  const charset = operation[0];
  if (charset?.name !== 'attributes-charset' || charset.values.length !== 1 || charset.values[0]!.tag !== 'charset') {
    add({ code: 'charset-not-first', status: IppStatus.clientErrorBadRequest, message: 'attributes-charset (one charset value) must be the first operation attribute', group: GroupTag.operation, attribute: 'attributes-charset' });
  } else if (!(options.charsets ?? ['utf-8']).includes((charset.values[0] as { value: string }).value.toLowerCase())) {
    add({ code: 'charset-not-supported', status: IppStatus.clientErrorCharsetNotSupported, message: `charset '${(charset.values[0] as { value: string }).value}' is not supported`, group: GroupTag.operation, attribute: 'attributes-charset' });
  }
  const language = operation[1];
  if (language?.name !== 'attributes-natural-language' || language.values.length !== 1 || language.values[0]!.tag !== 'naturalLanguage') {
    add({ code: 'language-not-second', status: IppStatus.clientErrorBadRequest, message: 'attributes-natural-language (one naturalLanguage value) must be the second operation attribute', group: GroupTag.operation, attribute: 'attributes-natural-language' });
  }
  return out;
}

export function validateRequest(message: IppMessage, options: ValidateOptions = {}): Violation[] {
  const out = validateEnvelope(message, options);
  const add = (v: Violation): void => void out.push(v);
  const [first] = message.groups;
  const operation = first?.tag === GroupTag.operation ? first.attributes : [];
  const [charset, language] = operation;

  if (options.operationRules === true && operationRule(message.code) !== undefined) {
    // RFC 8011 §4.1.5 and each operation's definition: target, REQUIRED attributes and the rest.
    out.push(...validateOperation(message, options));
  } else {
    // RFC 8011 §4.1.5: the operation target.
    const has = (name: string): boolean => operation.some((a) => a.name === name);
    const target = operationTarget(message.code);
    const targetOk =
      target === undefined ||
      (target === 'job' ? has('job-uri') || (has('printer-uri') && has('job-id')) : target === 'system' ? has('system-uri') : target === 'printer-or-system' ? has('printer-uri') || has('system-uri') : has('printer-uri'));
    if (!targetOk) {
      const need = target === 'job' ? 'job-uri, or printer-uri and job-id' : target === 'system' ? 'system-uri' : target === 'printer-or-system' ? 'printer-uri or system-uri' : 'printer-uri';
      add({ code: 'missing-target', status: IppStatus.clientErrorBadRequest, message: `${operationName(message.code)} needs ${need} in the operation group`, group: GroupTag.operation });
    }

    if (NEEDS_LAST_DOCUMENT.has(message.code) && !has('last-document')) {
      add({ code: 'missing-attribute', status: IppStatus.clientErrorBadRequest, message: `${operationName(message.code)} needs last-document (RFC 8011 §4.3.1)`, group: GroupTag.operation, attribute: 'last-document' });
    }
  }

  // RFC 8011 §4.1.7 / §5.1: every registered attribute's values against its syntax.
  for (const group of message.groups) {
    const names = new Set<string>();
    for (const attribute of group.attributes) {
      // RFC 8011 §4.1.3: an attribute appears at most once in a group.
      if (names.has(attribute.name)) {
        add({ code: 'attribute-repeated', status: IppStatus.clientErrorBadRequest, message: `${attribute.name} appears twice in one group`, group: group.tag, attribute: attribute.name });
      }
      names.add(attribute.name);
      if (group === first && (attribute === charset || attribute === language)) continue;
      checkAttribute(attribute, attributeSyntax(attribute.name, group.tag), [], group.tag, add);
    }
  }
  return options.operationRules === true ? withoutRepeats(out) : out;
}

/** The operation rules and the registry may both report one attribute as not single-valued: keep the first. */
function withoutRepeats(violations: readonly Violation[]): Violation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.code}\u0000${v.group ?? ''}\u0000${v.attribute ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function checkAttribute(attribute: IppAttribute, syntax: AttributeSyntax | undefined, path: readonly string[], group: number, add: (v: Violation) => void): void {
  const where = [...path, attribute.name].join('.');
  const template = TEMPLATE_GROUPS.has(group);
  // A top-level Template attribute's refused values are what the Printer returns in the
  // Unsupported Attributes group (RFC 8011 §4.1.7); a member's problem has no such echo here.
  const report = (values: readonly IppValue[]) =>
    (code: ViolationCode, message: string, status: number = template ? IppStatus.clientErrorAttributesOrValuesNotSupported : IppStatus.clientErrorBadRequest): void => {
      const echo = template && path.length === 0 && status === IppStatus.clientErrorAttributesOrValuesNotSupported ? { echo: { name: attribute.name, values } } : {};
      add({ code, status, message: `${where}: ${message}`, group, attribute: where, ...(template ? { unsupported: true } : {}), ...echo });
    };
  const wrong = report(attribute.values);

  for (const value of attribute.values) {
    if (value.tag === 'raw' && value.code !== 0x7f && value.code < 0x80 && value.code !== 0x14 && (value.code <= 0x17 || (value.code >= 0x21 && value.code <= 0x4a))) {
      wrong('malformed-value', `value with tag 0x${value.code.toString(16)} does not fit its syntax (RFC 8010 §3.9)`, IppStatus.clientErrorBadRequest);
    }
  }
  if (syntax === undefined) return; // unregistered: the Printer decides whether it supports it
  if (!syntax.setOf && attribute.values.length > 1) wrong('not-single-valued', `${attribute.values.length} values for a single-valued ${syntax.text}`);
  for (const value of attribute.values) {
    if (value.tag === 'raw') continue;
    const alternative = matching(syntax, value);
    if (alternative === undefined) {
      if (!OUT_OF_BAND_IN_REQUESTS.has(value.tag)) report([value])('wrong-syntax', `${value.tag} is not ${syntax.text}`);
      continue;
    }
    checkBounds(value, alternative, report([value]));
    if (value.tag === 'collection') {
      const parent = [...path, attribute.name];
      for (const member of value.value) checkAttribute(member, memberSyntax(parent, member.name), parent, group, add);
    }
  }
}

function matching(syntax: AttributeSyntax, value: IppValue): SyntaxAlternative | undefined {
  return syntax.alternatives.find((a) => tagsOf(a.type).includes(value.tag));
}

function checkBounds(value: IppValue, alternative: SyntaxAlternative, wrong: (code: ViolationCode, message: string, status?: number) => void): void {
  const { min, max } = alternative;
  switch (value.tag) {
    case 'integer':
      if ((min !== undefined && value.value < min) || (max !== undefined && value.value > max)) wrong('out-of-range', `${value.value} is outside ${min}:${max}`);
      return;
    case 'rangeOfInteger':
      if (value.value.lower > value.value.upper || (min !== undefined && value.value.lower < min) || (max !== undefined && value.value.upper > max)) {
        wrong('out-of-range', `${value.value.lower}-${value.value.upper} is not an ascending range within ${min}:${max}`);
      }
      return;
    case 'textWithoutLanguage':
    case 'textWithLanguage':
    case 'nameWithoutLanguage':
    case 'nameWithLanguage': {
      if ((value.tag === 'textWithLanguage' || value.tag === 'nameWithLanguage') && !LANGUAGE.test(value.language)) {
        wrong('wrong-syntax', `'${value.language}' is not a language tag`);
      }
      const octets = Buffer.byteLength(value.value, 'utf8');
      if (max !== undefined && octets > max) wrong('too-long', `${octets} octets exceed ${max}`, IppStatus.clientErrorRequestValueTooLong);
      return;
    }
    case 'octetString':
      if (max !== undefined && value.value.length > max) wrong('too-long', `${value.value.length} octets exceed ${max}`, IppStatus.clientErrorRequestValueTooLong);
      return;
    case 'keyword':
      // RFC 8011 §5.1.4: US-ASCII lowercase letters, digits, '-', '_', '.', at most 255 octets.
      if (!/^[a-z0-9][a-z0-9._-]{0,254}$/.test(value.value)) wrong('wrong-syntax', `'${value.value}' is not a keyword`);
      return;
    case 'uri':
      // RFC 8011 §5.1.6: an absolute URI (RFC 3986), at most 1023 octets.
      if (Buffer.byteLength(value.value, 'utf8') > 1023) wrong('too-long', 'a uri is at most 1023 octets', IppStatus.clientErrorRequestValueTooLong);
      else if (!/^[a-z][a-z0-9+.-]*:[^\s]*$/i.test(value.value)) wrong('wrong-syntax', `'${value.value}' is not an absolute URI`);
      return;
    case 'uriScheme':
      // RFC 8011 §5.1.7: a URI scheme name, at most 63 octets.
      if (!/^[a-z][a-z0-9+.-]{0,62}$/i.test(value.value)) wrong('wrong-syntax', `'${value.value}' is not a URI scheme`);
      return;
    case 'charset':
      // RFC 8011 §5.1.8: an IANA charset name, at most 63 octets (case not checked, as for languages).
      if (!/^[a-z0-9][a-z0-9._:+-]{0,62}$/i.test(value.value)) wrong('wrong-syntax', `'${value.value}' is not a charset name`);
      return;
    case 'naturalLanguage':
      // RFC 8011 §5.1.9: an RFC 5646 language tag, at most 63 octets.
      if (value.value.length > 63 || !LANGUAGE.test(value.value)) wrong('wrong-syntax', `'${value.value}' is not a language tag`);
      return;
    case 'mimeMediaType':
      // RFC 8011 §5.1.10: type/subtype (RFC 2045 tokens) with optional parameters, at most 255 octets.
      if (value.value.length > 255 || !/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+*-]+(\s*;.*)?$/i.test(value.value)) {
        wrong('wrong-syntax', `'${value.value}' is not a MIME media type`);
      }
      return;
    default:
      return;
  }
}

/** The status a Printer answers with: the first violation's, or undefined when the request is valid. */
/**
 * What a server answers a request with, or undefined to go ahead: the first violation of
 * validateRequest with the per-operation rules, leaving out unsupported Job Template values, which
 * RFC 8011 §4.1.7 lets the Printer ignore unless ipp-attribute-fidelity asks otherwise.
 */
export function requestRefusal(message: IppMessage, options: ValidateOptions = {}): { readonly status: number; readonly message: string } | undefined {
  const violation = validateRequest(message, { operationRules: true, ...options }).find((v) => !v.unsupported);
  return violation ? { status: violation.status, message: violation.message } : undefined;
}

export function responseStatus(violations: readonly Violation[]): number | undefined {
  return violations[0]?.status;
}
