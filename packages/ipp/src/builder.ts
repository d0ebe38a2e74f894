import { encodeMessage } from './encode.js';
import { GroupTag } from './model.js';
import type { GroupTagName, IppAttribute, IppGroup, IppMessage, IppValue, IppValueTagName, IppVersion } from './model.js';
import { attributeSyntax, enumValue, memberSyntax, operationCode, statusCode } from './registry/lookup.js';
import type { AttributeSyntax, SyntaxType } from './registry/syntax.js';
import { VALUE_TAG_CODE } from './tags.js';
import { dateTime } from './values.js';
import { IppError } from './errors.js';
import type { JobTemplateInput, OperationInput } from './builder-types.js';

/** What a builder accepts for an attribute: explicit values, plain JS values, or arrays of either (1setOf). */
export type AttributeInput =
  | IppValue
  | string
  | number
  | boolean
  | Date
  | Uint8Array
  | { readonly lower: number; readonly upper: number }
  | CollectionInput
  | readonly AttributeInput[];
export interface CollectionInput {
  readonly [member: string]: AttributeInput | undefined;
}
/** Attributes in insertion order; `undefined` entries are skipped so optional ones read naturally. */
export type AttributesInput = { readonly [name: string]: AttributeInput | undefined } | readonly IppAttribute[];

const KNOWN_TAGS = new Set<string>([...Object.keys(VALUE_TAG_CODE), 'raw']);

function isIppValue(input: object): input is IppValue {
  const tag = (input as { tag?: unknown }).tag;
  return typeof tag === 'string' && KNOWN_TAGS.has(tag) && ('value' in input || !('lower' in input));
}

function has(syntax: AttributeSyntax | undefined, type: SyntaxType): boolean {
  return syntax?.alternatives.some((a) => a.type === type) ?? false;
}

/** The string tag a plain string gets: the first string-like syntax the registry allows for the attribute. */
const STRING_TAG: Partial<Record<SyntaxType, IppValueTagName>> = {
  keyword: 'keyword',
  name: 'nameWithoutLanguage',
  text: 'textWithoutLanguage',
  uri: 'uri',
  uriScheme: 'uriScheme',
  charset: 'charset',
  naturalLanguage: 'naturalLanguage',
  mimeMediaType: 'mimeMediaType',
  memberAttrName: 'memberAttrName',
};
const KEYWORD_LIKE = /^[a-z0-9][a-z0-9._-]*$/;

/** Converts one input to its values: `path` is [attribute, ...enclosing members] for registry lookups. */
function toValues(attribute: string, input: AttributeInput, syntax: AttributeSyntax | undefined, path: readonly string[]): IppValue[] {
  if (Array.isArray(input)) return (input as readonly AttributeInput[]).flatMap((item) => toValues(attribute, item, syntax, path));
  return [toValue(attribute, input as Exclude<AttributeInput, readonly AttributeInput[]>, syntax, path)];
}

function toValue(attribute: string, input: Exclude<AttributeInput, readonly AttributeInput[]>, syntax: AttributeSyntax | undefined, path: readonly string[]): IppValue {
  switch (typeof input) {
    case 'number':
      if (has(syntax, 'enum')) return { tag: 'enum', value: input };
      return { tag: 'integer', value: input };
    case 'boolean':
      return { tag: 'boolean', value: input };
    case 'string': {
      if (has(syntax, 'enum')) {
        const value = enumValue(attribute, input);
        if (value !== undefined) return { tag: 'enum', value };
      }
      for (const alternative of syntax?.alternatives ?? []) {
        const tag = STRING_TAG[alternative.type];
        if (tag !== undefined) return { tag, value: input } as IppValue;
      }
      if (syntax !== undefined) throw new IppError('IPP_BAD_VALUE', `'${path.join('.')}' (${syntax.text}) takes no string; use an explicit value helper`);
      // Unregistered attribute: keywords look like keywords, anything else is text.
      return KEYWORD_LIKE.test(input) ? { tag: 'keyword', value: input } : { tag: 'textWithoutLanguage', value: input };
    }
    case 'object':
      break;
    default:
      throw new IppError('IPP_BAD_VALUE', `'${path.join('.')}' cannot take a ${typeof input}`);
  }
  if (input instanceof Date) return dateTime(input);
  if (input instanceof Uint8Array) return { tag: 'octetString', value: input };
  if (isIppValue(input)) return input;
  const keys = Object.keys(input);
  if (!has(syntax, 'collection') && keys.length === 2 && 'lower' in input && 'upper' in input) {
    return { tag: 'rangeOfInteger', value: { lower: Number(input.lower), upper: Number(input.upper) } };
  }
  return { tag: 'collection', value: membersOf(input as CollectionInput, path) };
}

function membersOf(input: CollectionInput, path: readonly string[]): IppAttribute[] {
  const members: IppAttribute[] = [];
  for (const [member, value] of Object.entries(input)) {
    if (value === undefined) continue;
    members.push({ name: member, values: toValues(member, value, memberSyntax(path, member), [...path, member]) });
  }
  return members;
}

/** Turns builder input into attributes, choosing tags from the registry section(s) of `group`. */
export function attributesOf(input: AttributesInput, group: number): IppAttribute[] {
  if (Array.isArray(input)) return [...(input as readonly IppAttribute[])];
  const out: IppAttribute[] = [];
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const values = toValues(name, value as AttributeInput, attributeSyntax(name, group), [name]);
    if (values.length === 0) throw new IppError('IPP_BAD_VALUE', `attribute '${name}' has no values`);
    out.push({ name, values });
  }
  return out;
}

export interface MessageOptions {
  /** Default 1 (RFC 8011 §4.1.1: request-id MUST be non-zero). */
  readonly requestId?: number;
  /** Default 2.0. */
  readonly version?: IppVersion;
  /** attributes-charset; default utf-8. */
  readonly charset?: string;
  /** attributes-natural-language; default en. */
  readonly language?: string;
}

/**
 * Builds a message group by group. The operation group always starts with attributes-charset and
 * attributes-natural-language, in that order (RFC 8011 §4.1.4); later calls for the same group
 * append to it, calls for other groups add groups in call order.
 */
export class MessageBuilder {
  private readonly groups: { tag: number; attributes: IppAttribute[] }[] = [];
  private payload: Uint8Array | undefined;

  constructor(
    private readonly code: number,
    private readonly options: MessageOptions,
  ) {
    this.group('operation', [
      { name: 'attributes-charset', values: [{ tag: 'charset', value: options.charset ?? 'utf-8' }] },
      { name: 'attributes-natural-language', values: [{ tag: 'naturalLanguage', value: options.language ?? 'en' }] },
    ]);
  }

  /** Adds attributes to the last group with this tag if it is the last group, else opens a new group. */
  group(group: GroupTagName | number, attributes: AttributesInput = {}): this {
    const tag = typeof group === 'number' ? group : GroupTag[group];
    const last = this.groups[this.groups.length - 1];
    const converted = attributesOf(attributes, tag);
    if (last !== undefined && last.tag === tag) appendAll(last.attributes, converted);
    else this.groups.push({ tag, attributes: converted });
    return this;
  }

  /** Opens a new group even if the last one has the same tag (one job group per job in Get-Jobs). */
  newGroup(group: GroupTagName | number, attributes: AttributesInput = {}): this {
    const tag = typeof group === 'number' ? group : GroupTag[group];
    this.groups.push({ tag, attributes: attributesOf(attributes, tag) });
    return this;
  }

  operation(attributes: OperationInput | readonly IppAttribute[]): this {
    const first = this.groups[0]!;
    appendAll(first.attributes, attributesOf(attributes, GroupTag.operation));
    return this;
  }
  job(attributes: JobTemplateInput | readonly IppAttribute[]): this {
    return this.group('job', attributes);
  }
  printer(attributes: AttributesInput): this {
    return this.group('printer', attributes);
  }
  document(attributes: AttributesInput): this {
    return this.group('document', attributes);
  }
  unsupported(attributes: AttributesInput): this {
    return this.group('unsupported', attributes);
  }
  subscription(attributes: AttributesInput): this {
    return this.group('subscription', attributes);
  }
  system(attributes: AttributesInput): this {
    return this.group('system', attributes);
  }

  /** Document data sent after end-of-attributes-tag. */
  data(bytes: Uint8Array): this {
    this.payload = bytes;
    return this;
  }

  build(): IppMessage {
    const groups: IppGroup[] = this.groups.map((g) => ({ tag: g.tag, attributes: [...g.attributes] }));
    const message: IppMessage = {
      version: this.options.version ?? { major: 2, minor: 0 },
      code: this.code,
      requestId: this.options.requestId ?? 1,
      groups,
    };
    return this.payload === undefined ? message : { ...message, data: this.payload };
  }

  encode(): Uint8Array {
    return encodeMessage(this.build());
  }
}

/** Starts a request: `request('Print-Job', { requestId: 7 }).operation({...}).job({...}).build()`. */
export function request(operation: string | number, options: MessageOptions = {}): MessageBuilder {
  const code = typeof operation === 'number' ? operation : operationCode(operation);
  if (code === undefined) throw new IppError('IPP_BAD_VALUE', `unknown operation '${operation}'`);
  return new MessageBuilder(code, options);
}

/** Starts a response: `response('successful-ok', { requestId }).operation({...}).printer({...})`. */
export function response(status: string | number, options: MessageOptions = {}): MessageBuilder {
  const code = typeof status === 'number' ? status : statusCode(status);
  if (code === undefined) throw new IppError('IPP_BAD_VALUE', `unknown status-code '${status}'`);
  return new MessageBuilder(code, options);
}

/** push(...items) spreads onto the stack and overflows it near 120,000 items; a loop has no limit. */
function appendAll<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item);
}
